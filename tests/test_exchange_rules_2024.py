"""Today's BitMEX rules through the real exchange (issue 11): funding fixed one window ahead, the 2024 cross pool,
brackets owned by the engine, partial liquidation above the base risk tier, fee schedules per account.

Every expected number is derived in the test's docstring from MECHANICS.md, never read back from the code.
"""
from __future__ import annotations

import pytest

from terminal.domain.errors import InputError
from terminal.domain.instruments import default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.exchange.snapshot import take_snapshot
from terminal.session.runner import run_script
from terminal.session.script import parse_script
from tests.helpers import batch, exchange, ledger_sums

H = 3_600_000
CAT = default_catalog()


def long_xbt(ex: Exchange, qty: int = 10_000, lev: float = 10, **kw: object) -> None:
    assert ex.set_leverage("XBTUSD", lev).accepted
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": qty, "type": "market", **kw}).accepted


# ------------------------------------------------------------------ funding fixed one window ahead
def test_the_rate_paid_at_t_is_the_one_predicted_by_the_window_that_ended_8_hours_before():
    """MECHANICS §5: the payment at T uses the premium of the window that ended at T − 8 h. A long of 10,000 XBTUSD
    at 50,000 is worth 20,000,000 XBt. The window (04:00, 12:00] predicts 0.3 %; the ticks up to 04:00 predict
    0.01 %. Payments: 04:00 at the rate fixed before the session (the first prediction seen, 0.01 %) → 2,000;
    12:00 at the rate fixed as the window ending 04:00 closed (0.01 %) → 2,000, *not* 0.3 %; 20:00 at the rate of
    the window ending 12:00 (0.3 %) → 60,000. Longs pay a positive rate."""
    ex = exchange(spread_ticks=0, deposits={"XBT": 10**8})
    ex.step("XBTUSD", batch([50_000.0], t0=3 * H, rate=0.0001))
    long_xbt(ex)
    ex.step("XBTUSD", batch([50_000.0], t0=4 * H, rate=0.0001))  # the tick at 04:00 closes the window
    ex.step("XBTUSD", batch([50_000.0, 50_000.0], t0=5 * H, dt=7 * H, rate=0.003))  # 05:00 and 12:00
    view = take_snapshot(ex).markets["XBTUSD"]
    assert (view.funding_rate, view.predicted_funding_rate) == (0.003, 0.003)  # fixed at 12:00 for 20:00
    ex.step("XBTUSD", batch([50_000.0, 50_000.0], t0=13 * H, dt=7 * H, rate=0.0))  # 13:00 and 20:00
    assert [(f.time // H, f.rate, f.amount_minor) for f in ex.funding] == [
        (4, 0.0001, -2_000), (12, 0.0001, -2_000), (20, 0.003, -60_000)]
    assert ledger_sums(ex)


def test_the_market_state_shows_the_fixed_and_the_predicted_rate():
    """Before 04:00 the fixed rate is the first prediction seen; the predicted one follows the window in progress."""
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0], t0=1 * H, rate=0.0002))
    ex.step("XBTUSD", batch([50_000.0], t0=2 * H, rate=0.0005))
    m = take_snapshot(ex).markets["XBTUSD"]
    assert (m.funding_rate, m.predicted_funding_rate) == (0.0002, 0.0005)


def test_a_paying_long_reserves_the_next_funding_in_its_maintenance_margin():
    """MECHANICS §2: MM = ceil((MMR + F⁺)·V) + C. Long 10,000 at 50,000, 10x, fixed rate +0.01 %: V 20,000,000,
    C = ceil(0.00075 × 22,000,000) = 16,500, MM = ceil(0.0051 × 20,000,000) + 16,500 = 118,500; liquidation
    50,000/1.0949 = 45,666.27 → 45,666.3. A short does not pay a positive rate: MM 116,500."""
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0], t0=H, rate=0.0001))
    long_xbt(ex)
    view = take_snapshot(ex).position("XBTUSD")
    assert view.maint_margin_minor == 118_500
    assert view.liquidation_price == 45_666.3
    short = exchange(spread_ticks=0)
    short.step("XBTUSD", batch([50_000.0], t0=H, rate=0.0001))
    assert short.set_leverage("XBTUSD", 10).accepted
    assert short.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "market"}).accepted
    assert take_snapshot(short).position("XBTUSD").maint_margin_minor == 116_500


