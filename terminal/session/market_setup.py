"""Put a simulated order book behind an exchange for a session: fill model, scenario stress and crowd, replay.

Used by ``run`` (:mod:`terminal.session.runner`) and by the GUI's :class:`TradingSession`.
"""
from __future__ import annotations

import math
from typing import Any

from terminal.exchange.engine import Exchange
from terminal.feeds.base import Feed, TickBatch
from terminal.feeds.scenario import ScenarioFeed
from terminal.market.matcher import BookMatcher, install
from terminal.market.spec import MarketSpec
from terminal.market.venue import FillModel, MarketSim
from terminal.market.views import BookView, TapeView, book_view, tape_view

BOOK_DEPTH_IN_REPORT = 10


def market_of(ex: Exchange) -> MarketSim | None:
    """The simulated market behind ``ex``, if it has one."""
    m = ex.matcher
    return m.market if isinstance(m, BookMatcher) else None


def attach_market(ex: Exchange, *, seed: int, fill_model: FillModel = "realistic",
                  spec: MarketSpec | None = None) -> MarketSim:
    """The exchange's market (created and put in its fill path on first call)."""
    market = market_of(ex)
    model = spec.fill_model if spec is not None else fill_model
    if market is None:
        market = MarketSim(ex.catalog, seed=seed, fill_model=model)
        install(ex, market)
    else:
        market.set_fill_model(model)
    return market


def configure_feed(market: MarketSim, feed: Feed, spec: MarketSpec | None = None) -> None:
    """What a feed tells the book: a scenario's stressed segments and crowd; a replay is recorded history."""
    symbol = feed.symbol
    crowd_choice = spec.crowd if spec is not None else "scenario"
    if isinstance(feed, ScenarioFeed):
        sc = feed.scenario
        stretches = []
        t0 = float(feed.start_ms)
        for seg in sc.segments:
            t1 = t0 + seg.duration_s * 1000.0
            if seg.stress:
                stretches.append((int(t0), int(t1), float(seg.stress)))
            t0 = t1
        market.set_stress(symbol, stretches)
        if crowd_choice == "scenario":
            market.set_crowd(symbol, sc.crowd)
    else:
        market.set_stress(symbol, [])
        if crowd_choice == "scenario":
            market.set_crowd(symbol, None)
    if not isinstance(crowd_choice, str):
        market.set_crowd(symbol, crowd_choice)
    elif crowd_choice == "none":
        market.set_crowd(symbol, None)
    quotes = getattr(feed, "quotes", None)  # a quote dump (terminal.feeds.quotes): the book stands on its touch
    trades = getattr(feed, "trades", None)  # a trade dump: its trades are the tape
    if quotes is not None:
        market.set_recorded(symbol, quotes=(quotes.t_ms, quotes.bid, quotes.ask, quotes.bid_size, quotes.ask_size))
    elif trades is not None:
        market.set_recorded(symbol, trades=(trades.t_ms, trades.price, trades.size))
    elif symbol in market.recorded:
        market.set_recorded(symbol)


def printed_batch(ex: Exchange, symbol: str, batch: TickBatch) -> TickBatch:
    """``batch`` as the exchange stepped it: with the book's prints as its last prices (charts draw those)."""
    m = ex.matcher
    if isinstance(m, BookMatcher):
        got = m.printed.get(symbol)
        if got is not None and got.t_ms is batch.t_ms:
            return got
    return batch


def books_json(ex: Exchange, depth: int = BOOK_DEPTH_IN_REPORT) -> dict[str, dict[str, list[list[float]]]]:
    """``final.books``: per symbol the top ``depth`` levels a side as ``[[price, size], …]``, best first."""
    market = market_of(ex)
    out: dict[str, dict[str, list[list[float]]]] = {}
    for symbol in sorted(ex.markets):
        m = ex.markets[symbol]
        if not math.isfinite(m.last):
            continue
        inst = ex.catalog[symbol]
        book = market.books.get(symbol) if market is not None else None
        if book is None or market is None or market.ideal:
            bid, ask = ex.matcher.quote(inst)  # the one-level book of the ideal fill model: unlimited depth
            out[symbol] = {"bids": [[bid, float(inst.max_order_qty)]], "asks": [[ask, float(inst.max_order_qty)]]}
            continue
        bids, asks = book.levels(depth, ex.now_ms)
        out[symbol] = {"bids": bids, "asks": asks}
    return out


def market_json(ex: Exchange) -> dict[str, Any]:
    """The fill model and market facts for a report's stats."""
    market = market_of(ex)
    if market is None:
        return {"fill_model": "ideal"}
    return {"fill_model": market.fill_model, "recorded": sorted(market.recorded),
            "crowd": {s: {"liquidated": b.crowd.next_long + b.crowd.next_short,
                           "members": int(b.crowd.long_liq.size + b.crowd.short_liq.size)}
                      for s, b in sorted(market.books.items()) if b.crowd is not None}}


def market_views(ex: Exchange, symbol: str) -> tuple[BookView | None, TapeView | None]:
    """The frame's ``book`` (top 20 levels a side) and ``tape`` (recent prints, candles) of ``symbol``."""
    market = market_of(ex)
    m = ex.markets.get(symbol)
    if market is None or m is None or not math.isfinite(m.last):
        return None, None
    inst = ex.catalog[symbol]
    return (book_view(market, symbol, inst.max_order_qty, m.last, inst.tick_size, inst.tick_decimals, ex.now_ms),
            tape_view(market, symbol))
