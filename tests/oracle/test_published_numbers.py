"""Every formula against numbers BitMEX published (MECHANICS.md), never against the code's own output."""
from __future__ import annotations

import pytest

from terminal.domain.instruments import default_catalog
from terminal.domain.margin import figures, pnl
from tests.helpers import batch, exchange, instrument, ledger_sums

CAT = default_catalog()
XBTUSD = CAT["XBTUSD"]


def test_inverse_value_rounds_per_lot_first():
    """MECHANICS §1: a 2024 trade of 100 @ 98,570.9 has grossValue 101,450 = round(1e10 / 98,570.9) (lot 100; per
    contract it would be 101,400); a 2020 trade, lot 1, of 2,100 @ 8,479.5 has 24,765,300 = 2,100 × round(1e8 / 8,479.5).
    (Was: per contract, which the 2024 trade contradicts.)"""
    assert XBTUSD.value_minor(100, 98_570.9) == 101_450
    lot1 = CAT.with_overrides("XBTUSD", lot_size=1, min_order_qty=1, tick_size=0.5)["XBTUSD"]
    assert lot1.value_minor(2100, 8479.5) == 24_765_300


def test_bitmex_order_cost_example():
    """"Calculating Order Cost": buy 100 XBTUSD at 10,283 with 100x (lot 1 then) → 972,500 / 9,725 / 11,191."""
    lot1 = CAT.with_overrides("XBTUSD", lot_size=1, min_order_qty=1, tick_size=0.5)["XBTUSD"]
    f = figures(lot1, 1, 100, 10283, 100)
    assert (f.order_value, f.initial_margin, f.cost) == (972_500, 9_725, 11_191)


def test_worked_example_inverse_isolated_long():
    """MECHANICS §2: long 10,000 at 50,000, 10x, MMR 0.5 %, t 0.075 %: V 20,000,000, IM 2,000,000, C 16,500,
    MM 116,500, Cost 2,031,500, liquidation 50,000/1.095 = 45,662.10 → shown 45,662.2 (a long rounds up to the
    0.1 tick: the lot's value 219,000 XBt is exact, 1e10/219,000 = 45,662.1005). Was 45,662.5 on the 0.5 tick."""
    f = figures(XBTUSD, 1, 10_000, 50_000, 10, mmr=0.005, taker_fee=0.00075)
    assert f.order_value == 20_000_000
    assert f.initial_margin == 2_000_000
    assert f.close_fee_reserve == 16_500
    assert f.maint_margin == 116_500
    assert f.cost == 2_031_500
    assert f.liquidation_price == 45_662.2
    assert abs(f.liquidation_price - 50_000 / 1.095) <= XBTUSD.tick_size
    assert f.bankruptcy_price == 45_454.6  # 50,000 / 1.1 = 45,454.545 → up


def test_worked_example_short_reserves_on_the_same_value_and_funding_is_reserved():
    """MECHANICS §2: the same short has C = 16,500 and MM = 116,500 (not 113,500: the old short reserve of
    t × (V − IM) was too small); liquidation 50,000/0.905 = 55,248.62 → 55,248.6 (short rounds down). With +0.01 %
    funding due the long's MM rises by 2,000 XBt and it liquidates at 50,000/1.0949 = 45,666.27 → 45,666.3."""
    s = figures(XBTUSD, -1, 10_000, 50_000, 10, mmr=0.005, taker_fee=0.00075)
    assert (s.close_fee_reserve, s.maint_margin) == (16_500, 116_500)
    assert s.liquidation_price == 55_248.6
    funded = figures(XBTUSD, 1, 10_000, 50_000, 10, mmr=0.005, taker_fee=0.00075, funding_rate=0.0001)
    assert funded.maint_margin == 118_500
    assert funded.liquidation_price == 45_666.3
    # a short does not pay a positive rate: nothing reserved
    assert figures(XBTUSD, -1, 10_000, 50_000, 10, mmr=0.005, taker_fee=0.00075, funding_rate=0.0001).maint_margin == 116_500


