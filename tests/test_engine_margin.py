"""Positions and margin through the real exchange: leverage, isolated margin, cross, liquidation, expiry."""
from __future__ import annotations

import pytest

from terminal.domain.calc import calculate
from terminal.domain.instruments import default_catalog
from terminal.exchange.snapshot import take_snapshot
from tests.helpers import batch, exchange, instrument, ledger_sums

T0 = 3_600_000
CAT = default_catalog()


def opened(side="buy", qty=10_000, lev=10.0, price=50_000.0, **kw):
    ex = exchange(spread_ticks=0, **kw)
    ex.step("XBTUSD", batch([price], t0=T0))
    assert ex.set_leverage("XBTUSD", lev).accepted
    assert ex.place_order({"symbol": "XBTUSD", "side": side, "qty": qty, "type": "market"}).accepted
    return ex


def test_position_liquidation_price_equals_calc():
    """MECHANICS §2 worked example: 50,000/1.095 = 45,662.10 → 45,662.2 on the 0.1 tick (was 45,662.5 on 0.5)."""
    ex = opened()
    view = take_snapshot(ex).position("XBTUSD")
    c = calculate(CAT, symbol="XBTUSD", side="buy", qty=10_000, entry=view.entry_price, leverage=10)
    assert view.liquidation_price == c["liquidation_price"] == 45_662.2
    assert view.bankruptcy_price == c["bankruptcy_price"]
    assert view.position_margin_minor == 2_016_500  # IM + close-fee reserve


def test_changing_leverage_reprices_margin_and_liquidation():
    ex = opened()
    avail = take_snapshot(ex).wallets["XBT"].available_balance_minor
    assert ex.set_leverage("XBTUSD", 5).accepted
    view = take_snapshot(ex).position("XBTUSD")
    assert view.liquidation_price == pytest.approx(CAT["XBTUSD"].round_price(50_000 / 1.195, "up"))
    assert take_snapshot(ex).wallets["XBT"].available_balance_minor < avail  # lower leverage draws margin
    assert ex.set_leverage("XBTUSD", 50).accepted
    assert take_snapshot(ex).wallets["XBT"].available_balance_minor > avail


def test_leverage_change_refused_when_balance_is_short():
    ex = opened(deposits={"XBT": 3_000_000})
    before = take_snapshot(ex).to_dict()
    ack = ex.set_leverage("XBTUSD", 1)
    assert not ack.accepted and "Insufficient available balance" in ack.reason
    assert take_snapshot(ex).to_dict() == before


def test_add_and_remove_isolated_margin_moves_liquidation():
    ex = opened()
    liq0 = ex.liq_bk("XBTUSD")[0]
    assert ex.adjust_margin("XBTUSD", 1_000_000).accepted
    liq1 = ex.liq_bk("XBTUSD")[0]
    # inverse long with added margin: q·1e8 / (V + IM + added − MMR·V)
    assert liq1 == CAT["XBTUSD"].round_price(10_000 * 1e8 / (20_000_000 + 2_000_000 + 1_000_000 - 100_000), "up")
    assert liq1 < liq0
    ack = ex.adjust_margin("XBTUSD", -2_000_000)
    assert not ack.accepted and "at most the margin you added" in ack.reason
    assert ex.adjust_margin("XBTUSD", -1_000_000).accepted
    assert ex.liq_bk("XBTUSD")[0] == liq0


def test_one_x_long_and_short_work():
    ex = opened(lev=1, qty=10_000)
    _liq, bk, _ = ex.liq_bk("XBTUSD")
    assert bk == CAT["XBTUSD"].round_price(25_000, "up")
    ex2 = opened(side="sell", lev=1)
    assert ex2.liq_bk("XBTUSD")[1] is None  # a 1x inverse short has no bankruptcy price


def test_switch_to_cross_uses_the_wallet_and_back():
    """Cross at 100x (the switch's default): IM = 200,000, C = ceil(0.00075 × 20,200,000) = 15,150,
    MM = 100,000 + 15,150 = 115,150 (2024 rules: the pool liquidates at MM, the fee reserve fixed, not t × value(P)
    as before). Wallet w = 50,000,000 − 15,000 (taker fee). The lot's value at liquidation:
    (20,000,000 + w − 115,150)/100 = 698,698.5 → 698,698 (long: down) → 1e10/698,698 = 14,312.34 → up → 14,312.4."""
    ex = opened(deposits={"XBT": 50_000_000})
    iso_liq = ex.liq_bk("XBTUSD")[0]
    assert ex.set_margin_mode("XBTUSD", True).accepted
    cross_liq = ex.liq_bk("XBTUSD")[0]
    w = ex.wallets["XBT"].balance  # 0.5 XBT less the taker fee of the opening fill
    assert w == 50_000_000 - 15_000
    assert cross_liq == 14_312.4
    assert cross_liq < iso_liq
    assert ex.set_margin_mode("XBTUSD", False, leverage=10).accepted
    assert ex.liq_bk("XBTUSD")[0] == iso_liq


