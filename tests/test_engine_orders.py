"""Order types, flags and rejections through the real exchange."""
from __future__ import annotations

import pytest

from terminal.exchange.snapshot import take_snapshot
from tests.helpers import batch, exchange, ledger_sums

T0 = 3_600_000


def market_ex(price: float = 50_000.0, **kw):
    ex = exchange(**kw)
    ex.step("XBTUSD", batch([price], t0=T0))
    return ex


def order(ex, **kw):
    req = {"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"}
    req.update(kw)
    return ex.place_order(req)


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"qty": 150}, "not a multiple of XBTUSD's lot size of 100"),
        ({"qty": 0}, "must be positive"),
        ({"qty": -100}, "must be positive"),
        ({"qty": 20_000_000}, "above XBTUSD's maximum of 10,000,000"),
        ({"qty": float("nan")}, "size"),
        ({"qty": 100.5}, "whole number"),
        ({"type": "limit", "price": 50_000.35}, "not on XBTUSD's tick size of 0.1"),  # 0.1 since 2024 (was 0.5)
        ({"type": "limit"}, "needs a limit price"),
        ({"type": "limit", "price": -5}, "positive"),
        ({"type": "limit", "price": 2_000_000}, "above XBTUSD's maximum price"),
        ({"type": "limit", "price": float("inf")}, "finite"),
        ({"type": "stop_market"}, "needs a stop price"),
        ({"type": "stop_market", "stop_price": 49_000}, "buy stop must be above the current mark price"),
        ({"side": "sell", "type": "stop_market", "stop_price": 51_000}, "sell stop must be below"),
        ({"side": "sell", "type": "take_profit_market", "stop_price": 49_000}, "sell take-profit must be above"),
        ({"type": "limit", "price": 50_010, "post_only": True}, "Post-only order would take liquidity"),
        ({"reduce_only": True}, "Reduce-only order would increase your XBTUSD position (you have no position)"),
        ({"qty": 5_000_000}, "Insufficient available balance: need"),
        ({"symbol": "NOPE"}, "Unknown symbol"),
        ({"type": "trailing_stop", "side": "sell"}, "trail offset"),
    ],
)
def test_rejections_say_why_and_leave_the_account_untouched(kw, words):
    ex = market_ex()
    assert ex.set_leverage("XBTUSD", 10).accepted
    before = take_snapshot(ex).to_dict()
    ack = order(ex, **kw)
    assert not ack.accepted
    assert words in ack.reason
    assert take_snapshot(ex).to_dict() == before
    assert ex.rejections[-1]["reason"] == ack.reason


def test_insufficient_balance_names_both_figures():
    ex = market_ex(deposits={"XBT": 1_000_000})
    ack = order(ex, qty=10_000)
    assert "need 0.0203" in ack.reason and "have 0.0100 XBT" in ack.reason


def test_leverage_limits():
    ex = market_ex()
    for lev, words in ((0, "at least 1x"), (101, "above XBTUSD's maximum of 100x"), (float("nan"), "number")):
        ack = ex.set_leverage("XBTUSD", lev)
        assert not ack.accepted and words in ack.reason
    assert ex.set_leverage("XBTUSD", 1).accepted
    assert ex.set_leverage("ADAUSDT", 33.33).accepted
    assert not ex.set_leverage("ADAUSDT", 34).accepted


def test_risk_limit_step_lowers_max_leverage():
    ex = market_ex(deposits={"XBT": 1000 * 10**8})
    assert ex.set_leverage("XBTUSD", 100).accepted
    ack = order(ex, qty=9_000_000)  # 180 XBT at 50,000
    assert ack.accepted
    ack = order(ex, qty=2_500_000)  # +50 XBT → 230 XBT: one step, 66.67x allowed
    assert not ack.accepted and "66.67x allowed" in ack.reason


def test_limit_rests_then_fills_as_maker_when_price_trades_through():
    """The maker pays the current base-tier maker fee, 0.02 % (2023 schedule; the 2019 rebate is a named
    alternative): 10,000 at 49,900 = 100 lots × round(1e10/49,900) = 20,040,100 XBt → fee 4,008 (was a rebate)."""
    ex = market_ex()
    ack = order(ex, type="limit", price=49_900, qty=10_000)
    assert ack.accepted and ex.orders[ack.order_id].status.value == "open"
    assert take_snapshot(ex).wallets["XBT"].order_margin_minor > 0
    ex.step("XBTUSD", batch([49_950, 49_900, 49_899.5], t0=T0 + 100))
    (fill,) = ex.fills
    assert (fill.price, fill.liquidity) == (49_900, "maker")
    assert fill.fee_minor == 4_008
    assert ex.positions["XBTUSD"].qty == 10_000
    assert not ex.orders
    assert ledger_sums(ex)


def test_marketable_limit_takes_at_the_ask_and_pays_taker():
    ex = market_ex()
    order(ex, type="limit", price=50_100, qty=1000)
    (fill,) = ex.fills
    assert fill.price == 50_000.1 and fill.liquidity == "taker" and fill.fee_minor > 0  # ask = last + one 0.1 tick


def test_stop_market_triggers_on_mark_and_fills():
    ex = market_ex()
    order(ex, qty=1000)
    ack = order(ex, side="sell", type="stop_market", stop_price=49_000, qty=1000, close_on_trigger=True)
    assert ack.accepted and ex.orders[ack.order_id].status.value == "untriggered"
    ex.step("XBTUSD", batch([49_500, 49_200, 48_999, 48_900], t0=T0 + 100))
    assert ex.positions["XBTUSD"].qty == 0
    assert ex.fills[-1].order_type == "stop_market" and ex.fills[-1].price == 48_998.9  # bid = last − one 0.1 tick


