"""What a rewind undid on a practice account, kept in the account file.

A rewind makes an earlier moment the account's present: the fills, liquidations, funding and ledger rows after it
leave the account's journals. They are the trader's history all the same, so each undone stretch is written — in the
same transaction as the rewound present — as one ``undone`` row (span, actions, journals, journal round trips), and
the report and the Journal dock show them after a restart.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

CREATE = ("CREATE TABLE IF NOT EXISTS undone (seq INTEGER PRIMARY KEY, from_ms INTEGER NOT NULL, "
          "to_ms INTEGER NOT NULL, json TEXT NOT NULL)")


def write_undone(db: sqlite3.Connection, records: list[dict[str, Any]]) -> None:
    """Append ``records`` (``from_ms``, ``to_ms`` and JSON-able journals) inside the caller's transaction."""
    db.executemany("INSERT INTO undone (from_ms, to_ms, json) VALUES (?, ?, ?)",
                   [(int(r["from_ms"]), int(r["to_ms"]), json.dumps(r, separators=(",", ":"), default=str))
                    for r in records])


def read_undone(db: sqlite3.Connection | None) -> list[dict[str, Any]]:
    """The undone stretches stored, oldest first; none for a file from before they were kept. A row that does not
    read as a stretch is skipped (what remains is still the trader's to see)."""
    if db is None:
        return []
    try:
        rows = db.execute("SELECT json FROM undone ORDER BY seq").fetchall()
    except sqlite3.OperationalError:  # no such table: an account file older than schema 4 opened read-only
        return []
    out = []
    for (text,) in rows:
        try:
            rec = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(rec, dict) and isinstance(rec.get("from_ms"), int) and isinstance(rec.get("to_ms"), int):
            out.append(rec)
    return out
