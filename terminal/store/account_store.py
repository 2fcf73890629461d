"""The practice account on disk: one SQLite database per named account, saved by what each frame's events changed.

``AccountStore.open(data_dir, name)`` takes the account's lock, checks and migrates its file; ``load_session()``
brings back the exchange exactly (wallets, positions, live orders, markets, clock, counters), each price feed from
its stored checkpoint (:mod:`terminal.feeds.checkpoint`: O(1) whatever the account's age, never a replay), the
equity / liquidation history and the price chart's stored tail (:mod:`terminal.store.prices`).

``record(session, events)`` saves what the frame changed in ONE transaction: the journal rows appended, the orders /
positions / settings the events name (:mod:`terminal.store.changes`), the small live row (clock, markets, wallets,
counters), the feeds' checkpoints, the new price and equity points. A frame with no event and no tick writes nothing
and costs a few comparisons. Every committed frame survives a crash of the app (it is in the WAL when ``record``
returns); a frame that moved money is also fsynced, off the GUI thread (:mod:`terminal.store.durability`), so it
survives a power cut a few milliseconds later without the GUI waiting for the disk. Every ``checkpoints.EVERY_MS``
of simulated time the frame also stores a :class:`~terminal.store.checkpoints.SessionCheckpoint` (engine + feeds),
the base of rewinding and branching: ``checkpoint_times()``, ``checkpoint_at(t_ms)``, ``session_at(checkpoint)``.

Choices: ``reset`` gives a fresh account on the *same market* (the clock and price feeds continue, the chart of
prices stays) and wipes the account's journals, equity history and checkpoints. ``account_json`` on a data folder
without the account prints a fresh default account and writes nothing.
"""
from __future__ import annotations

import logging
import math
import sqlite3
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terminal.domain.defaults import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR
from terminal.domain.errors import TerminalError
from terminal.domain.instruments import Catalog, default_catalog
from terminal.domain.orders import Order
from terminal.feeds.base import Feed
from terminal.session.trading_session import TradingSession
from terminal.store import checkpoints
from terminal.store.accounts import (
    DEFAULT_ACCOUNT,
    AccountLock,
    active_account,
    check_name,
    db_path,
    delete_account,
    keep_damaged_copy,
    list_accounts,
    set_active_account,
)
from terminal.store.changes import ChangeTracker
from terminal.store.checkpoints import SessionCheckpoint
from terminal.store.durability import Durability
from terminal.store.feed_rows import FeedRows
from terminal.store.loading import read_session
from terminal.store.notes import KEY as NOTES_KEY
from terminal.store.notes import read_notes, write_note
from terminal.store.prices import TAIL_POINTS, PriceTail
from terminal.store.rows import (
    INSERT,
    JOURNALS,
    ROW,
    UPSERT_FEED,
    history_rows,
    live_row,
    replace_all,
    series_of,
    write_entities,
)
from terminal.store.schema import StoreError, connect, corrupt, is_read_only, translate
from terminal.store.state import order_json
from terminal.store.undone import read_undone, write_undone

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_WALLETS_MINOR", "AccountStore", "StoreError", "active_account",
           "create_account", "delete_account", "list_accounts", "set_active_account"]
_log = logging.getLogger(__name__)

