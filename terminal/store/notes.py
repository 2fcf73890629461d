"""The trader's Journal notes, kept in the account file (the ``meta`` table, key ``journal_notes``).

A note belongs to a round trip, named by its symbol and the moment it opened (``"XBTUSD@1709251230000"``): the trip
numbers are rebuilt from the fills and move after a rewind, the opening fill does not. A reset forgets them.
"""
from __future__ import annotations

import json
import sqlite3

KEY = "journal_notes"


def read_notes(db: sqlite3.Connection | None) -> dict[str, str]:
    """The notes stored; none for a file without any (or whose value does not read as notes)."""
    if db is None:
        return {}
    row = db.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    try:
        notes = json.loads(row[0]) if row else {}
    except (TypeError, ValueError):
        return {}
    return {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {}


def write_note(db: sqlite3.Connection, key: str, note: str) -> None:
    """Set (or, empty, remove) one note inside the caller's transaction."""
    notes = read_notes(db)
    if note:
        notes[key] = note
    else:
        notes.pop(key, None)
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (KEY, json.dumps(notes, ensure_ascii=False)))
