"""The order service: every trader action answers with a typed acknowledgement and tells its listener once."""
from __future__ import annotations

import dataclasses

import pytest

from terminal.domain.orders import OrderRequest
from terminal.session.order_service import Accepted, OrderService, Rejected
from terminal.session.trading_session import TradingSession

START = 1_709_251_200_000  # 2024-03-01T00:00Z


@pytest.fixture
def service():
    s = TradingSession.new(seed=0, start_ms=START, wallets_minor={"XBT": 100_000_000, "USDT": 10_000_000_000})
    s.ensure_feed("XBTUSD")
    s.advance(START + 1, 1, primary="XBTUSD")
    seen = []
    svc = OrderService(s.exchange, after=seen.append)
    return svc, s.exchange, seen


def test_market_order_is_accepted_with_its_id_and_the_fills_it_caused(service):
    svc, ex, seen = service
    ack = svc.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000))
    assert isinstance(ack, Accepted) and ack.accepted and ack.reason is None
    assert ack.order_id is not None and ack.order_ids == (ack.order_id,)
    assert [f.order_id for f in ack.fills] == [ack.order_id] and sum(f.qty for f in ack.fills) == 1000
    assert ack.filled_price == ex.fills[-1].price
    assert ex.positions["XBTUSD"].qty == 1000
    assert seen == [ack]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ack.order_ids = ()  # type: ignore[misc]


def test_refusal_says_why_and_changes_nothing(service):
    svc, ex, seen = service
    ledger, orders = len(ex.ledger), dict(ex.orders)
    ack = svc.place({"symbol": "XBTUSD", "side": "buy", "qty": 5_000_000, "type": "market"})
    assert isinstance(ack, Rejected) and not ack.accepted
    assert ack.reason.startswith("Insufficient available balance") and ack.order_id is None and ack.fills == ()
    assert len(ex.ledger) == ledger and ex.orders == orders and "XBTUSD" not in ex.positions
    assert seen == [ack]  # a refusal is news too (the screen shows it)


def test_resting_order_amend_cancel_and_cancel_all(service):
    svc, ex, _ = service
    last = ex.markets["XBTUSD"].last
    a = svc.place({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit", "price": round(last - 500)})
    b = svc.place({"symbol": "XBTUSD", "side": "sell", "qty": 100, "type": "limit", "price": round(last + 500)})
    assert a.accepted and b.accepted and a.fills == () and b.fills == ()
    moved = svc.amend(a.order_id, price=round(last - 600))
    assert moved.accepted and moved.order_id == a.order_id and ex.orders[a.order_id].price == round(last - 600)
    assert not svc.amend(999, price=1.0).accepted
    gone = svc.cancel(a.order_id)
    assert gone.accepted and gone.order_id == a.order_id and a.order_id not in ex.orders
    assert svc.cancel(a.order_id).reason == f"No open order {a.order_id} to cancel."
    everything = svc.cancel_all()
    assert everything.accepted and everything.order_ids == (b.order_id,) and not ex.orders
    assert svc.cancel_all().order_ids == ()


def test_close_leverage_mode_and_margin(service):
    svc, ex, _ = service
    assert svc.set_leverage("XBTUSD", 25).accepted and ex.setting("XBTUSD").leverage == 25
    assert "maximum" in (svc.set_leverage("XBTUSD", 1000).reason or "")
    assert svc.place({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"}).accepted
    before = ex.positions["XBTUSD"].added_margin
    assert svc.add_margin("XBTUSD", 10_000).accepted and ex.positions["XBTUSD"].added_margin == before + 10_000
    assert svc.remove_margin("XBTUSD", 10_000).accepted and ex.positions["XBTUSD"].added_margin == before
    assert svc.set_margin_mode("XBTUSD", True).accepted and ex.setting("XBTUSD").cross
    closed = svc.close("XBTUSD")
    assert closed.accepted and closed.fills and ex.positions["XBTUSD"].qty == 0
    assert svc.close("XBTUSD").reason == "You have no XBTUSD position to close."


def test_previews_change_nothing(service):
    svc, ex, seen = service
    assert svc.preview_leverage("XBTUSD", 50) is None  # no position yet
    svc.place({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"})
    n = len(seen)
    pos = ex.positions["XBTUSD"]
    lev = svc.preview_leverage("XBTUSD", 50)
    assert lev is not None and lev.liquidation_price_now == ex.liq_bk("XBTUSD")[0]
    assert lev.liquidation_price > lev.liquidation_price_now  # more leverage: a long is liquidated higher
    m = svc.preview_margin("XBTUSD", 0.01)
    assert m is not None and m.amount_minor == 1_000_000
    assert m.liquidation_if_added < lev.liquidation_price_now < m.liquidation_if_removed
    pv = svc.preview_order("XBTUSD", 1000)
    assert pv.currency == "XBT" and pv.buy.position_after == 2000 and pv.sell.position_after == 0
    assert ex.positions["XBTUSD"] is pos and pos.leverage == 10 and pos.added_margin == 0
    assert len(seen) == n  # previews are not actions


def test_bind_moves_the_service_to_another_exchange(service):
    svc, ex, _ = service
    other = TradingSession.new(seed=1, start_ms=START, wallets_minor={"XBT": 100_000_000})
    other.ensure_feed("XBTUSD")
    other.advance(START + 1, 1, primary="XBTUSD")
    svc.bind(other.exchange)
    assert svc.place({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "market"}).accepted
    assert other.exchange.positions["XBTUSD"].qty == 100 and "XBTUSD" not in ex.positions