PRICE_TAIL_TICKS = TAIL_POINTS  # price-chart points kept per symbol
def account_seed(name: str) -> int:
    """Each named account sees its own (deterministic) market."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


class AccountStore:
    def __init__(self, data_dir: Path, name: str, path: Path, db: sqlite3.Connection, lock: AccountLock) -> None:
        self.data_dir, self.name, self.path = data_dir, name, path
        self._db: sqlite3.Connection | None = db
        self._lock = lock
        self._session: TradingSession | None = None
        self._journals: dict[str, int] = {}
        self._changes = ChangeTracker()
        self._unsaved: list[tuple[str, object]] = []  # events of a frame whose save failed
        self._pending_undone: list[dict[str, Any]] = []  # stretches a rewind undid, saved with the rewound session
        self._prices = PriceTail()
        self._feeds_saved: dict[str, tuple[Feed, int]] = {}
        self._clock_saved: tuple[int, int] = (-1, -1)  # (exchange now_ms, session ticks)
        self._hist_base: dict[str, int] = {}
        self._hist_saved: dict[str, int] = {}
        self._next_checkpoint_ms = 0
        self._checkpoint_wall = -math.inf
        self._checkpoints_written = 0
        self.warnings: list[str] = []
        self._durability = Durability(path)  # fsync and WAL checkpoints off the caller's thread
        db.execute("PRAGMA wal_autocheckpoint = 0")
        self._feed_rows = FeedRows()

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
            keep = keep_damaged_copy(path, name)
            store = cls(data_dir, name, path, connect(path), lock)
            store.reset()
            store._close_db()
        finally:
            lock.release()
        return keep

    def _close_db(self) -> None:
        self._durability.close()
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
        """``fn`` in one write transaction; any failure rolls it back (SQLite errors become a StoreError).
        Committed, it survives the app's death; ``durable`` (money moved) also has it fsynced off this thread."""
        db = self.db
        err = self._durability.error
        if err is not None:
            raise translate(err, self.path, doing)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                fn(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
        except sqlite3.Error as exc:
            raise translate(exc, self.path, doing) from None
        self._durability.committed(durable)

    def unsaved_fill_ids(self, session: TradingSession) -> list[int]:
        """The fills of ``session`` not yet on disk (a save failed: the window says which)."""
        return [f.fill_id for f in session.exchange.fills[self._journals.get("fills", 0):]]

    def retry_after_error(self) -> None:
        """Before retrying a failed save: forget a reported fsync error, so the next save tries the disk again."""
        self._durability.clear_error()

    def wait_durable(self, timeout: float = 10.0) -> bool:
        """Block until every frame that moved money is fsynced (it already survives the app's death)."""
        return self._durability.wait(timeout)

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
                loaded = read_session(self.db, catalog, self.path)
            finally:
                self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise translate(exc, self.path, "read the account") from None
        except (KeyError, TypeError, ValueError, AttributeError, TerminalError) as exc:
            if isinstance(exc, StoreError):
                raise
            raise corrupt(self.path, f"the saved state cannot be read: {exc}") from None
        session = loaded.session
        self.warnings.extend(loaded.warnings)
        self._hist_base, self._hist_saved = loaded.hist_base, loaded.hist_saved
        self._feeds_saved = {s: (session.feeds[s], -1) for s in loaded.stale}  # checkpoint them at the next frame
        self._track(session)
        self._tidy(session, loaded.tails)
        return session

    def _track(self, session: TradingSession) -> None:
        """Everything in ``session`` is on disk (just loaded or just written in full)."""
        ex = session.exchange
        self._session = session
        self._journals = {j: len(getattr(ex, j)) for j in JOURNALS}
        self._changes.reset(ex)
        stale = {s for s, (f, p) in self._feeds_saved.items() if p < 0 and session.feeds.get(s) is f}
        self._feeds_saved = {s: (f, -1 if s in stale else f.position) for s, f in session.feeds.items()}
        self._clock_saved = (ex.now_ms, session.ticks)
        self._next_checkpoint_ms = ex.now_ms
        self._unsaved = []

    def _tidy(self, session: TradingSession, tails: dict[str, int]) -> None:
        """After loading: fold each price tail into one chunk (and store the tail found by seeking an old account);
        drop equity history beyond what the charts hold."""
        cap = session.history.capacity

        def tidy(db: sqlite3.Connection) -> None:
            for sym, buf in session.prices.items():
                self._prices.track(db if tails.get(sym) != 1 else None, sym, buf)
            db.execute("DELETE FROM history WHERE seq <= "
                       "(SELECT MAX(seq) FROM history h WHERE h.series = history.series) - ?", (cap,))

        self._tx(tidy, "tidy the chart history", durable=False)

    # ------------------------------------------------------------------ save
    def _history_rows(self, session: TradingSession) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        return history_rows(session, self._hist_base, self._hist_saved)

    def _idle(self, session: TradingSession) -> bool:
        """Nothing to save: no tick, no journal row, no feed moved, no chart point (a few comparisons)."""
        ex = session.exchange
        if (ex.now_ms, session.ticks) != self._clock_saved:
            return False
        if any(len(getattr(ex, j)) != n for j, n in self._journals.items()):
            return False
        saved = self._feeds_saved
        if len(saved) != len(session.feeds):
            return False
        for s, f in session.feeds.items():
            m = saved.get(s)
            if m is None or m[0] is not f or m[1] != f.position:
                return False
        if len(ex.positions) != len(self._changes.positions) or len(ex.settings) != len(self._changes.settings):
            return False
        if self._prices.pending(session.prices):
            return False
        return all(self._hist_saved.get(k, 0) == b.count for k, b in series_of(session).items())

    def record(self, session: TradingSession, events: list[tuple[str, object]]) -> None:
        """Save what changed since the last call, in one transaction (nothing at all if nothing changed)."""
        if session is not self._session:
            self._write_all(session)
            played = {o.id: o for kind, o in events if kind == "order" and isinstance(o, Order)}
            if played:  # a session played elsewhere (run --data-dir into a new account): its orders' history too
                def history(db: sqlite3.Connection) -> None:
                    db.executemany("INSERT OR REPLACE INTO orders_history VALUES (?,?,?,?)",
                                   [(o.id, o.symbol, o.status.value, order_json(o)) for o in played.values()])

                self._tx(history, "save the order history")
            return
        if self._unsaved:  # a frame that failed to save: its events still say what changed
            events = self._unsaved + events
            self._unsaved = []
        if not events and self._idle(session):
            return
        ex = session.exchange
        ticked = (ex.now_ms, session.ticks) != self._clock_saved
        ch = self._changes.changes(ex, events, ticked)
        new = {j: getattr(ex, j)[n:] for j, n in self._journals.items() if len(getattr(ex, j)) != n}
        feeds = {s: f for s, f in session.feeds.items()
                 if self._feeds_saved.get(s) != (f, f.position) or self._feeds_saved[s][0] is not f}
        feed_rows = [self._feed_rows.row(session, s, f) for s, f in feeds.items()]
        gone = [s for s in self._feeds_saved if s not in session.feeds]
        hist, hist_saved = self._history_rows(session)
        live = live_row(session)
        cp = self._due_checkpoint(session)
        plan: list[Any] = []

        def write(db: sqlite3.Connection) -> None:
            for j, rows in new.items():
                db.executemany(INSERT[j], [ROW[j](r) for r in rows])
            write_entities(db, ex, ch)
            if feed_rows:
                db.executemany(UPSERT_FEED, feed_rows)
            for s in gone:
                db.execute("DELETE FROM feeds WHERE symbol = ?", (s,))
            plan.append(self._prices.write(db, session.prices))
            if hist:
                db.executemany("INSERT OR REPLACE INTO history VALUES (?,?,?,?,?)", hist)
            db.execute("UPDATE state SET json = ? WHERE id = 1", (live,))
            if cp is not None:
                self._checkpoints_written += 1
                checkpoints.write_checkpoint(db, cp, thin=self._checkpoints_written % checkpoints.THIN_EVERY == 0)

        try:
            self._tx(write, "save the account", durable=bool(new.get("ledger") or new.get("fills")))
        except BaseException:
            self._unsaved = events  # kept for the next call (a retry once the disk has room)
            raise
        for j, rows in new.items():
            self._journals[j] += len(rows)
        self._changes.commit(ex, ch)
        self._prices.commit(plan[0])
        for s, f in feeds.items():
            self._feeds_saved[s] = (f, f.position)
        for s in gone:
            self._feeds_saved.pop(s, None)
        self._hist_saved.update(hist_saved)
        self._clock_saved = (ex.now_ms, session.ticks)
        if cp is not None:
            self._next_checkpoint_ms = cp.t_ms + checkpoints.EVERY_MS
            self._checkpoint_wall = time.monotonic()

    def _due_checkpoint(self, session: TradingSession) -> SessionCheckpoint | None:
        if session.exchange.now_ms < self._next_checkpoint_ms:
            return None
        if time.monotonic() - self._checkpoint_wall < checkpoints.MIN_WALL_S:
            return None
        return checkpoints.take_session_checkpoint(session)

    def note_undone(self, records: list[dict[str, Any]]) -> None:
        """Stretches a rewind undid: written with the next save of the rewound session, in its transaction."""
        self._pending_undone.extend(records)

    def journal_notes(self) -> dict[str, str]:
        """The trader's Journal notes ("SYMBOL@opened_ms" → text, see :mod:`terminal.store.notes`)."""
        return read_notes(self.db)

    def save_journal_note(self, key: str, note: str) -> None:
        self._tx(lambda db: write_note(db, key, note), "save a journal note", durable=False)

    def undone(self) -> list[dict[str, Any]]:
        """The stretches rewinds undid on this account, oldest first (see :mod:`terminal.store.undone`)."""
        return read_undone(self.db)

    def _write_all(self, session: TradingSession, *, fresh: bool = False) -> None:
        """Replace everything stored with ``session`` (a rewind, or a session made elsewhere); what rewinds undid is
        kept (and the stretches just undone are added), unless the account starts afresh (``fresh``: a reset)."""
        ex = session.exchange
        live = live_row(session)
        feed_rows = [self._feed_rows.row(session, s, f) for s, f in session.feeds.items()]
        self._hist_base, self._hist_saved = {}, {}
        hist, hist_saved = self._history_rows(session)
        self._prices.forget()
        plan: list[Any] = []

        def write(db: sqlite3.Connection) -> None:
            replace_all(db, ex, feed_rows, hist, live)
            plan.append(self._prices.write(db, session.prices))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('name', ?)", (self.name,))
            if fresh:
                db.execute("DELETE FROM undone")
                db.execute("DELETE FROM meta WHERE key = ?", (NOTES_KEY,))
            write_undone(db, undone)

        undone = [] if fresh else list(self._pending_undone)
        self._tx(write, "save the account")
        self._pending_undone = []
        self._feeds_saved = {}
        self._track(session)
        self._prices.commit(plan[0])
        self._hist_saved.update(hist_saved)

    # ------------------------------------------------------------------ rewind / branch
    def checkpoint_times(self) -> list[int]:
        """Simulated times (epoch ms) of the stored session checkpoints, oldest first."""
        return checkpoints.checkpoint_times(self.db)

    def checkpoint_at(self, t_ms: int) -> SessionCheckpoint | None:
        """The latest stored session checkpoint at or before ``t_ms``."""
        return checkpoints.checkpoint_at(self.db, t_ms)

    def session_at(self, cp: SessionCheckpoint, catalog: Catalog | None = None) -> TradingSession:
        """A live session as it was at ``cp`` (journals read up to their lengths then); not attached to the store:
        ``record`` it to make it the account's present (which replaces everything stored)."""
        journals = checkpoints.read_journals(self.db, cp.journals)
        return checkpoints.restore_session(cp, catalog or default_catalog(), journals)

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
            session = old.with_fresh_account(wallets)
        self._write_all(session, fresh=True)
        return session


def create_account(data_dir: Path, name: str, wallets_minor: dict[str, int] | None = None) -> None:
    """Create a new account with ``wallets_minor`` (default 1 XBT and 10,000 USDT); an existing name is an error."""
    if db_path(data_dir, name).exists():
        raise StoreError(f"An account named {name!r} already exists.", kind="name")
    store = AccountStore.open(data_dir, name)
    try:
        store.reset(wallets_minor)
    finally:
        store.close()
