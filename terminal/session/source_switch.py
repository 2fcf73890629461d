"""Switching a symbol's price source mid-session without moving the price under an open position.

``TradingSession.set_feed`` rebuilds the feed from its origin (the synthetic market from the session's start), so
the price after a switch is wherever that path happens to be: a 25x long could gain 83 % for nothing. Here the new
source starts **now, at the current last price** (rebased), the engine is not stepped by the switch, and the price
chart keeps its history. A scenario can also be entered at one of its phases ("replay from phase"): the feed is
built as if the scenario had started ``phase offset`` ago, priced so that the phase begins at the current price,
and read up to now without the engine seeing the skipped ticks.

The feed's origin (spec, seed, start) is recorded as ``ensure_feed`` records it, so a stored account reopens on the
same path. No Qt.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.feeds import make_feed
from terminal.feeds.base import UNBOUNDED_MS
from terminal.feeds.spec import FeedSpec

if TYPE_CHECKING:
    from terminal.session.trading_session import TradingSession

REBASED_KINDS = ("synthetic", "scenario")


def continue_source(session: TradingSession, symbol: str, spec: FeedSpec, *, offset_ms: int = 0,
                    price_factor: float = 1.0) -> FeedSpec:
    """Make ``spec`` the price source of ``symbol`` from now on, continuing from the current last price.

    ``offset_ms``: start the feed that long ago (a scenario entered at a later phase); ``price_factor``: the
    feed's price at ``offset_ms`` relative to its start price (so that point lands on the current price).
    Sources that cannot be rebased (trades, bars: real prices) are switched as ``set_feed`` does. Returns the spec
    in use (with the start price it was given).
    """
    inst = session.catalog[symbol]
    market = session.exchange.markets.get(symbol)
    if spec.kind not in REBASED_KINDS or market is None or not market.last > 0:
        _refuse_under_exposure(session, symbol, spec)
        session.set_feed(symbol, spec)
        return spec
    rebase = spec.price is None or bool(offset_ms)  # else: the source's own start price (a Start over)
    price = float(inst.round_price(market.last / price_factor) if rebase or spec.price is None else spec.price)
    spec = spec.model_copy(update={"price": price, "symbol": symbol})
    seed = session.seed * 1_000_003 + session.catalog.symbols.index(symbol)
    start = session.now_ms - int(offset_ms)
    feed = make_feed(spec, inst, seed=seed, start_ms=start)  # a bad spec raises here: the old source stays
    feed.read(session.now_ms, 1 << 62)  # skip what lies before now; the engine never sees those ticks
    if rebase:  # the path is proportional to its start price: scale it so the tick at now is the current price
        probe = feed.read(UNBOUNDED_MS, 1)
        if len(probe) and probe.last[0] > 0:
            spec = spec.model_copy(update={"price": float(inst.round_price(price * market.last / float(probe.last[0])))})
            feed = make_feed(spec, inst, seed=seed, start_ms=start)
            feed.read(session.now_ms, 1 << 62)
    session.feed_specs[symbol] = spec
    session.feeds[symbol] = feed
    session.feed_origin[symbol] = (seed, start)
    market = getattr(session, "market", None)
    if market is not None:  # the order book learns the new source's stress and crowd (terminal/market)
        from terminal.session.market_setup import configure_feed

        configure_feed(market, feed)
    # the new source's first tick reaches the engine now: an order placed right after the switch (a Start over on a
    # scenario's own price) trades at the new source's price, never at the old one's
    session.advance(session.now_ms + 1, 1, primary=symbol)
    return spec


def _refuse_under_exposure(session: TradingSession, symbol: str, spec: FeedSpec) -> None:
    """Recorded prices (a trade, quote or bar file) start at their own price: switched in under a position or a
    resting order, a 50,000 long would find itself at a 2018 price of 4,000 and be liquidated on the spot."""
    from terminal.domain.errors import InputError

    ex = session.exchange
    pos = ex.positions.get(symbol)
    orders = sum(1 for o in ex.orders.values() if o.symbol == symbol and o.status.is_live)
    has_pos = pos is not None and bool(pos.qty)
    if has_pos or orders:
        what = " and ".join(w for w in ("an open position" if has_pos else "",
                                        f"{orders} open order{'s' if orders != 1 else ''}" if orders else "") if w)
        todo = " and ".join(w for w in ("close the position" if has_pos else "",
                                        "cancel the orders" if orders else "") if w)
        raise InputError(f"{symbol} has {what}: a recorded price file plays at its own prices, not from the current "
                         f"{session.catalog[symbol].format_price(ex.markets[symbol].last)}, and would move the price "
                         f"under {'it' if has_pos + bool(orders) == 1 and (has_pos or orders == 1) else 'them'}. "
                         f"{todo[0].upper() + todo[1:]} first.", path=spec.path)
