"""Named practice accounts in a data folder: names, files, the active account, and the one-window lock.

Layout::

    DATA_DIR/active.txt                  the active account's name (default "practice")
    DATA_DIR/accounts/<name>.sqlite      one SQLite database per account (+ -wal / -shm while open)
    DATA_DIR/accounts/<name>.lock        flock()ed while a window has the account open

The lock is an advisory ``fcntl.flock`` on a separate file: the OS drops it when the process dies (even by
SIGKILL), so a crashed window never leaves the account stuck.
"""
from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

from terminal.store.schema import StoreError

DEFAULT_ACCOUNT = "practice"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_-]$|^[A-Za-z0-9]$")
SUFFIX = ".sqlite"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name) or ".." in name or ".corrupt-" in name:
        raise StoreError(f"{name!r} is not a valid account name: use 1-64 letters, digits, spaces, '.', '_' or '-', "
                         "starting with a letter or digit.", kind="name")
    return name


def accounts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "accounts"


def db_path(data_dir: Path, name: str) -> Path:
    return accounts_dir(data_dir) / (check_name(name) + SUFFIX)


def lock_path(data_dir: Path, name: str) -> Path:
    return accounts_dir(data_dir) / (check_name(name) + ".lock")


def list_accounts(data_dir: Path) -> list[str]:
    """Names of the accounts stored in ``data_dir`` (sorted; quarantined copies are not accounts)."""
    d = accounts_dir(data_dir)
    if not d.is_dir():
        return []
    names = []
    for p in d.glob("*" + SUFFIX):
        name = p.name[: -len(SUFFIX)]
        if NAME_RE.match(name) and ".corrupt-" not in name:
            names.append(name)
    return sorted(names)


def active_account(data_dir: Path) -> str:
    """The account a window opens by default: ``active.txt`` if it names a valid account, else "practice"."""
    try:
        name = (Path(data_dir) / "active.txt").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return DEFAULT_ACCOUNT
    return name if NAME_RE.match(name) and ".." not in name else DEFAULT_ACCOUNT


def _write_active(data_dir: Path, name: str) -> None:
    data_dir = Path(data_dir)
    tmp = data_dir / "active.txt.tmp"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, data_dir / "active.txt")
    except OSError as exc:
        from terminal.store.schema import translate

        raise translate(exc, data_dir / "active.txt", "remember the active account") from None


def set_active_account(data_dir: Path, name: str) -> None:
    """Make ``name`` (an existing account) the one a window opens by default."""
    if not db_path(data_dir, name).exists():
        raise StoreError(f"There is no account named {name!r} in {data_dir}.", kind="missing")
    _write_active(data_dir, name)


def create_account(data_dir: Path, name: str, wallets_minor: dict[str, int] | None = None) -> None:
    """Create a new account with ``wallets_minor`` (default 1 XBT and 10,000 USDT); an existing name is an error."""
    from terminal.store.account_store import AccountStore

    if db_path(data_dir, name).exists():
        raise StoreError(f"An account named {name!r} already exists.", kind="name")
    store = AccountStore.open(data_dir, name)
    try:
        store.reset(wallets_minor)
    finally:
        store.close()


def delete_account(data_dir: Path, name: str) -> None:
    """Delete the account's file (refused while a window has it open). The active account falls back to another."""
    path = db_path(data_dir, name)
    if not path.exists():
        raise StoreError(f"There is no account named {name!r} in {data_dir}.", kind="missing")
    lock = AccountLock.acquire(data_dir, name)
    try:
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                from terminal.store.schema import translate

                raise translate(exc, p, "delete the account") from None
    finally:
        lock.release()
    try:
        lock_path(data_dir, name).unlink()
    except OSError:
        pass
    if active_account(data_dir) == name:
        rest = list_accounts(data_dir)
        _write_active(data_dir, rest[0] if rest else DEFAULT_ACCOUNT)


class AccountLock:
    """An exclusive, non-blocking flock on ``<name>.lock``, held while a window has the account open."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, data_dir: Path, name: str) -> AccountLock:
        path = lock_path(data_dir, name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            from terminal.store.schema import translate

            raise translate(exc, path.parent, "open the account") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreError(f"The account {name!r} is open in another Leverage Terminal window; close that window "
                             "first or choose another account.", kind="locked", path=path) from None
        return cls(fd, path)

    def release(self) -> None:
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None


# ------------------------------------------------------------------ reading without the lock
def read_account(data_dir: Path, name: str | None = None, *, journals: bool = True):  # type: ignore[no-untyped-def]
    """``(name, exchange, db)`` of a stored account, read in one consistent read transaction without the lock
    (works while a window has the account open). ``db`` is an open read-only connection the caller closes, or
    None for an account that does not exist yet (then the exchange is a fresh default account, nothing written)."""
    import json
    import sqlite3

    from terminal.domain.instruments import default_catalog
    from terminal.store.account_store import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR, AccountStore, read_exchange
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
    from terminal.session.runner import iso
    from terminal.exchange.snapshot import positions_json, take_snapshot, wallets_json

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
