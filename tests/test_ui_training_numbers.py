"""Training features whose numbers must be the engine's: calculator, liquidation explainer, leverage curve,
risk coach (TP / SL at entry: tests/test_ui_brackets.py). Driven through the real window by objectName."""
from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QLineEdit, QPushButton, QSlider

from terminal.domain.calc import calculate
from terminal.domain.instruments import default_catalog
from terminal.domain.margin import target_price_for_roe
from terminal.domain.money import format_money
from terminal.domain.training import calculator, explain_liquidation, leverage_curve
from terminal.feeds.spec import FeedSpec

CAT = default_catalog()
XBT = CAT["XBTUSD"]


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def action(win, name):
    from PySide6.QtGui import QAction

    return w(win, QAction, name)


def type_into(qtbot, box: QLineEdit, text: str) -> None:
    box.clear()
    qtbot.keyClicks(box, text)


def crash_window(qtbot):
    """A window whose XBTUSD feed is the flash-crash scenario (the fall starts after 20 quiet minutes)."""
    from ui.window.main_window import build_window, fresh_session

    s = fresh_session()
    s.set_feed("XBTUSD", FeedSpec(kind="scenario", name="flash-crash", symbol="XBTUSD"))
    win = build_window(s)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


def run_until(win, done, frames: int = 20, speed: str = "max", wall_s: float = 1.0) -> None:
    win.bridge.clock.speed = speed  # the timer stays off: the test drives the frames
    for _ in range(frames):
        win.bridge.tick(wall_s)
        if done():
            return
    raise AssertionError("condition not reached")


# ---------------------------------------------------------------- calculator
def test_calculator_equals_calc_and_says_liquidated_before_the_exit(qtbot, window):
    action(window, "training.calculator").trigger()
    dlg = window.training.calculator
    assert dlg is not None and dlg.isVisible()
    dlg.set_inputs(symbol="XBTUSD", side="buy", qty=10_000, entry=50_000, exit_price=52_000, leverage=25,
                   target_roe=50)
    r = calculate(CAT, symbol="XBTUSD", side="buy", qty=10_000, entry=50_000, leverage=25, exit_price=52_000)
    text = lambda n: w(dlg, QLabel, f"calculator.{n}").text()
    assert text("liquidationPrice") == f"{r['liquidation_price']:,.1f}"
    assert text("bankruptcyPrice") == f"{r['bankruptcy_price']:,.1f}"
    assert text("cost") == f"{r['cost']:,.8f} XBT"
    assert text("initialMargin") == f"{r['initial_margin']:,.8f} XBT"
    assert text("pnl") == f"{r['pnl']:,.8f} XBT"
    assert text("roe") == f"{r['roe_pct']:+.2f} %"
    assert text("targetPrice") == f"{target_price_for_roe(XBT, 1, 10_000, 50_000, 25, 50):,.1f}"
    assert text("verdict") == calculator(XBT, 1, 10_000, 50_000, 52_000, 25).verdict

    # the exit lies beyond the liquidation price: the verdict, not a loss above 100 %
    w(dlg, QComboBox, "calculator.side").setCurrentIndex(0)
    dlg.exit.setValue(45_000)
    v = calculator(XBT, 1, 10_000, 50_000, 45_000, 25)
    assert v.liquidated_before_exit
    assert text("verdict") == v.verdict
    assert text("verdict").startswith(f"Liquidated at {r['liquidation_price']:,.1f} before reaching the exit")
    assert "(liquidated)" in text("pnl")

    dlg.leverage.setValue(1000)  # clamped to the maximum (100x)
    assert dlg.leverage.value() == 100