# ------------------------------------------------------------------ cross margin, 2024 rules
def test_a_cross_position_locks_only_its_maintenance_margin():
    """MECHANICS §2–3 (2024): cross positions lock only MM from Available Balance. Long 10,000 XBTUSD at 50,000,
    10x cross, 1 XBT: fee 15,000 (0.075 % of 20,000,000), MM = 100,000 + ceil(0.00075 × 22,000,000) = 116,500 →
    available 100,000,000 − 15,000 − 116,500 = 99,868,500 (isolated it is IM + C = 2,016,500 less)."""
    ex = exchange(spread_ticks=0, deposits={"XBT": 10**8})
    ex.step("XBTUSD", batch([50_000.0], t0=H))
    assert ex.set_margin_mode("XBTUSD", True, leverage=10).accepted
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "market"}).accepted
    w = take_snapshot(ex).wallets["XBT"]
    assert (w.position_margin_minor, w.available_balance_minor) == (116_500, 99_868_500)
    assert ex.set_margin_mode("XBTUSD", False, leverage=10).accepted
    assert take_snapshot(ex).wallets["XBT"].available_balance_minor == 99_868_500 + 116_500 - 2_016_500


def test_all_cross_positions_of_a_currency_are_liquidated_together():
    """MECHANICS §3: when the pool falls to the cross positions' maintenance margins, every cross position of that
    currency goes at once — none is left open with a negative Available Balance. Wallet 500 USDT; 10x cross longs of
    20,000 XBTUSDT (0.02 XBT = 1,000 USDT at 50,000) and 10,000 ETHUSDT (0.1 ETH = 300 USDT); fees 0.975 USDT.
    MMs: 5 + ceil-reserve 0.825 and 1.5 + 0.2475 → 7.57 USDT. XBT at 35,000 loses 300: the pool (≈ 199) is above
    that; at 25,000 it loses 500 and the pool (≈ −1) is gone: both positions are liquidated on that tick.
    """
    ex = exchange(spread_ticks=0, deposits={"USDT": 500 * 10**6})
    ex.step("XBTUSDT", batch([50_000.0], t0=H))
    ex.step("ETHUSDT", batch([3_000.0], t0=H))
    for sym in ("XBTUSDT", "ETHUSDT"):
        assert ex.set_margin_mode(sym, True, leverage=10).accepted
    assert ex.place_order({"symbol": "XBTUSDT", "side": "buy", "qty": 20_000, "type": "market"}).accepted
    assert ex.place_order({"symbol": "ETHUSDT", "side": "buy", "qty": 10_000, "type": "market"}).accepted
    assert take_snapshot(ex).wallets["USDT"].available_balance_minor > 0
    ex.step("XBTUSDT", batch([45_000.0, 40_000.0, 35_000.0, 25_000.0], t0=H + 1000))
    assert {liq.symbol for liq in ex.liquidations} == {"XBTUSDT", "ETHUSDT"}
    assert len({liq.time for liq in ex.liquidations}) == 1
    assert all(p.qty == 0 for p in ex.positions.values())
    w = take_snapshot(ex).wallets["USDT"]
    assert w.available_balance_minor >= 0 and w.wallet_balance_minor >= 0
    assert ledger_sums(ex)


# ------------------------------------------------------------------ brackets
def test_brackets_arm_on_entry_fill_sized_to_it_and_cancel_each_other():
    """TP and SL arm as the entry fills (reduce-only, the other side, the filled size), and when the TP fills the
    SL is cancelled — it cannot later close part of a new position (the bug issue 11 describes)."""
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0], t0=H))
    ack = ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "limit", "price": 49_900.0,
                          "take_profit": 51_000.0, "stop_loss": 49_000.0})
    assert ack.accepted and len(ex.orders) == 1  # nothing armed before the entry fills
    ex.step("XBTUSD", batch([49_850.0], t0=H + 100))
    legs = sorted(ex.orders.values(), key=lambda o: o.id)
    assert [(o.type.value, o.side, o.qty, o.stop_price, o.reduce_only) for o in legs] == [
        ("take_profit_market", "sell", 1000, 51_000.0, True), ("stop_market", "sell", 1000, 49_000.0, True)]
    assert legs[0].oco_id == legs[1].id and legs[1].oco_id == legs[0].id
    views = {v.order_id: v for v in take_snapshot(ex).orders}  # what the order table shows
    assert (views[legs[0].id].bracket_of, views[legs[0].id].oco_with) == (ack.order_id, legs[1].id)
    ex.step("XBTUSD", batch([50_500.0, 51_000.0], t0=H + 200))
    assert ex.positions["XBTUSD"].qty == 0 and not ex.orders  # TP filled, SL cancelled
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 500, "type": "market"}).accepted
    ex.step("XBTUSD", batch([48_000.0], t0=H + 300))
    assert ex.positions["XBTUSD"].qty == 500  # no stale stop closed the new position