def test_stop_on_last_ignores_a_mark_move():
    ex = market_ex()
    order(ex, qty=1000)
    order(ex, side="sell", type="stop_market", stop_price=49_000, qty=1000, trigger="last", reduce_only=True)
    ex.step("XBTUSD", batch([50_000, 50_000], t0=T0 + 100, mark=[48_000, 48_000]))
    assert ex.positions["XBTUSD"].qty == 1000
    ex.step("XBTUSD", batch([48_900], t0=T0 + 300))
    assert ex.positions["XBTUSD"].qty == 0


def test_stop_limit_becomes_a_resting_limit():
    ex = market_ex()
    ack = order(ex, type="stop_limit", stop_price=50_500, price=50_400, qty=1000)
    ex.step("XBTUSD", batch([50_300, 50_600], t0=T0 + 100))
    o = ex.orders[ack.order_id]
    assert o.triggered and o.status.value == "open"
    ex.step("XBTUSD", batch([50_399], t0=T0 + 300))
    assert ex.positions["XBTUSD"].qty == 1000


def test_take_profit_fires_when_the_price_rises_to_it_for_a_sell():
    ex = market_ex()
    order(ex, qty=1000)
    order(ex, side="sell", type="take_profit_market", stop_price=51_000, qty=1000, reduce_only=True)
    ex.step("XBTUSD", batch([50_500, 51_000], t0=T0 + 100))
    assert ex.positions["XBTUSD"].qty == 0
    assert ex.fills[-1].realised_pnl_minor > 0


def test_trailing_stop_follows_the_market_and_freezes_when_it_turns():
    ex = market_ex()
    order(ex, qty=1000)
    order(ex, side="sell", type="trailing_stop", trail_offset=500, qty=1000, reduce_only=True)
    ex.step("XBTUSD", batch([50_400, 51_000, 51_200, 50_900, 50_800], t0=T0 + 100))
    assert ex.positions["XBTUSD"].qty == 1000  # high 51,200 → stop 50,700, not reached
    ex.step("XBTUSD", batch([50_700], t0=T0 + 700))
    assert ex.positions["XBTUSD"].qty == 0


def test_reduce_only_is_clipped_and_resting_ones_shrink_or_cancel():
    ex = market_ex()
    order(ex, qty=2000)
    a = order(ex, side="sell", type="limit", price=51_000, qty=1500, reduce_only=True)
    b = order(ex, side="sell", type="limit", price=52_000, qty=1500, reduce_only=True)
    assert a.accepted and b.accepted
    order(ex, side="sell", qty=1000)  # position 1,000 now
    assert ex.orders[a.order_id].leaves_qty == 1000 and ex.orders[b.order_id].leaves_qty == 1000
    ex.step("XBTUSD", batch([51_000.5], t0=T0 + 100))
    assert ex.positions["XBTUSD"].qty == 0
    assert b.order_id not in ex.orders  # its position is gone


def test_ioc_and_fok_limits_that_cannot_fill_are_cancelled_not_rested():
    """They say so (issue 11), never "order placed": the ack is not accepted and carries the reason."""
    ex = market_ex()
    for tif in ("IOC", "FOK"):
        ack = order(ex, type="limit", price=49_000, time_in_force=tif)
        assert not ack.accepted and ack.order_id not in ex.orders
        assert "cancelled: nothing could fill at once" in ack.reason
    assert not ex.fills


def test_cancel_amend_and_cancel_all():
    ex = market_ex()
    a = order(ex, type="limit", price=49_000, ref="dip")
    b = order(ex, type="limit", price=48_000)
    assert ex.amend_order(a.order_id, price=49_500).accepted and ex.orders[a.order_id].price == 49_500
    assert not ex.amend_order(a.order_id, price=49_500.25).accepted  # off the 0.1 tick
    assert ex.cancel_order("dip").accepted and a.order_id not in ex.orders
    assert not ex.cancel_order(999).accepted
    assert ex.cancel_all() == 1 and b.order_id not in ex.orders


def test_amend_through_the_market_fills():
    ex = market_ex()
    a = order(ex, type="limit", price=49_000)
    assert ex.amend_order(a.order_id, price=50_500).accepted
    assert ex.positions["XBTUSD"].qty == 1000


def test_market_sell_when_the_best_bid_would_be_zero_is_rejected_with_a_reason():
    """Last at one tick (0.1): the bid is last − one tick = 0. A market sell is refused with a reason, not a
    ZeroDivisionError or a fill at 0 (issue 11)."""
    ex = market_ex(price=0.1)
    before = take_snapshot(ex).to_dict()
    ack = order(ex, side="sell", qty=100)
    assert not ack.accepted and "best bid would be at or below zero" in ack.reason
    assert take_snapshot(ex).to_dict() == before
    assert ex.preview("XBTUSD", 100).sell.price == 0.1  # the form shows one tick, no division by zero


def test_a_stop_market_sell_triggered_with_no_bid_is_cancelled_with_the_reason():
    """The same case reached by a stop: the mark falls to the stop while last sits at one tick (bid 0). At 1x the
    long's liquidation is 50,000/1.995 = 25,062.7, below the 39,000 mark: only the stop fires."""
    ex = market_ex()
    assert ex.set_leverage("XBTUSD", 1).accepted
    order(ex, qty=1000)
    ack = order(ex, side="sell", type="stop_market", stop_price=40_000, qty=1000, reduce_only=True)
    assert ack.accepted
    ex.step("XBTUSD", batch([0.1], t0=T0 + 100, mark=[39_000.0]))
    assert ack.order_id not in ex.orders and ex.positions["XBTUSD"].qty == 1000
    assert "best bid is at or below zero" in ex.rejections[-1]["reason"]
