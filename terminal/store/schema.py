"""The account database: schema, forward migrations, opening checks, and SQLite errors in words.

One SQLite file per practice account. ``PRAGMA user_version`` is the schema version; ``MIGRATIONS[v]`` takes a
database from version ``v - 1`` to ``v``. A file from a newer version, or one that is not a healthy SQLite database,
is reported with :class:`StoreError` and never changed.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

from terminal.domain.errors import TerminalError

SQLITE_MAGIC = b"SQLite format 3\x00"
_log = logging.getLogger(__name__)


class StoreError(TerminalError):
    """The account store cannot do what was asked; ``kind`` lets the GUI offer the right way out:
    ``newer`` | ``corrupt`` | ``locked`` | ``readonly`` | ``full`` | ``missing`` | ``name`` | ``input`` | ``io``."""

    def __init__(self, message: str, *, kind: str = "io", path: Path | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path
        _log.warning("store error (%s): %s", kind, message)


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run ``;``-separated statements inside the caller's transaction (``executescript`` would commit)."""
    for stmt in sql.split(";"):
        if stmt.strip():
            db.execute(stmt)


def _v1(db: sqlite3.Connection) -> None:
    _script(db, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
        CREATE TABLE ledger (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, kind TEXT NOT NULL,
                             currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, symbol TEXT, ref INTEGER,
                             text TEXT NOT NULL DEFAULT '');
        CREATE TABLE fills (fill_id INTEGER PRIMARY KEY, time INTEGER NOT NULL, symbol TEXT NOT NULL,
                            json TEXT NOT NULL);
        CREATE TABLE liquidations (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, symbol TEXT NOT NULL,
                                   json TEXT NOT NULL);
        CREATE TABLE funding (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, symbol TEXT NOT NULL,
                              json TEXT NOT NULL);
        CREATE TABLE orders_history (order_id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, status TEXT NOT NULL,
                                     json TEXT NOT NULL);
        CREATE TABLE history (series TEXT NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL, a REAL, b REAL,
                              PRIMARY KEY (series, seq)) WITHOUT ROWID;
        CREATE TABLE feeds (symbol TEXT PRIMARY KEY, spec TEXT NOT NULL, seed INTEGER NOT NULL,
                            start_ms INTEGER NOT NULL, position INTEGER NOT NULL);
    """)


def _v2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the rejection log, so the GUI's message history survives a restart."""
    _script(db, """
        CREATE TABLE rejections (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, json TEXT NOT NULL);
        CREATE INDEX ledger_time ON ledger (time);
    """)


def _v3(db: sqlite3.Connection) -> None:
    """Version 3 saves what events say changed: live orders, positions and settings get a row each (the state row
    keeps only the small live part: clock, markets, wallets, counters); feeds keep a checkpoint (resume in O(1));
    the price chart's tail is stored (``prices``: float64 chunks ``t, last, mark, index``) instead of replayed;
    ``checkpoints`` keeps engine + feed checkpoints for rewinding. The old state row is split, nothing is lost."""
    import json

    _script(db, """
        CREATE TABLE orders (order_id INTEGER PRIMARY KEY, json TEXT NOT NULL);
        CREATE TABLE positions (symbol TEXT PRIMARY KEY, json TEXT NOT NULL);
        CREATE TABLE settings (symbol TEXT PRIMARY KEY, json TEXT NOT NULL);
        ALTER TABLE feeds ADD COLUMN checkpoint TEXT;
        CREATE TABLE prices (symbol TEXT NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
                             PRIMARY KEY (symbol, seq)) WITHOUT ROWID;
        CREATE TABLE checkpoints (t_ms INTEGER PRIMARY KEY, json TEXT NOT NULL)
    """)
    row = db.execute("SELECT json FROM state WHERE id = 1").fetchone()
    if row is None:
        return
    try:
        st = json.loads(row[0])
    except ValueError:
        return  # a damaged state row stays as it is: opening the account reports it
    if not isinstance(st, dict) or not {"orders", "positions", "settings"} <= st.keys():
        return
    dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode
    db.executemany("INSERT INTO orders VALUES (?, ?)", [(int(o["id"]), dumps(o)) for o in st.pop("orders")])
    db.executemany("INSERT INTO positions VALUES (?, ?)", [(s, dumps(p)) for s, p in st.pop("positions").items()])
    db.executemany("INSERT INTO settings VALUES (?, ?)", [(s, dumps(v)) for s, v in st.pop("settings").items()])
    st["format"] = 2
    db.execute("UPDATE state SET json = ? WHERE id = 1", (dumps(st),))


def _v4(db: sqlite3.Connection) -> None:
    """Version 4 keeps what a rewind undid (``undone``): a rewind replaces the account's present, not its past."""
    from terminal.store.undone import CREATE

    db.execute(CREATE)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 2: _v2, 3: _v3, 4: _v4}
