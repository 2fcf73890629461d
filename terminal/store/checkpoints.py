"""Session checkpoints: the engine and every feed at one moment, small enough to keep many per account.

A :class:`SessionCheckpoint` is the exchange's state without its journals (:func:`export_exchange`), the journals'
lengths at that moment (they are append-only, so the rows up to those lengths *are* the journals then), the session
counters, and one :class:`~terminal.feeds.checkpoint.FeedCheckpoint` per feed. ``restore_session`` rebuilds a
:class:`TradingSession` from it that goes on exactly as the original did from that moment (same ticks, same fills
for the same actions).

The account store writes one every ``EVERY_MS`` of simulated time (at most one per ``MIN_WALL_S`` of wall time, so
fast-forwarding stays cheap) in the same transaction as the frame, and thins those older than ``DENSE_MS`` to one per
hour. Rewind / branch ("go to any moment"): take the latest checkpoint at or before the moment
(``AccountStore.checkpoint_at(t_ms)``), ``AccountStore.session_at(checkpoint)``, then ``session.advance(t_ms)``.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from terminal.domain.instruments import Catalog
from terminal.feeds import feed_from_checkpoint
from terminal.feeds.checkpoint import FeedCheckpoint
from terminal.market.book_state import MarketSnapshot
from terminal.market.book_state import restore as restore_market
from terminal.market.book_state import snapshot as market_snapshot
from terminal.market.matcher import install as install_market
from terminal.session.trading_session import TradingSession
from terminal.store.state import (
    export_exchange,
    import_exchange,
    ledger_from_row,
    load_fill,
    load_funding,
    load_liquidation,
)

EVERY_MS = 60_000  # simulated time between checkpoints
MIN_WALL_S = 2.0  # at most one checkpoint per this much wall time
DENSE_MS = 86_400_000  # older than this (simulated): one checkpoint per hour is kept
THIN_EVERY = 64  # checkpoints written between thinnings
JOURNALS = ("ledger", "fills", "liquidations", "funding", "rejections")


@dataclass(frozen=True)
class SessionCheckpoint:
    t_ms: int
    exchange: dict[str, Any]  # export_exchange(): everything but the journals
    journals: dict[str, int]  # journal lengths at t_ms
    session: dict[str, int]  # seed, start_ms, ticks, next_sample
    feeds: dict[str, FeedCheckpoint] = field(default_factory=dict)
    #: the order book's state and settings (in memory only: a stored checkpoint rebuilds the books from the seed)
    market: MarketSnapshot | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> str:
        return json.dumps({"t_ms": self.t_ms, "exchange": self.exchange, "journals": self.journals,
                           "session": self.session, "feeds": {s: c.model_dump(mode="json") for s, c in
                                                              self.feeds.items()}},
                          separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, text: str) -> SessionCheckpoint:
        d = json.loads(text)
        return cls(int(d["t_ms"]), d["exchange"], {k: int(v) for k, v in d["journals"].items()},
                   {k: int(v) for k, v in d["session"].items()},
                   {s: FeedCheckpoint.model_validate(c) for s, c in d["feeds"].items()})


def take_session_checkpoint(session: TradingSession) -> SessionCheckpoint:
    """The session now (O(live orders + positions + feeds), independent of the account's age)."""
    ex = session.exchange
    feeds = {}
    for sym, feed in session.feeds.items():
        if feed.origin is not None:
            feeds[sym] = feed.checkpoint()
    return SessionCheckpoint(
        ex.now_ms, export_exchange(ex), {j: len(getattr(ex, j)) for j in JOURNALS},
        {"seed": session.seed, "start_ms": session.start_ms, "ticks": session.ticks,
         "next_sample": session._next_sample}, feeds,
        market_snapshot(session.market) if getattr(session, "market", None) is not None else None)


def restore_session(cp: SessionCheckpoint, catalog: Catalog, journals: dict[str, list[Any]], *,
                    own_market: bool = False) -> TradingSession:
    """A live session at ``cp`` (``journals``: at least the first ``cp.journals[j]`` rows of each journal). An
    in-memory checkpoint brings its market back as it stood — the same objects (a rewind), or with ``own_market`` an
    independent copy (a what-if beside the live session)."""
    kept = {j: list(journals.get(j, []))[: cp.journals.get(j, 0)] for j in JOURNALS}
    ex = import_exchange(catalog, cp.exchange, ledger=kept["ledger"], fills=kept["fills"],
                         liquidations=kept["liquidations"], funding=kept["funding"], rejections=kept["rejections"])
    s = cp.session
    session = TradingSession(ex, seed=s["seed"], start_ms=s["start_ms"])
    session.ticks, session._next_sample = s["ticks"], s["next_sample"]
    for sym, fc in cp.feeds.items():
        feed = feed_from_checkpoint(fc, catalog[sym])
        session.feeds[sym] = feed
        session.feed_specs[sym] = fc.spec
        session.feed_origin[sym] = (fc.seed, fc.start_ms)
    if cp.market is not None:
        session.market = restore_market(cp.market, own_copy=own_market)
        install_market(ex, session.market)
    return session


def read_journals(db: sqlite3.Connection, lengths: dict[str, int]) -> dict[str, list[Any]]:
    """The first ``lengths[j]`` rows of each stored journal."""
    def rows(sql: str, n: int) -> list[Any]:
        return db.execute(sql + " LIMIT ?", (n,)).fetchall()

    return {
        "ledger": [ledger_from_row(r) for r in rows(
            "SELECT time, kind, currency, amount_minor, symbol, ref, text FROM ledger ORDER BY seq",
            lengths.get("ledger", 0))],
        "fills": [load_fill(r[0]) for r in rows("SELECT json FROM fills ORDER BY fill_id", lengths.get("fills", 0))],
        "liquidations": [load_liquidation(r[0]) for r in rows("SELECT json FROM liquidations ORDER BY seq",
                                                              lengths.get("liquidations", 0))],
        "funding": [load_funding(r[0]) for r in rows("SELECT json FROM funding ORDER BY seq",
                                                     lengths.get("funding", 0))],
        "rejections": [json.loads(r[0]) for r in rows("SELECT json FROM rejections ORDER BY seq",
                                                      lengths.get("rejections", 0))],
    }


def write_checkpoint(db: sqlite3.Connection, cp: SessionCheckpoint, thin: bool) -> None:
    db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?)", (cp.t_ms, cp.to_json()))
    if thin:  # older than DENSE_MS: keep the first checkpoint of each hour
        cut = cp.t_ms - DENSE_MS
        db.execute("DELETE FROM checkpoints WHERE t_ms < ? AND t_ms NOT IN "
                   "(SELECT MIN(t_ms) FROM checkpoints WHERE t_ms < ? GROUP BY t_ms / 3600000)", (cut, cut))


def checkpoint_at(db: sqlite3.Connection, t_ms: int) -> SessionCheckpoint | None:
    row = db.execute("SELECT json FROM checkpoints WHERE t_ms <= ? ORDER BY t_ms DESC LIMIT 1", (t_ms,)).fetchone()
    return None if row is None else SessionCheckpoint.from_json(row[0])


def checkpoint_times(db: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in db.execute("SELECT t_ms FROM checkpoints ORDER BY t_ms")]
