"""The practice account on disk: one SQLite database per named account, saved once per frame.

``AccountStore.open(data_dir, name)`` takes the account's lock, checks and migrates its file; ``load_session()``
brings back the exchange exactly (wallets, positions, live orders, markets, clock, counters), each price feed at its
position (``seek``), the equity / liquidation history and a tail of the price chart (re-read from the feed, never
stored tick by tick). ``record(session, events)`` saves everything that changed since the last call in ONE
transaction, and does nothing at all when nothing changed; a frame that moved money is committed with
``synchronous = FULL`` (survives a power cut), clock-only frames with ``NORMAL`` (survive a crash of the app).

Choices: ``reset`` gives a fresh account on the *same market* (the clock and price feeds continue, the chart of
prices stays) and wipes the account's journals and equity history. ``account_json`` on a data folder without the
account prints a fresh default account and writes nothing.
"""
from __future__ import annotations

import copy
import json
import logging
import math
import sqlite3
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from terminal.domain.defaults import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR
from terminal.domain.errors import TerminalError
from terminal.domain.instruments import Catalog, default_catalog
from terminal.exchange.engine import Exchange
from terminal.feeds import make_feed
from terminal.feeds.base import UNBOUNDED_MS
from terminal.feeds.spec import FeedSpec
from terminal.session.history import RingBuffer
from terminal.session.trading_session import TradingSession
from terminal.store.accounts import (
    DEFAULT_ACCOUNT,
    AccountLock,
    active_account,
    check_name,
    db_path,
    delete_account,
    list_accounts,
    set_active_account,
)
from terminal.store.schema import StoreError, connect, corrupt, is_read_only, translate
from terminal.store.state import (
    dumps,
    export_exchange,
    fill_row,
    funding_row,
    ledger_row,
    liquidation_row,
    read_exchange,
    rejection_row,
)

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_WALLETS_MINOR", "AccountStore", "StoreError", "active_account",
           "create_account", "delete_account", "list_accounts", "set_active_account"]
_log = logging.getLogger(__name__)

PRICE_TAIL_TICKS = 20_000  # price-chart points re-read from each feed on load
JOURNALS = ("ledger", "fills", "liquidations", "funding", "rejections")
INSERT = {
    "ledger": "INSERT INTO ledger (time, kind, currency, amount_minor, symbol, ref, text) VALUES (?,?,?,?,?,?,?)",
    "fills": "INSERT OR REPLACE INTO fills (fill_id, time, symbol, json) VALUES (?,?,?,?)",
    "liquidations": "INSERT INTO liquidations (time, symbol, json) VALUES (?,?,?)",
    "funding": "INSERT INTO funding (time, symbol, json) VALUES (?,?,?)",
    "rejections": "INSERT INTO rejections (time, json) VALUES (?,?)",
}
ROW = {"ledger": ledger_row, "fills": fill_row, "liquidations": liquidation_row, "funding": funding_row,
       "rejections": rejection_row}