def test_a_losing_cross_position_moves_the_other_cross_liquidation_price():
    ex = exchange(spread_ticks=0, deposits={"USDT": 10_000_000_000})
    ex.step("XBTUSDT", batch([50_000.0], t0=T0))
    ex.step("ETHUSDT", batch([3_000.0], t0=T0))
    for sym in ("XBTUSDT", "ETHUSDT"):
        assert ex.set_margin_mode(sym, True, leverage=20).accepted
    assert ex.place_order({"symbol": "XBTUSDT", "side": "buy", "qty": 100_000, "type": "market"}).accepted
    assert ex.place_order({"symbol": "ETHUSDT", "side": "buy", "qty": 1_000_000, "type": "market"}).accepted
    eth_liq = ex.liq_bk("ETHUSDT")[0]
    ex.step("XBTUSDT", batch([45_000.0], t0=T0 + 100))  # XBT position loses 500 USDT
    assert ex.liq_bk("ETHUSDT")[0] > eth_liq


def test_liquidation_cancels_only_that_contracts_orders_and_caps_the_loss():
    ex = opened(lev=50, deposits={"XBT": 100_000_000})
    ex.step("ETHUSD", batch([3_000.0], t0=T0))
    keep = ex.place_order({"symbol": "ETHUSD", "side": "buy", "qty": 1, "type": "limit", "price": 2_000})
    gone = ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit", "price": 40_000})
    margin = take_snapshot(ex).position("XBTUSD").position_margin_minor
    wallet = ex.wallets["XBT"].balance
    ex.step("XBTUSD", batch([49_500, 45_000, 30_000], t0=T0 + 100))  # gaps far through bankruptcy
    (liq,) = ex.liquidations
    assert liq.loss_minor == margin
    assert ex.wallets["XBT"].balance == wallet - margin
    assert keep.order_id in ex.orders and gone.order_id not in ex.orders
    assert liq.insurance_fund_minor < 0  # the fund paid for the gap
    assert ledger_sums(ex)


def test_mark_wick_does_not_liquidate_but_mark_does():
    ex = opened(lev=100)
    liq = ex.liq_bk("XBTUSD")[0]
    ex.step("XBTUSD", batch([liq - 500, 50_000], t0=T0 + 100, mark=[50_000, 50_000]))
    assert not ex.liquidations
    ex.step("XBTUSD", batch([50_000], t0=T0 + 300, mark=[liq]))
    assert ex.liquidations and ex.liquidations[0].mark_price == liq


def test_position_flip_realises_and_reopens():
    ex = opened(qty=10_000)
    assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 15_000, "type": "market"}).accepted
    pos = ex.positions["XBTUSD"]
    assert pos.qty == -5_000 and pos.entry_price(CAT["XBTUSD"]) == pytest.approx(50_000)
    assert ledger_sums(ex)


def test_dated_future_settles_at_expiry():
    """MECHANICS §5: at the 30-minute index average before expiry, not the last mark. The index was 3,000 at
    expiry − 1 s and 3,100 at expiry − 0.1 s → 3,050 → 10 contracts × 100 XBt × 50 = 50,000 (was the mark, 3,100)."""
    fut = CAT["ETHUSDZ26"]
    expiry = int(fut.expiry.timestamp() * 1000)
    ex = exchange(spread_ticks=0)
    ex.step("ETHUSDZ26", batch([3_000.0], t0=expiry - 1000))
    assert ex.place_order({"symbol": "ETHUSDZ26", "side": "buy", "qty": 10, "type": "market"}).accepted
    ex.step("ETHUSDZ26", batch([3_100.0, 3_100.0, 3_100.0], t0=expiry - 100))
    assert ex.positions["ETHUSDZ26"].qty == 0
    (row,) = [r for r in ex.ledger if r.kind == "settlement"]
    assert row.amount_minor == 10 * 100 * 50
    assert not ex.funding  # a dated future has no funding
    ack = ex.place_order({"symbol": "ETHUSDZ26", "side": "buy", "qty": 10, "type": "market"})
    assert not ack.accepted and "expired" in ack.reason


def test_resting_order_margin_is_reserved_on_the_larger_side_after_netting():
    ex = opened(qty=10_000)
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "limit", "price": 60_000})
    assert take_snapshot(ex).wallets["XBT"].order_margin_minor == 0  # it only closes the long
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": 40_000})
    assert take_snapshot(ex).wallets["XBT"].order_margin_minor > 0


def test_linear_custom_contract_full_cycle():
    inst = instrument(taker_fee=0.001, maker_fee=-0.0002)
    ex = exchange(inst, spread_ticks=0, deposits={"USDT": 1_000_000_000})
    ex.step("TESTUSDT", batch([100.0], t0=T0))
    ex.place_order({"symbol": "TESTUSDT", "side": "buy", "qty": 10, "type": "market"})
    ex.step("TESTUSDT", batch([110.0], t0=T0 + 100))
    ex.close_position("TESTUSDT")
    realised = sum(r.amount_minor for r in ex.ledger if r.kind == "realised_pnl")
    fees = sum(r.amount_minor for r in ex.ledger if r.kind == "fee")
    assert realised == 100_000_000  # 10 × (110 − 100) USDT
    assert fees == -(1_000_000 + 1_100_000)  # 0.1 % of 1,000 and of 1,100 USDT
    assert ledger_sums(ex)