SCHEMA_VERSION = max(MIGRATIONS)


def translate(exc: BaseException, path: Path, doing: str = "save the account") -> StoreError:
    """An SQLite / OS error as one sentence a trader can act on."""
    msg = str(exc).lower()
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in msg or (isinstance(exc, OSError) and exc.errno == 28):
        return StoreError(f"The disk is full: could not {doing} in {path}. Free some space; the account keeps its "
                          "last saved state.", kind="full", path=path)
    if "readonly" in msg or "read-only" in msg or isinstance(exc, PermissionError):
        return StoreError(f"The account file {path} is read-only: could not {doing}. Make it writable or choose "
                          "another data folder.", kind="readonly", path=path)
    if "locked" in msg or "busy" in msg:
        return StoreError(f"The account file {path} is locked by another program: could not {doing}. "
                          "Close the other program and try again.", kind="locked", path=path)
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return corrupt(path, str(exc))
    return StoreError(f"Could not {doing} in {path}: {exc}", kind="io", path=path)


def corrupt(path: Path, detail: str) -> StoreError:
    return StoreError(f"The account file {path} is damaged ({detail}). It has not been changed: you can keep a copy "
                      "of it and start this account fresh.", kind="corrupt", path=path)


def newer(path: Path, version: int) -> StoreError:
    return StoreError(f"The account file {path} was written by a newer Leverage Terminal (schema {version}; this "
                      f"version understands up to {SCHEMA_VERSION}). It has not been changed: update Leverage "
                      "Terminal to open it.", kind="newer", path=path)


def is_read_only(path: Path) -> bool:
    """The file (or its folder, for the WAL files) cannot be written — the write bits count even for root."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return True
    parent = path.parent
    return not os.access(parent, os.W_OK) or not parent.stat().st_mode & stat.S_IWUSR


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLite touches it."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise translate(exc, path, "read the account") from None
    if head and head != SQLITE_MAGIC:
        raise corrupt(path, "not an SQLite database")


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open ``path`` (checked, version-tested, migrated unless ``read_only``); the caller owns the connection."""
    check_file(path)
    try:
        if read_only:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=5.0)
        else:
            db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    except sqlite3.Error as exc:
        raise translate(exc, path, "open the account") from None
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise newer(path, version)
        if version:
            row = db.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise corrupt(path, f"integrity check: {row[0] if row else 'no answer'}")
        if read_only:
            if version < SCHEMA_VERSION:
                raise StoreError(f"The account file {path} needs upgrading; open it in Leverage Terminal first.",
                                 kind="io", path=path)
            return db
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        migrate(db, version)
    except StoreError:
        db.close()
        raise
    except sqlite3.Error as exc:
        db.close()
        raise translate(exc, path, "open the account") from None
    return db


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Apply every migration after ``version``, each in its own transaction with the version bump."""
    for v in range(version + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[v](db)
            db.execute(f"PRAGMA user_version = {v}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