def account_seed(name: str) -> int:
    """Each named account sees its own (deterministic) market."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def _series(session: TradingSession) -> dict[str, RingBuffer]:
    out = {f"equity:{c}": b for c, b in session.history.equity.items()}
    out.update({f"liq:{s}": b for s, b in session.history.liquidation.items()})
    return out


class AccountStore:
    def __init__(self, data_dir: Path, name: str, path: Path, db: sqlite3.Connection, lock: AccountLock) -> None:
        self.data_dir, self.name, self.path = data_dir, name, path
        self._db: sqlite3.Connection | None = db
        self._lock = lock
        self._session: TradingSession | None = None
        self._saved: dict[str, int] = {}
        self._last_state: str | None = None
        self._feed_meta: dict[str, tuple[object, int, int]] = {}  # symbol -> (feed, seed, start_ms)
        self._feeds_saved: dict[str, tuple[Any, ...]] = {}
        self._hist_base: dict[str, int] = {}
        self._hist_saved: dict[str, int] = {}
        self.warnings: list[str] = []
        self._durable = False  # connect() leaves synchronous = NORMAL
        self._spec_json: dict[int, tuple[FeedSpec, str]] = {}

    # ------------------------------------------------------------------ open / close
    @classmethod
    def open(cls, data_dir: Path, name: str | None = None) -> AccountStore:
        data_dir = Path(data_dir)
        name = check_name(name or active_account(data_dir))
        path = db_path(data_dir, name)
        lock = AccountLock.acquire(data_dir, name)
        try:
            if is_read_only(path):
                raise translate(PermissionError("read-only"), path, "open the account for trading")
            db = connect(path)
        except BaseException:
            lock.release()
            raise
        _log.info("opened account %r in %s", name, data_dir)
        return cls(data_dir, name, path, db, lock)

    @classmethod
    def quarantine(cls, data_dir: Path, name: str) -> Path:
        """Keep a damaged account file as ``<name>.corrupt-<timestamp>.sqlite`` and start the account fresh."""
        data_dir = Path(data_dir)
        path = db_path(data_dir, name)
        lock = AccountLock.acquire(data_dir, name)
        try:
            stamp = time.strftime("%Y%m%dT%H%M%S")
            keep = path.with_name(f"{name}.corrupt-{stamp}.sqlite")
            n = 1
            while keep.exists():
                n += 1
                keep = path.with_name(f"{name}.corrupt-{stamp}-{n}.sqlite")
            try:
                for suffix in ("-wal", "-shm"):
                    side = path.with_name(path.name + suffix)
                    if side.exists():
                        side.rename(keep.with_name(keep.name + suffix))
                if path.exists():
                    path.rename(keep)
            except OSError as exc:
                raise translate(exc, path, "keep a copy of the account") from None
            store = cls(data_dir, name, path, connect(path), lock)
            store.reset()
            store._close_db()
        finally:
            lock.release()
        return keep

    def _close_db(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            finally:
                self._db = None

    def close(self) -> None:
        self._close_db()
        self._lock.release()
        _log.info("closed account %r", self.name)

    def __enter__(self) -> AccountStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"The account {self.name!r} is closed.", kind="io", path=self.path)
        return self._db

    def _tx(self, fn: Callable[[sqlite3.Connection], None], doing: str, durable: bool = True) -> None:
        db = self.db
        try:
            if durable != self._durable:
                db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                self._durable = durable
            db.execute("BEGIN IMMEDIATE")
            fn(db)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise translate(exc, self.path, doing) from None

    def has_state(self) -> bool:
        return self.db.execute("SELECT 1 FROM state WHERE id = 1").fetchone() is not None

    # ------------------------------------------------------------------ load
    def load_session(self, catalog: Catalog | None = None) -> TradingSession:
        catalog = catalog or default_catalog()
        if not self.has_state():
            session = TradingSession.new(catalog=catalog, seed=account_seed(self.name), start_ms=DEFAULT_START_MS,
                                         wallets_minor=DEFAULT_WALLETS_MINOR)
            self._write_all(session)
            return session
        try:
            self.db.execute("BEGIN")
            try:
                session = self._read_session(catalog)
            finally:
                self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "read the account") from None
        except (KeyError, TypeError, ValueError, AttributeError, TerminalError) as exc:
            if isinstance(exc, StoreError):
                raise
            raise corrupt(self.path, f"the saved state cannot be read: {exc}") from None
        self._track(session)
        self._trim_history()
        return session

    def _read_session(self, catalog: Catalog) -> TradingSession:
        st = json.loads(self.db.execute("SELECT json FROM state WHERE id = 1").fetchone()[0])
        ex = read_exchange(self.db, catalog, st, self.path)
        ss = st["session"]
        session = TradingSession(ex, seed=int(ss["seed"]), start_ms=int(ss["start_ms"]))
        session.ticks = int(ss["ticks"])
        session._next_sample = int(ss["next_sample"])
        for sym, spec_js, seed, start, pos in self.db.execute("SELECT * FROM feeds ORDER BY rowid"):
            spec = FeedSpec.model_validate_json(spec_js)
            try:
                feed = make_feed(spec, catalog[sym], seed=int(seed), start_ms=int(start))
            except TerminalError as exc:  # e.g. a price file that moved: fall back to the synthetic model
                self.warnings.append(f"{sym}: {exc}; using the synthetic price model instead")
                session.feed_specs[sym] = FeedSpec(kind="synthetic", symbol=sym)
                continue
            session.feed_specs[sym] = spec
            tail = min(int(pos), PRICE_TAIL_TICKS)
            feed.seek(int(pos) - tail)
            session._record_prices(sym, feed.read(UNBOUNDED_MS, tail))
            feed.seek(int(pos))
            session.feeds[sym] = feed
            session.feed_origin[sym] = (int(seed), int(start))
            self._feed_meta[sym] = (feed, int(seed), int(start))
        cap = session.history.capacity
        for series, top in self.db.execute("SELECT series, MAX(seq) FROM history GROUP BY series").fetchall():
            rows = self.db.execute("SELECT t, a, b FROM history WHERE series = ? AND seq > ? ORDER BY seq",
                                   (series, top - cap)).fetchall()
            kind, key = series.split(":", 1)
            target = session.history.equity if kind == "equity" else session.history.liquidation
            buf = target[key] = RingBuffer(cap, 3)
            buf.extend(np.array(rows, dtype=np.float64))  # NULL (a NaN) becomes nan
            self._hist_base[series] = top + 1 - len(rows)
            self._hist_saved[series] = len(rows)
        return session

    def _track(self, session: TradingSession) -> None:
        ex = session.exchange
        self._session = session
        self._saved = {j: len(getattr(ex, j)) for j in JOURNALS}
        self._last_state = dumps(self._state(session))
        self._feeds_saved = self._feed_rows(session)

    def _trim_history(self) -> None:
        cap = self._session.history.capacity if self._session else 100_000
        self._tx(lambda db: db.execute(
            "DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history h WHERE h.series = history.series) - ?",
            (cap,)), "tidy the chart history", durable=False)

    # ------------------------------------------------------------------ save
    def _state(self, session: TradingSession) -> dict[str, Any]:
        st = export_exchange(session.exchange)
        st["session"] = {"seed": session.seed, "start_ms": session.start_ms, "ticks": session.ticks,
                         "next_sample": session._next_sample}
        return st

    def _feed_rows(self, session: TradingSession) -> dict[str, tuple[Any, ...]]:
        rows = {}
        for sym, feed in session.feeds.items():
            meta = self._feed_meta.get(sym)
            if meta is None or meta[0] is not feed:  # made by session.ensure_feed / set_feed
                seed, start = session.feed_origin.get(
                    sym, (session.seed * 1_000_003 + session.catalog.symbols.index(sym), session.start_ms))
                meta = self._feed_meta[sym] = (feed, seed, start)
            spec_obj = session.spec_for(sym)
            cached = self._spec_json.get(id(spec_obj))
            if cached is None or cached[0] is not spec_obj:  # FeedSpec is frozen: its JSON never changes
                cached = self._spec_json[id(spec_obj)] = (spec_obj, spec_obj.model_dump_json())
            spec = cached[1]
            rows[sym] = (sym, spec, meta[1], meta[2], int(feed.position))
        return rows

    def _history_rows(self, session: TradingSession) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        out: list[tuple[Any, ...]] = []
        saved = {}
        for series, buf in _series(session).items():
            done = self._hist_saved.get(series, 0)
            if series not in self._hist_base:
                self._hist_base[series] = 0
            new = buf.count - done
            if new <= 0:
                continue
            take = min(new, len(buf))
            base = self._hist_base[series]
            view = buf.view()[-take:]
            first = base + buf.count - take
            out.extend((series, first + i, float(r[0]), _num(r[1]), _num(r[2])) for i, r in enumerate(view))
            saved[series] = buf.count
        return out, saved

    def record(self, session: TradingSession, events: list[tuple[str, object]]) -> None:
        """Save what changed since the last call, in one transaction (nothing at all if nothing changed)."""
        if session is not self._session:
            self._write_all(session)
            return
        ex = session.exchange
        new = {j: getattr(ex, j)[self._saved[j]:] for j in JOURNALS}
        orders = {}
        for kind, payload in events:
            if kind == "order":
                orders[payload.id] = payload  # type: ignore[attr-defined]
        state = dumps(self._state(session))
        feeds = self._feed_rows(session)
        feed_changes = [r for s, r in feeds.items() if self._feeds_saved.get(s) != r]
        gone = [s for s in self._feeds_saved if s not in feeds]
        hist, hist_saved = self._history_rows(session)
        if state == self._last_state and not (any(new.values()) or orders or feed_changes or gone or hist):
            return

        def write(db: sqlite3.Connection) -> None:
            for j, rows in new.items():
                if rows:
                    db.executemany(INSERT[j], [ROW[j](r) for r in rows])
            if orders:
                db.executemany("INSERT OR REPLACE INTO orders_history VALUES (?,?,?,?)",
                               [(o.id, o.symbol, o.status.value, dumps(o.to_dict())) for o in orders.values()])
            if feed_changes:
                db.executemany("INSERT OR REPLACE INTO feeds VALUES (?,?,?,?,?)", feed_changes)
            for s in gone:
                db.execute("DELETE FROM feeds WHERE symbol = ?", (s,))
            if hist:
                db.executemany("INSERT OR REPLACE INTO history VALUES (?,?,?,?,?)", hist)
            if state != self._last_state:
                db.execute("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", (state,))

        self._tx(write, "save the account", durable=bool(new["ledger"] or new["fills"]))
        self._saved = {j: self._saved[j] + len(rows) for j, rows in new.items()}
        self._last_state = state
        self._feeds_saved = feeds
        self._hist_saved.update(hist_saved)

    def _write_all(self, session: TradingSession) -> None:
        """Replace everything stored with ``session`` (a new account, a reset, or a session made elsewhere)."""
        ex = session.exchange
        state = dumps(self._state(session))
        self._feed_meta = {s: m for s, m in self._feed_meta.items() if session.feeds.get(s) is m[0]}
        feeds = self._feed_rows(session)
        self._hist_base, self._hist_saved = {}, {}
        hist, hist_saved = self._history_rows(session)

        def write(db: sqlite3.Connection) -> None:
            for table in ("ledger", "fills", "liquidations", "funding", "rejections", "orders_history", "history",
                          "feeds", "state"):
                db.execute(f"DELETE FROM {table}")
            for j in JOURNALS:
                db.executemany(INSERT[j], [ROW[j](r) for r in getattr(ex, j)])
            db.executemany("INSERT OR REPLACE INTO orders_history VALUES (?,?,?,?)",
                           [(o.id, o.symbol, o.status.value, dumps(o.to_dict())) for o in ex.orders.values()])
            db.executemany("INSERT INTO feeds VALUES (?,?,?,?,?)", list(feeds.values()))
            db.executemany("INSERT INTO history VALUES (?,?,?,?,?)", hist)
            db.execute("INSERT INTO state (id, json) VALUES (1, ?)", (state,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('name', ?)", (self.name,))

        self._tx(write, "save the account")
        self._track(session)
        self._hist_saved.update(hist_saved)

    def reset(self, wallets_minor: dict[str, int] | None = None) -> TradingSession:
        """A fresh account on the same market: new wallets, no positions / orders / journals / equity history."""
        wallets = DEFAULT_WALLETS_MINOR if wallets_minor is None else wallets_minor
        for cur, amount in wallets.items():
            if cur not in DEFAULT_WALLETS_MINOR or not isinstance(amount, int) or amount < 0:
                raise StoreError(f"A starting balance must be a whole, non-negative number of minor units of XBT or "
                                 f"USDT (got {cur}: {amount!r}).", kind="input")
        old = self._session
        if old is None and self.has_state():
            old = self.load_session()
        if old is None:
            session = TradingSession.new(seed=account_seed(self.name), start_ms=DEFAULT_START_MS,
                                         wallets_minor=wallets)
        else:
            ex = Exchange(old.catalog, old.exchange.config, now_ms=old.exchange.now_ms)
            ex.markets = {s: copy.copy(m) for s, m in old.exchange.markets.items()}
            ex.next_funding_ms = dict(old.exchange.next_funding_ms)
            for cur, amount in sorted(wallets.items()):
                if amount:
                    ex.deposit(cur, amount)
            session = TradingSession(ex, seed=old.seed, start_ms=old.start_ms, feed_specs=old.feed_specs)
            session.feeds, session.prices = old.feeds, old.prices
            session.feed_origin = dict(old.feed_origin)
            session.ticks, session._next_sample = old.ticks, old._next_sample
        self._write_all(session)
        return session


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def create_account(data_dir: Path, name: str, wallets_minor: dict[str, int] | None = None) -> None:
    """Create a new account with ``wallets_minor`` (default 1 XBT and 10,000 USDT); an existing name is an error."""
    if db_path(data_dir, name).exists():
        raise StoreError(f"An account named {name!r} already exists.", kind="name")
    store = AccountStore.open(data_dir, name)
    try:
        store.reset(wallets_minor)
    finally:
        store.close()