def test_inverse_short_prices_and_1x_short_has_no_bankruptcy():
    """A 1x inverse short reserves nothing, has MM 0 and no liquidation or bankruptcy price (records C and D)."""
    f = figures(XBTUSD, -1, 10_000, 50_000, 10)
    assert f.bankruptcy_price == 55_555.5  # 50,000 / 0.9 = 55,555.56 → down
    one = figures(XBTUSD, -1, 10_000, 50_000, 1)
    assert (one.bankruptcy_price, one.liquidation_price, one.close_fee_reserve, one.maint_margin) == (None, None, 0, 0)


def test_linear_published_long_1_at_100_with_100x():
    inst = instrument()
    f = figures(inst, 1, 1, 100.0, 100, mmr=0.005)
    assert f.liquidation_price == pytest.approx(99.50)
    assert f.bankruptcy_price == pytest.approx(99.00)


def test_linear_short_mirror():
    inst = instrument()
    f = figures(inst, -1, 1, 100.0, 100, mmr=0.005)
    assert f.liquidation_price == pytest.approx(100.50)
    assert f.bankruptcy_price == pytest.approx(101.00)


def test_quanto_uses_linear_prices_and_100_xbt_multiplier():
    ethusd = CAT["ETHUSD"]
    assert ethusd.value_minor(1, 3000) == 300_000  # 100 XBt per $1 per contract
    assert pnl(ethusd, 1, 10, 3000, 3100) == 10 * 100 * 100
    f = figures(ethusd, 1, 10, 3000, 20)
    assert f.liquidation_exact == pytest.approx(3000 * (1 - 0.05 + 0.005))


def test_cross_published_ethusdt_example():
    # wallet 10,000 USDT, buy 20 ETH of ETHUSDT at 1,000 at 50x cross, MMR 1 %, fees left out
    eth = CAT["ETHUSDT"]
    q = int(eth.contracts_from(20, "coin", 1000))
    f = figures(eth, 1, q, 1000, 50, cross_balance=10_000_000_000, mmr=0.01, taker_fee=0.0)
    assert f.initial_margin == 400_000_000
    assert f.maint_margin == 200_000_000
    assert f.liquidation_price == 510.0
    assert f.bankruptcy_price == 500.0


def test_cross_inverse_long_alone_liquidates_where_the_pool_meets_its_maintenance_margin():
    """MECHANICS §3 (2024 cross): liquidation when the pool reaches the maintenance margin MM = ceil(MMR·V) + C,
    C = ceil(t(V + IM)). Long 10,000 at 50,000, 100x, wallet 0.5 XBT: V 20,000,000, IM 200,000, C = ceil(0.00075 ×
    20,200,000) = 15,150, MM = 100,000 + 15,150 = 115,150. The pool left over MM is 50,000,000 − 115,150 = 49,884,850,
    so the lot value there is (20,000,000 + 49,884,850)/100 = 698,848.5 → 698,848 (a long rounds the value down) →
    1e10/698,848 = 14,309.263 → 14,309.3. (Was MECHANICS' older fee-at-P form, t × value(P); the MM of section 2
    replaces it.) Bankruptcy: where the pool is down to the close-fee reserve C (kept for the closing fee, as in
    isolated; BitMEX's cross records B, I, J and M fit that, tests/oracle/test_position_records.py):
    (20,000,000 + 50,000,000 − 15,150)/100 = 699,848.5 → 699,848 → 14,288.80 → 14,288.9."""
    f = figures(XBTUSD, 1, 10_000, 50_000, 100, cross_balance=50_000_000, mmr=0.005, taker_fee=0.00075)
    assert f.maint_margin == 115_150
    assert f.liquidation_price == 14_309.3
    assert f.bankruptcy_price == 14_288.9


def test_risk_limit_steps_xbtusd():
    assert XBTUSD.risk_rates(150 * 10**8) == (0.01, 0.005)
    imr, mmr = XBTUSD.risk_rates(230 * 10**8)  # 180 XBT position + 50 XBT order: one step
    assert (imr, mmr) == pytest.approx((0.015, 0.01))
    imr, mmr = XBTUSD.risk_rates(400 * 10**8)
    assert (imr, mmr) == pytest.approx((0.02, 0.015))
    assert XBTUSD.max_leverage_at(230 * 10**8) == pytest.approx(66.67)