def test_brackets_go_when_the_position_is_closed_by_hand():
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0], t0=H))
    long_xbt(ex, qty=1000, take_profit=52_000.0, stop_loss=48_000.0)
    assert len(ex.orders) == 2
    assert ex.close_position("XBTUSD").accepted
    assert not ex.orders


def test_a_bracket_on_the_wrong_side_is_refused_before_anything_changes():
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0], t0=H))
    before = take_snapshot(ex).to_dict()
    ack = ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market", "take_profit": 49_000.0})
    assert not ack.accepted and "take-profit must be above" in ack.reason
    assert take_snapshot(ex).to_dict() == before


def test_scripts_attach_brackets_with_tp_and_sl():
    text = ('seed = 1\nstart = "2024-03-01T00:00:00Z"\nduration_s = 60\n[account]\nXBT = 1.0\n'
            '[feed]\nkind = "scenario"\nname = "flash-crash"\nsymbol = "XBTUSD"\nprice = 50000\n'
            '[[steps]]\nat_s = 1\naction = "order"\nside = "buy"\nqty = 1000\ntype = "market"\ntp = 60000\nsl = 40000\n')
    report = run_script(parse_script(text))
    types = sorted(o["type"] for o in report["final"]["open_orders"])
    assert types == ["stop_market", "take_profit_market"]


# ------------------------------------------------------------------ partial liquidation above the base tier
def test_a_position_above_the_base_risk_tier_is_first_reduced_to_the_tier_below():
    """bitmex.com/app/liquidationExamples ("Users on Higher Risk Limit tiers"): a FillOrKill order sized to bring
    the position below a lower tier's risk limit goes first. Long 11,500,000 XBTUSD at 50,000 = 230 XBT at 25x: one
    150 XBT step over the 200 XBT base → MMR 1 %, liquidation 50,000/(1 + 0.04 − 0.01) = 48,543.69. Reduced to
    200 XBT (10,000,000 contracts: 11,500,000 × 200/230) the MMR is 0.5 % and the liquidation
    50,000/1.035 = 48,309.18, below the mark of 48,540: the rest survives."""
    ex = exchange(spread_ticks=0, deposits={"XBT": 20 * 10**8})
    ex.step("XBTUSD", batch([50_000.0], t0=H))
    assert ex.set_leverage("XBTUSD", 25).accepted
    for qty in (6_000_000, 5_500_000):
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": qty, "type": "market"}).accepted
    assert abs(ex.liq_bk("XBTUSD")[0] - 48_543.69) <= 0.2
    ex.step("XBTUSD", batch([49_000.0, 48_540.0, 48_540.0], t0=H + 100))
    assert not ex.liquidations
    assert ex.positions["XBTUSD"].qty == 10_000_000
    reduce = ex.fills[-1]
    assert (reduce.side, reduce.qty) == ("sell", 1_500_000)
    assert ledger_sums(ex)


# ------------------------------------------------------------------ fee schedules per account
def test_an_account_can_pay_the_2019_schedule_instead_of_todays():
    """Today's base tier: maker +0.02 % (a fee); 2019: maker −0.025 % (a rebate). A resting buy of 10,000 at
    49,900 is worth 100 × round(1e10/49,900) = 20,040,100 XBt: fee 4,008 today, rebate −5,010 in 2019."""
    fees = {}
    for schedule in ("current", "2019"):
        ex = Exchange(CAT.with_fee_schedule(schedule), EngineConfig(spread_ticks=1))
        ex.deposit("XBT", 10**8)
        ex.step("XBTUSD", batch([50_000.0], t0=H))
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "limit",
                               "price": 49_900.0}).accepted
        ex.step("XBTUSD", batch([49_800.0], t0=H + 100))
        fees[schedule] = ex.fills[-1].fee_minor
    assert fees == {"current": 4_008, "2019": -5_010}


def test_a_script_chooses_its_fee_schedule_and_an_unknown_one_is_refused():
    base = ('seed = 1\nstart = "2024-03-01T00:00:00Z"\nduration_s = 60\n{extra}[account]\nXBT = 1.0\n'
            '[feed]\nkind = "scenario"\nname = "flash-crash"\nsymbol = "XBTUSD"\nprice = 50000\n')
    assert parse_script(base.format(extra='fee_schedule = "2019"\n')).fee_schedule == "2019"
    with pytest.raises(InputError, match=r"unknown fee schedule '1999'") as err:
        parse_script(base.format(extra='fee_schedule = "1999"\n'))
    assert err.value.line == 4
