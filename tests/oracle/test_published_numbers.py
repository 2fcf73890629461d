"""Every formula against numbers BitMEX published (MECHANICS.md), never against the code's own output."""
from __future__ import annotations

import pytest

from terminal.domain.instruments import default_catalog
from terminal.domain.margin import figures, pnl
from tests.helpers import batch, exchange, instrument, ledger_sums

CAT = default_catalog()
XBTUSD = CAT["XBTUSD"]


def test_inverse_value_rounds_per_contract_first():
    # a real XBTUSD trade: 2,100 contracts at 8,479.5 had grossValue 24,765,300 XBt
    assert XBTUSD.value_minor(2100, 8479.5) == 24_765_300


def test_bitmex_order_cost_example():
    # "Calculating Order Cost": buy 100 XBTUSD at 10,283 with 100x
    f = figures(XBTUSD, 1, 100, 10283, 100)
    assert (f.order_value, f.initial_margin, f.cost) == (972_500, 9_725, 11_191)


def test_worked_example_inverse_isolated_long():
    f = figures(XBTUSD, 1, 10_000, 50_000, 10, mmr=0.005, taker_fee=0.00075)
    assert f.order_value == 20_000_000
    assert f.initial_margin == 2_000_000
    assert f.close_fee_reserve == 16_500
    assert f.maint_margin == 116_500
    assert f.cost == 2_031_500
    assert f.liquidation_exact == pytest.approx(45_662.10, abs=0.01)
    # shown rounded toward safety (a long rounds up), within one tick of 45,662.10
    assert f.liquidation_price == 45_662.5
    assert f.bankruptcy_exact == pytest.approx(45_454.55, abs=0.01)


def test_inverse_short_prices_and_1x_short_has_no_bankruptcy():
    f = figures(XBTUSD, -1, 10_000, 50_000, 10)
    assert f.liquidation_exact == pytest.approx(50_000 / 0.905)
    assert f.liquidation_price == 55_248.5  # short rounds down
    assert f.bankruptcy_exact == pytest.approx(50_000 / 0.9)
    assert figures(XBTUSD, -1, 10_000, 50_000, 1).bankruptcy_price is None


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


def test_cross_inverse_formula_from_mechanics():
    t, mmr, w, q, e = 0.00075, 0.005, 50_000_000, 10_000, 50_000
    v = XBTUSD.value_minor(q, e)
    expected = q * 1e8 * (1 + t) / (w + v * (1 - mmr))
    f = figures(XBTUSD, 1, q, e, 100, cross_balance=w, mmr=mmr, taker_fee=t)
    assert f.liquidation_exact == pytest.approx(expected)


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
    ex = exchange(spread_ticks=0, deposits={"XBT": 100 * 10**8})
    ex.step("XBTUSD", batch([50_000.0], t0=3 * 3_600_000))
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
        ex.step("XBTUSD", batch([50_000.0], t0=3 * 3_600_000))
        assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "market"}).accepted
        ex.step("XBTUSD", batch([50_000.0] * 3, t0=4 * 3_600_000 - 100, rate=rate))
        (f,) = ex.funding
        assert (f.amount_minor > 0) == (expected_sign > 0)
        assert ledger_sums(ex)
