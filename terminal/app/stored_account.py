"""A stored account read without its lock (works while a window has it open), as JSON, and a script played into it."""
from __future__ import annotations

from pathlib import Path

from terminal.store.accounts import active_account, check_name, db_path


def read_account(data_dir: Path, name: str | None = None, *, journals: bool = True):  # type: ignore[no-untyped-def]
    """``(name, exchange, db)`` of a stored account, read in one consistent read transaction without the lock
    (works while a window has the account open). ``db`` is an open read-only connection the caller closes, or
    None for an account that does not exist yet (then the exchange is a fresh default account, nothing written)."""
    import json
    import sqlite3

    from terminal.domain.defaults import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR
    from terminal.domain.instruments import default_catalog
    from terminal.store.account_store import AccountStore, read_exchange
    from terminal.store.schema import SCHEMA_VERSION, connect, translate

    data_dir = Path(data_dir)
    name = check_name(name or active_account(data_dir))
    path = db_path(data_dir, name)
    if not path.exists():
        return name, _fresh_exchange(default_catalog(), DEFAULT_START_MS, DEFAULT_WALLETS_MINOR), None
    db = connect(path, read_only=True) if _current(path, SCHEMA_VERSION) else None
    if db is None:  # an older file: upgrade it once (needs the lock), then read
        AccountStore.open(data_dir, name).close()
        db = connect(path, read_only=True)
    try:
        db.execute("BEGIN")
        row = db.execute("SELECT json FROM state WHERE id = 1").fetchone()
        if row is None:
            db.execute("COMMIT")
            db.close()
            return name, _fresh_exchange(default_catalog(), DEFAULT_START_MS, DEFAULT_WALLETS_MINOR), None
        from terminal.store.schema import corrupt

        try:
            ex = read_exchange(db, default_catalog(), json.loads(row[0]), path)
        except (KeyError, TypeError, ValueError) as exc:
            raise corrupt(path, f"the saved state cannot be read: {exc}") from None
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        db.close()
        raise translate(exc, path, "read the account") from None
    except BaseException:
        db.close()
        raise
    return name, ex, db


def _fresh_exchange(catalog, start_ms: int, wallets: dict[str, int]):  # type: ignore[no-untyped-def]
    from terminal.exchange.engine import Exchange

    ex = Exchange(catalog, now_ms=start_ms)
    for cur, amount in sorted(wallets.items()):
        if amount:
            ex.deposit(cur, amount)
    return ex


def _current(path: Path, version: int) -> bool:
    import sqlite3

    from terminal.store.schema import check_file, translate

    check_file(path)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("PRAGMA user_version").fetchone()[0] >= version
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise translate(exc, path, "read the account") from None


def account_views(ex) -> dict:  # type: ignore[no-untyped-def]
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


def account_json(data_dir: Path, name: str | None = None) -> dict:  # type: ignore[type-arg]
    """The stored account as JSON-able data (``leverage-terminal account``); a missing account prints as a fresh
    default one (1 XBT, 10,000 USDT) and nothing is written. Never takes the lock."""
    from terminal.session.runner import clean_json

    name, ex, db = read_account(data_dir, name)
    if db is not None:
        db.close()
    return clean_json({"account": name, **account_views(ex)})


def play_into_store(script, base_dir: Path, data_dir: Path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Play ``script`` into the active stored account and save the result; returns the run report.

    The wallet comes from the store; a new account starts from the script's ``[account]`` at the script's start.
    Afterwards the script's feed becomes the account's price source for its symbol, at the script's end."""
    from terminal.session.playback import new_session_for, play_into_session
    from terminal.store.account_store import PRICE_TAIL_TICKS, AccountStore

    store = AccountStore.open(Path(data_dir))
    try:
        session = store.load_session() if store.has_state() else new_session_for(script)
        report, start = play_into_session(script, session, base_dir, PRICE_TAIL_TICKS)
        ex = session.exchange
        symbol = script.feed.resolved_symbol()
        store._feed_meta[symbol] = (session.feeds[symbol], script.seed, start)
        store.record(session, ex.drain_events())
        return report
    finally:
        store.close()
