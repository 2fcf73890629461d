"""Reading a stored account back into a live session, in O(what the screen needs), never O(the account's age).

The exchange comes from the state row and the entity rows (:func:`terminal.store.state.read_exchange`); each feed
from its stored checkpoint (an account saved before checkpoints existed is found by seeking once, and its checkpoint
is stored at the next frame); the price chart from the stored tail (:mod:`terminal.store.prices`); the equity and
liquidation charts from the last ``capacity`` points of each series.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from terminal.domain.errors import TerminalError
from terminal.domain.instruments import Catalog
from terminal.feeds import feed_from_checkpoint, make_feed
from terminal.feeds.base import UNBOUNDED_MS
from terminal.feeds.checkpoint import FeedCheckpoint
from terminal.feeds.spec import FeedSpec
from terminal.market.venue import FILL_MODELS
from terminal.session.history import RingBuffer
from terminal.session.market_setup import configure_feed
from terminal.session.trading_session import PRICE_HISTORY, TradingSession
from terminal.store.prices import TAIL_POINTS, PriceTail
from terminal.store.state import read_exchange


@dataclass
class Loaded:
    session: TradingSession
    tails: dict[str, int] = field(default_factory=dict)  # symbol -> chunks its stored price tail was in (0: none)
    stale: set[str] = field(default_factory=set)  # feeds stored without a checkpoint (an older account)
    hist_base: dict[str, int] = field(default_factory=dict)  # chart series -> seq of its first point loaded
    hist_saved: dict[str, int] = field(default_factory=dict)  # chart series -> points loaded
    warnings: list[str] = field(default_factory=list)


def read_session(db: sqlite3.Connection, catalog: Catalog, path: Path) -> Loaded:
    """The stored session (inside the caller's read transaction)."""
    st = json.loads(db.execute("SELECT json FROM state WHERE id = 1").fetchone()[0])
    ex = read_exchange(db, catalog, st, path)
    ss = st["session"]
    session = TradingSession(ex, seed=int(ss["seed"]), start_ms=int(ss["start_ms"]))
    session.ticks = int(ss["ticks"])
    session._next_sample = int(ss["next_sample"])
    if ss.get("fill_model") in FILL_MODELS:  # the account's fill model (terminal/market); older accounts: the default
        session.market.set_fill_model(ss["fill_model"])
    out = Loaded(session)
    feed_rows = db.execute(
        "SELECT symbol, spec, seed, start_ms, position, checkpoint FROM feeds ORDER BY rowid").fetchall()
    for sym, spec_js, seed, start, pos, cp_js in feed_rows:
        spec = FeedSpec.model_validate_json(spec_js)
        stored = PriceTail.load(db, sym)
        try:
            if cp_js:
                feed = feed_from_checkpoint(FeedCheckpoint.model_validate_json(cp_js), catalog[sym])
            else:  # an account saved before checkpoints: found by seeking, once
                feed = make_feed(spec, catalog[sym], seed=int(seed), start_ms=int(start))
                if stored is None:
                    tail = min(int(pos), TAIL_POINTS)
                    feed.seek(int(pos) - tail)
                    session._record_prices(sym, feed.read(UNBOUNDED_MS, tail))
                feed.seek(int(pos))
        except TerminalError as exc:  # e.g. a price file that moved: fall back to the synthetic price model
            out.warnings.append(f"{sym}: {exc}; using the synthetic price model instead")
            session.feed_specs[sym] = FeedSpec(kind="synthetic", symbol=sym)
            continue
        session.feed_specs[sym] = spec
        if stored is not None:
            buf = session.prices[sym] = RingBuffer(PRICE_HISTORY, 4)
            buf.extend(stored[0])
            out.tails[sym] = stored[1]
        else:
            out.tails[sym] = 0
        session.feeds[sym] = feed
        configure_feed(session.market, feed)  # the order book learns the source's stress, crowd, recording
        origin = feed.origin
        session.feed_origin[sym] = (origin.seed, origin.start_ms) if origin else (int(seed), int(start))
        if not cp_js:
            out.stale.add(sym)
    cap = session.history.capacity
    for series, top in db.execute("SELECT series, MAX(seq) FROM history GROUP BY series").fetchall():
        rows = db.execute("SELECT t, a, b FROM history WHERE series = ? AND seq > ? ORDER BY seq",
                          (series, top - cap)).fetchall()
        kind, key = series.split(":", 1)
        target = session.history.equity if kind == "equity" else session.history.liquidation
        buf = target[key] = RingBuffer(cap, 3)
        buf.extend(np.array(rows, dtype=np.float64))  # NULL (a NaN) becomes nan
        out.hist_base[series] = top + 1 - len(rows)
        out.hist_saved[series] = len(rows)
    return out
