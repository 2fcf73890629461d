"""A stored account read without its lock (works while a window has it open), as JSON, and a script played into it."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from terminal.store.accounts import active_account, check_name, db_path

if TYPE_CHECKING:
    import sqlite3

    from terminal.domain.instruments import Catalog
    from terminal.exchange.engine import Exchange
    from terminal.session.script import Script


def read_account(data_dir: Path, name: str | None = None, *,
                 journals: bool = True) -> tuple[str, Exchange, sqlite3.Connection | None]:
    """``(name, exchange, db)`` of a stored account, read in one consistent read transaction without the lock
    (works while a window has the account open). ``db`` is an open read-only connection the caller closes, or
    None for an account that does not exist yet (then the exchange is a fresh default account, nothing written)."""
    import json
    import sqlite3

    from terminal.domain.defaults import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR
    from terminal.domain.instruments import default_catalog
    from terminal.store.schema import corrupt, translate
    from terminal.store.state import read_exchange

    data_dir = Path(data_dir)
    name = check_name(name or active_account(data_dir))
    path = db_path(data_dir, name)
    if not path.exists():
        return name, _fresh_exchange(default_catalog(), DEFAULT_START_MS, DEFAULT_WALLETS_MINOR), None
    db = open_read_only(path)
    try:
        db.execute("BEGIN")
        row = db.execute("SELECT json FROM state WHERE id = 1").fetchone()
        if row is None:
            db.execute("COMMIT")
            db.close()
            return name, _fresh_exchange(default_catalog(), DEFAULT_START_MS, DEFAULT_WALLETS_MINOR), None
        try:
            state = json.loads(row[0])
            if not isinstance(state, dict):
                raise TypeError(f"expected an object, found {type(state).__name__}")
            ex = read_exchange(db, default_catalog(), state, path)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            raise corrupt(path, f"the saved state cannot be read: {type(exc).__name__}: {exc}") from None
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        db.close()
        raise translate(exc, path, "read the account") from None
    except BaseException:
        db.close()
        raise
    return name, ex, db


def _fresh_exchange(catalog: Catalog, start_ms: int, wallets: dict[str, int]) -> Exchange:
    from terminal.exchange.engine import Exchange

    ex = Exchange(catalog, now_ms=start_ms)
    for cur, amount in sorted(wallets.items()):
        if amount:
            ex.deposit(cur, amount)
    return ex


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an account file that never writes to it or beside it: an older schema is
    upgraded in a copy in memory; a file no window has open (or on a read-only filesystem) is read as immutable.
    A zero-byte file is damaged — SQLite would happily make an empty database of it."""
    import os
    import sqlite3
    from urllib.parse import quote

    from terminal.store.schema import SCHEMA_VERSION, check_file, corrupt, migrate, newer, translate

    check_file(path)
    try:
        if path.stat().st_size == 0:
            raise corrupt(path, "the file is empty (0 bytes)")
    except OSError as exc:
        raise translate(exc, path, "read the account") from None
    uri = f"file:{quote(str(path))}?mode=ro"
    live = path.with_name(path.name + "-wal").exists() or path.with_name(path.name + "-shm").exists()
    if not live or not os.access(path.parent, os.W_OK):
        # nobody has the file open (a window keeps its -wal while it runs), or it sits on a read-only mount:
        # read it as it is, without SQLite's -wal / -shm side files (a read-only reader cannot remove them)
        uri += "&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            db.close()
            raise newer(path, version)
        row = db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            db.close()
            raise corrupt(path, f"integrity check: {row[0] if row else 'no answer'}")
        if version < SCHEMA_VERSION:  # an older file: upgrade a copy in memory, leave the file as it is
            mem = sqlite3.connect(":memory:", isolation_level=None)
            db.backup(mem)
            db.close()
            migrate(mem, version)
            db = mem
    except sqlite3.Error as exc:
        raise translate(exc, path, "read the account") from None
    return db


def account_views(ex: Exchange) -> dict[str, Any]:
    """wallets / positions / open_orders / ledger of an exchange, as plain JSON-able dicts."""
    from terminal.exchange.snapshot import positions_json, take_snapshot, wallets_json
    from terminal.session.runner import iso

    snap = take_snapshot(ex)
    wallets = wallets_json(snap)
    positions = positions_json(snap)
    ledger = [{"time": iso(r.time), "time_ms": r.time, "kind": r.kind, "currency": r.currency,
               "amount_minor": r.amount_minor, "symbol": r.symbol, "ref": r.ref, "text": r.text} for r in ex.ledger]
    return {"time": iso(ex.now_ms), "time_ms": ex.now_ms, "wallets": wallets, "positions": positions,
            "open_orders": [dict(o.__dict__) for o in snap.orders], "ledger": ledger}


def account_json(data_dir: Path, name: str | None = None) -> dict[str, Any]:
    """The stored account as JSON-able data (``leverage-terminal account``, which refuses a missing account
    before asking; here it reads as a fresh default one: 1 XBT, 10,000 USDT). Never takes the lock, never writes."""
    from terminal.session.runner import clean_json

    name, ex, db = read_account(data_dir, name)
    if db is not None:
        db.close()
    doc: dict[str, Any] = clean_json({"account": name, **account_views(ex)})
    return doc


def play_into_store(script: Script, base_dir: Path, data_dir: Path) -> dict[str, Any]:
    """Play ``script`` into the active stored account and save the result; returns the run report.

    The wallet comes from the store; a new account starts from the script's ``[account]`` at the script's start.
    Afterwards the script's feed becomes the account's price source for its symbol, at the script's end."""
    from terminal.session.playback import new_session_for, play_into_session
    from terminal.store.account_store import PRICE_TAIL_TICKS, AccountStore

    store = AccountStore.open(Path(data_dir))
    try:
        session = store.load_session() if store.has_state() else new_session_for(script)
        report, _ = play_into_session(script, session, base_dir, PRICE_TAIL_TICKS)
        store.record(session, session.exchange.drain_events())
        return report
    finally:
        store.close()
