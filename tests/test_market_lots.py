"""Every fill out of the book is whole lots (QA: a market order cut by price protection filled 9,125,007 XBTUSD —
lot 100 — and the position could then be closed by no order, since every order must be whole lots)."""
from __future__ import annotations

import numpy as np
import pytest

from terminal.domain.instruments import default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds import ArrayFeed, SyntheticFeed, TickBatch
from terminal.market.matcher import install
from terminal.market.venue import MarketSim

CAT = default_catalog()
START = 1_709_251_200_000


def exchange(symbol: str, model: str, feed: ArrayFeed | SyntheticFeed | None = None) -> tuple[Exchange, MarketSim,
                                                                                                 ArrayFeed | SyntheticFeed]:
    ex = Exchange(CAT, EngineConfig(), now_ms=START)
    ex.deposit("XBT", 1000 * 10**8)
    ex.deposit("USDT", 10**15)
    mk = MarketSim(CAT, seed=1, fill_model=model)  # type: ignore[arg-type]
    install(ex, mk)
    feed = feed or SyntheticFeed(CAT[symbol], seed=1, start_ms=START)
    ex.step(symbol, feed.read(1 << 62, 600))
    return ex, mk, feed


@pytest.mark.parametrize(("symbol", "model"), [("XBTUSD", "stressed"), ("SHIBUSD", "realistic"),
                                               ("XBTUSDT", "stressed"), ("ETHUSDT", "stressed")])
def test_a_market_order_cut_by_price_protection_fills_whole_lots_and_the_position_closes(symbol: str,
                                                                                        model: str) -> None:
    inst = CAT[symbol]
    ex, _, _ = exchange(symbol, model)
    ex.set_leverage(symbol, 1)
    qty = inst.max_order_qty // inst.lot_size * inst.lot_size
    ack = ex.place_order({"symbol": symbol, "side": "buy", "qty": qty, "type": "market"})
    assert ack.accepted, ack.reason
    (fill,) = ex.fills
    assert 0 < fill.qty < qty  # the 5 % band cut it
    assert fill.qty % inst.lot_size == 0
    held = ex.positions[symbol].qty
    assert held == fill.qty
    for _ in range(20):  # closing walks the bids, cut by the band too: whole lots each time, until flat
        pos = ex.positions.get(symbol)
        if pos is None or pos.qty == 0:
            break
        close = ex.place_order({"symbol": symbol, "side": "sell", "qty": pos.qty, "type": "market",
                                "reduce_only": True})
        assert close.accepted, close.reason
        assert all(f.qty % inst.lot_size == 0 for f in ex.fills)
    pos = ex.positions.get(symbol)
    assert pos is None or pos.qty == 0


def test_a_big_resting_limit_fills_from_its_queue_in_whole_lots() -> None:
    symbol = "XRPUSDT"
    inst = CAT[symbol]
    px = np.full(36_000, 0.6)
    feed = ArrayFeed(inst, TickBatch(START + np.arange(px.size, dtype=np.int64) * 100, px, px.copy(), px.copy(),
                                     np.zeros(px.size)))
    ex, mk, _ = exchange(symbol, "realistic", feed)
    bid = mk.books[symbol].side(-1, -1, 1)
    qty = int(bid.size[0] * 3) // inst.lot_size * inst.lot_size
    ack = ex.place_order({"symbol": symbol, "side": "buy", "qty": qty, "type": "limit",
                          "price": mk.books[symbol].price(int(bid.ticks[0]))})
    assert ack.accepted, ack.reason
    for _ in range(300):
        ex.step(symbol, feed.read(1 << 62, 100))
    parts = [f.qty for f in ex.fills if f.order_id == ack.order_id]
    assert len(parts) > 3  # filled in parts, as the prints reached it
    assert all(q % inst.lot_size == 0 for q in parts)
