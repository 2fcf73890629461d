"""Training numbers against the worked examples and the rules of thumb a trainer quotes."""
from __future__ import annotations

import pytest

from terminal.domain.account import LiquidationRecord
from terminal.domain.instruments import default_catalog
from terminal.domain.training import (
    CoachSettings,
    calculator,
    coach,
    explain_liquidation,
    leverage_curve,
    position_size_for_risk,
    presets,
    roe_of_move,
    rule_of_thumb_pct,
)

CAT = default_catalog()
XBT = CAT["XBTUSD"]


def test_presets_stop_at_the_maximum():
    assert presets(XBT) == [1, 2, 3, 5, 10, 25, 50, 100]
    assert presets(CAT["ADAUSDT"]) == [1, 2, 3, 5, 10, 25, 33.33]
    assert presets(CAT["AVAXUSDT"]) == [1, 2, 3, 5, 10, 20.0]


def test_curve_is_monotone_and_holds_the_worked_example():
    curve = leverage_curve(XBT, 1, 10_000, 50_000)
    liqs = [p.liquidation_price for p in curve]
    assert liqs == sorted(liqs)  # more leverage, liquidation closer to the entry (a long: higher)
    (ten,) = [p for p in curve if p.leverage == 10]
    assert ten.liquidation_price == 45_662.2  # 50,000/1.095 = 45,662.10 → up on the 0.1 tick (was 45,662.5 on 0.5)
    assert curve[0].leverage == 1 and curve[-1].leverage == 100


def test_at_100x_the_real_distance_is_about_half_the_rule_of_thumb():
    (p,) = [p for p in leverage_curve(XBT, 1, 10_000, 50_000) if p.leverage == 100]
    assert rule_of_thumb_pct(100) == 1.0
    assert p.distance_pct == pytest.approx(0.5, abs=0.01)  # maintenance margin 0.5 % eats the other half


def test_a_2_pct_move_at_50x_is_100_pct_on_margin():
    assert roe_of_move(CAT["XBTUSDT"], 1, 100_000, 50_000, 50, 2.0) == pytest.approx(100.0)
    # inverse contracts pay a little less on the way up (value is 1/price: 98.04 %), and each lot of 100
    # contracts' value is rounded to the satoshi first (was each contract: 39/40): 200,000 − round(1e10/51,000) =
    # 200,000 − 196,078 = 3,922 XBt a lot, on 4,000 of margin a lot
    assert roe_of_move(XBT, 1, 10_000, 50_000, 50, 2.0) == pytest.approx(3_922 / 4_000 * 100)


def test_calculator_says_liquidated_before_the_exit():
    r = calculator(XBT, 1, 10_000, 50_000, 40_000, 10)
    assert r.liquidated_before_exit and "Liquidated at 45,662.2 before reaching the exit" in r.verdict
    assert r.pnl_minor == -2_016_500  # the position margin, not a loss above 100 %
    ok = calculator(XBT, 1, 10_000, 50_000, 55_000, 10)
    # per lot: 100 × (200,000 − 181,818) (was per contract: 10,000 × (2,000 − 1,818))
    assert not ok.liquidated_before_exit and ok.pnl_minor == 1_818_200 and ok.roe_pct == pytest.approx(90.91)


def test_explainer_lines_tell_the_story():
    rec = LiquidationRecord(0, "XBTUSD", "buy", 10_000, 50_000.0, 100, "isolated", 49_747.4, 49_751.5, 49_505.0,
                            200_000, 115_150, 215_150, 115_150, "XBT")
    lines = dict(explain_liquidation(XBT, rec))
    assert lines["You lost"] == "0.0022 XBT"
    assert lines["How far the price moved"] == "a 0.51 % move against you"
    assert lines["Bankruptcy price (closed at)"] == "49,505.0"


def test_risk_coach_warns_and_sizes_positions():
    w = coach(XBT, 1, 10_000, 50_000, 20, 100_000_000, None)
    assert [x.code for x in w] == ["leverage", "no-stop"]
    assert "above the beginner limit of 5x" in w[0].text
    size = position_size_for_risk(XBT, 1, 50_000, 49_000, 100_000_000, 2.0)
    # losing 2 % of 1 XBT (0.02 XBT) with a stop 1,000 below: ~ 49,000 contracts
    assert 48_000 <= size <= 49_100 and size % 100 == 0
    w = coach(XBT, 1, 200_000, 50_000, 3, 100_000_000, 49_000)
    assert [x.code for x in w] == ["risk"]
    assert coach(XBT, 1, 200_000, 50_000, 100, 100_000_000, None, CoachSettings(enabled=False)) == []