def test_isolated_100_xbt_at_100_with_4_xbt_margin_liquidates_at_97_and_loses_4_xbt():
    inst = instrument(symbol="TESTXBT", settle_currency="XBT", multiplier=100_000_000, init_margin=0.04,
                      maint_margin=0.01, tick_size=0.5)
    ex = exchange(inst, spread_ticks=0, deposits={"XBT": 10 * 10**8})
    ex.step("TESTXBT", batch([100.0]))
    assert ex.set_leverage("TESTXBT", 25).accepted
    assert ex.place_order({"symbol": "TESTXBT", "side": "buy", "qty": 1, "type": "market"}).accepted
    assert ex.positions["TESTXBT"].entry_value == 100 * 10**8
    assert ex.liq_bk("TESTXBT")[0] == 97.0
    ex.step("TESTXBT", batch([99.0, 98.0, 97.5, 96.0, 90.0], t0=1000))
    (liq,) = ex.liquidations
    assert liq.loss_minor == 4 * 10**8
    assert ex.wallets["XBT"].balance == 6 * 10**8
    assert ledger_sums(ex)


def test_insurance_fund_receives_the_difference_to_bankruptcy():
    # long 1 at 100.00, liquidation 99.50, bankruptcy 99.00, closed at 99.25 → 0.25 to the fund
    inst = instrument()
    ex = exchange(inst, spread_ticks=0, deposits={"USDT": 1_000_000_000})
    ex.step("TESTUSDT", batch([100.0]))
    assert ex.set_leverage("TESTUSDT", 100).accepted
    assert ex.place_order({"symbol": "TESTUSDT", "side": "buy", "qty": 1, "type": "market"}).accepted
    ex.step("TESTUSDT", batch([99.8, 99.25], t0=1000))
    (liq,) = ex.liquidations
    assert (liq.liquidation_price, liq.bankruptcy_price) == (99.5, 99.0)
    assert liq.loss_minor == 1_000_000  # the 1.00 USDT of margin, nothing more
    assert liq.insurance_fund_minor == 250_000
    assert ex.insurance_fund["USDT"] == 250_000


def test_funding_published_20_xbt_long_at_025_pct_pays_005_xbt():
    """The rate paid at 04:00 is the one fixed before: here the first tick's (03:00) prediction, 0.25 %."""
    ex = exchange(spread_ticks=0, deposits={"XBT": 100 * 10**8})
    ex.step("XBTUSD", batch([50_000.0], t0=3 * 3_600_000, rate=0.0025))
    assert ex.set_leverage("XBTUSD", 5).accepted
    # 1,000,000 contracts at 50,000 are worth 20 XBT
    assert XBTUSD.value_minor(1_000_000, 50_000) == 20 * 10**8
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000_000, "type": "market"}).accepted
    ex.step("XBTUSD", batch([50_000.0] * 3, t0=4 * 3_600_000 - 100, rate=0.0025))
    (f,) = ex.funding
    assert f.amount_minor == -5_000_000  # the long pays 0.05 XBT
    assert f.time == 4 * 3_600_000  # at 04:00 UTC
    assert [r.amount_minor for r in ex.ledger if r.kind == "funding"] == [-5_000_000]
    assert ledger_sums(ex)


def test_funding_direction_short_receives_when_rate_positive_and_pays_when_negative():
    for rate, expected_sign in ((0.001, 1), (-0.001, -1)):
        ex = exchange()
        ex.step("XBTUSD", batch([50_000.0], t0=3 * 3_600_000, rate=rate))  # fixes the rate paid at 04:00
        assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "market"}).accepted
        ex.step("XBTUSD", batch([50_000.0] * 3, t0=4 * 3_600_000 - 100, rate=rate))
        (f,) = ex.funding
        assert (f.amount_minor > 0) == (expected_sign > 0)
        assert ledger_sums(ex)