# ---------------------------------------------------------------- explainer
def test_liquidation_explainer_tells_the_real_liquidation(qtbot):
    win = crash_window(qtbot)
    w(win, QSlider, "orderForm.leverage").setValue(10_000)  # 100x
    assert win.bridge.session.exchange.setting("XBTUSD").leverage == 100
    qtbot.mouseClick(w(win, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    ex = win.bridge.session.exchange
    assert ex.positions["XBTUSD"].qty == 1000  # the default size
    panel = w(win, object, "explainer.panel")
    assert not panel.isVisible()
    run_until(win, lambda: bool(ex.liquidations))
    rec = ex.liquidations[-1]
    assert panel.isVisible() and w(win, QDockWidget, "dock.explainer").isVisible()
    values = {k: lab.text() for k, lab in panel.values.items()}
    assert values["lost"] == format_money("XBT", rec.loss_minor)
    assert values["markPrice"] == f"{rec.mark_price:,.1f}"
    assert values["liquidationPrice"] == f"{rec.liquidation_price:,.1f}"
    assert values["bankruptcyPrice"] == f"{rec.bankruptcy_price:,.1f}"
    assert values["initialMargin"] == format_money("XBT", rec.initial_margin_minor)
    assert values["maintMargin"] == format_money("XBT", rec.maint_margin_minor)
    assert values["insuranceFund"] == format_money("XBT", rec.insurance_fund_minor)
    move = (rec.entry_price - rec.mark_price) / rec.entry_price * 100
    assert values["move"] == f"a {move:.2f} % move against you"
    assert [v for _, v in explain_liquidation(XBT, rec)] == list(values.values())
    assert "100x long was liquidated" in panel.story.text()
    assert win.training.note.item.isVisible()  # the label beside the chart's ✖
    # the alert toast said so too
    toast = w(win, QLabel, "alerts.toast")
    assert toast.isVisible() and "Liquidated" in toast.text()
    assert "liquidation" in win.training.alerts.played


# ---------------------------------------------------------------- leverage curve
def test_leverage_curve_has_a_point_per_leverage_and_follows_the_slider(qtbot, window):
    action(window, "training.curve").trigger()
    assert w(window, QDockWidget, "dock.curve").isVisible()
    curve = window.training.curve
    entry = window.bridge.session.exchange.markets["XBTUSD"].last
    expected = leverage_curve(XBT, 1, 1000, entry)
    assert len(curve.points) == len(expected)
    assert [p.leverage for p in curve.points] == [p.leverage for p in expected]
    xs, _ys = curve.price_curve.getData()
    assert len(xs) == len([p for p in expected if p.liquidation_price is not None])
    assert curve.leverage == 10 and curve.markers[0].value() == pytest.approx(1.0)  # log10(10x)

    w(window, QSlider, "orderForm.leverage").setValue(5000)  # 50x
    assert curve.leverage == 50
    assert curve.markers[0].value() == pytest.approx(math.log10(50))
    cp = curve.current
    assert cp is not None and cp.leverage == 50
    assert curve.price_dot.getData()[1][0] == pytest.approx(cp.liquidation_price)
    assert "Rule of thumb at 50x: a <b>2.00 %</b>" in w(window, QLabel, "curve.ruleOfThumb").text()
    assert f"{cp.distance_pct:.2f} %" in w(window, QLabel, "curve.ruleOfThumb").text()
    assert "A 2 % move at 50x is" in w(window, QLabel, "curve.roe").text()


# ---------------------------------------------------------------- risk coach
def test_coach_warns_above_5x_and_without_a_stop_and_is_silent_when_off(qtbot, window):
    warnings = w(window, QLabel, "coach.warnings")
    w(window, QSlider, "orderForm.leverage").setValue(2500)
    coach = window.training.coach
    assert {x.code for x in coach.current} == {"leverage", "no-stop"}
    assert "above the beginner limit of 5x" in warnings.text() and "No stop-loss" in warnings.text()

    last = window.bridge.session.exchange.markets["XBTUSD"].last
    stop = XBT.round_price(last * 0.98)
    type_into(qtbot, w(window, QLineEdit, "orderForm.stopLoss"), f"{stop}")
    assert "no-stop" not in {x.code for x in coach.current}
    assert coach.suggested > 0 and w(window, QPushButton, "coach.useSize").isEnabled()
    qtbot.mouseClick(w(window, QPushButton, "coach.useSize"), Qt.MouseButton.LeftButton)
    assert window.form.size_box.text() == str(coach.suggested)

    w(window, QSlider, "orderForm.leverage").setValue(300)
    assert "leverage" not in {x.code for x in coach.current}

    action(window, "training.coach").trigger()  # off
    w(window, QSlider, "orderForm.leverage").setValue(5000)
    assert coach.current == [] and warnings.text() == "" and not coach.isVisible()
    assert w(window, QPushButton, "orderForm.buy").isEnabled()  # never blocks


def test_default_size_shows_numbers_when_the_window_opens(window):
    assert window.form.size_box.text() == "1000" and window.form.size_box.objectName() == "orderForm.size"
    assert w(window, QLabel, "orderForm.cost").text() != "—"
    assert w(window, QLabel, "orderForm.estLiqPriceLong").text() != "—"
