"""The price chart's tail, stored: at least the last ``TAIL_POINTS`` points (``t, last, mark, index``) per symbol.

Each saved frame appends one chunk per symbol that moved: a row holding the frame's new points as raw float64
(``numpy.tobytes``, 32 bytes a point), so a frame costs one INSERT whatever its tick count. ``n`` is the running
count of points up to the end of the chunk; every ``TRIM_EVERY`` chunks the ones wholly older than the tail are
deleted. Opening an account reads the chunks back and folds them into one; it never replays a feed for the chart.

Bookkeeping is planned inside the caller's transaction and applied with :meth:`PriceTail.commit` only after it
committed, so a failed save leaves it describing what is on disk.
"""
from __future__ import annotations

import sqlite3

import numpy as np

from terminal.session.history import RingBuffer

TAIL_POINTS = 20_000  # per symbol
TRIM_EVERY = 256  # chunks
COLUMNS = 4

Mark = tuple[RingBuffer, int, int]  # (the session's buffer, its count saved, next chunk number)


def pack(rows: np.ndarray) -> bytes:
    return np.ascontiguousarray(rows, dtype="<f8").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f8").reshape(-1, COLUMNS)


class PriceTail:
    """Which points of each symbol's price buffer are stored."""

    def __init__(self) -> None:
        self._saved: dict[str, Mark] = {}

    @staticmethod
    def load(db: sqlite3.Connection, symbol: str) -> tuple[np.ndarray, int] | None:
        """The stored tail of ``symbol`` and how many chunks hold it (None if nothing is stored)."""
        rows = db.execute("SELECT data FROM prices WHERE symbol = ? ORDER BY seq", (symbol,)).fetchall()
        if not rows:
            return None
        return np.concatenate([unpack(r[0]) for r in rows])[-TAIL_POINTS:], len(rows)

    def track(self, db: sqlite3.Connection | None, symbol: str, buf: RingBuffer) -> None:
        """``buf`` (``symbol``'s price buffer, just filled from :meth:`load` or from the feed) is stored, as one
        chunk (rewritten inside the caller's write transaction when ``db`` is given)."""
        if db is not None:
            db.execute("DELETE FROM prices WHERE symbol = ?", (symbol,))
            db.execute("INSERT INTO prices VALUES (?, 0, ?, ?)", (symbol, buf.count, pack(buf.tail(TAIL_POINTS))))
        self._saved[symbol] = (buf, buf.count, 1)

    def forget(self) -> None:
        self._saved.clear()

    def pending(self, prices: dict[str, RingBuffer]) -> bool:
        saved = self._saved
        for s, b in prices.items():
            m = saved.get(s)
            if m is None or m[0] is not b or m[1] != b.count:
                return True
        return len(saved) != len(prices)

    def write(self, db: sqlite3.Connection, prices: dict[str, RingBuffer]) -> dict[str, Mark | None]:
        """Store each symbol's points added since the last commit; returns the bookkeeping for :meth:`commit`."""
        plan: dict[str, Mark | None] = {}
        for sym, buf in prices.items():
            m = self._saved.get(sym)
            if m is not None and m[0] is buf and m[1] == buf.count:
                continue
            if m is None or m[0] is not buf:  # a new buffer (a new feed, a reset): the symbol's chart starts over
                db.execute("DELETE FROM prices WHERE symbol = ?", (sym,))
                new, seq = len(buf), 0
            else:
                new, seq = buf.count - m[1], m[2]
            rows = buf.tail(min(new, TAIL_POINTS))
            if len(rows):
                db.execute("INSERT INTO prices VALUES (?, ?, ?, ?)", (sym, seq, buf.count, pack(rows)))
                seq += 1
                if seq % TRIM_EVERY == 0 or len(rows) >= TAIL_POINTS // 8:  # big chunks (max speed): trim as they come
                    db.execute("DELETE FROM prices WHERE symbol = ? AND n <= ?", (sym, buf.count - TAIL_POINTS))
            plan[sym] = (buf, buf.count, seq)
        for sym in self._saved:
            if sym not in prices:
                db.execute("DELETE FROM prices WHERE symbol = ?", (sym,))
                plan[sym] = None
        return plan

    def commit(self, plan: dict[str, Mark | None]) -> None:
        for sym, mark in plan.items():
            if mark is None:
                self._saved.pop(sym, None)
            else:
                self._saved[sym] = mark
