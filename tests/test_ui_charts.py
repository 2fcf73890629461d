"""Charts: order lines amend by drag, and the equity / liquidation charts grow as the clock runs."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit, QPushButton

from terminal.session.frame import Series
from terminal.session.history import RingBuffer


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def place(qtbot, win, side: str, size: str, order_type: str = "Market", price: float | None = None) -> int:
    w(win, QComboBox, "orderForm.orderType").setCurrentText(order_type)
    if price is not None:
        w(win, QDoubleSpinBox, "orderForm.price").setValue(price)
    box = w(win, QLineEdit, "orderForm.size")
    box.clear()
    qtbot.keyClicks(box, size)
    with qtbot.waitSignal(win.form.placed, timeout=1000) as blocker:
        qtbot.mouseClick(w(win, QPushButton, f"orderForm.{side}"), Qt.MouseButton.LeftButton)
    return int(blocker.args[0])


def test_dragging_a_limit_line_amends_the_order_snapped_to_tick(qtbot, window):
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    oid = place(qtbot, window, "buy", "1000", "Limit", last - 500)
    line = window.charts.line(f"order:{oid}")
    assert line is not None and line.value() == pytest.approx(last - 500)
    line.setValue(last - 812.3)  # mid-drag: preview only
    assert window.bridge.session.exchange.orders[oid].price == pytest.approx(last - 500)
    assert "↕" in line.label.format
    line.sigPositionChangeFinished.emit(line)
    snapped = window.bridge.session.catalog["XBTUSD"].round_price(last - 812.3)
    assert window.bridge.session.exchange.orders[oid].price == snapped
    assert window.charts.line(f"order:{oid}").value() == pytest.approx(snapped)
    model = window.findChild(object, "orders.table").model()
    assert model.index(0, 5).data() == f"{snapped:,.1f}"


def test_a_stop_line_drag_amends_the_stop_price(qtbot, window):
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    w(window, QDoubleSpinBox, "orderForm.stopPrice").setValue(last - 1000)
    oid = place(qtbot, window, "sell", "1000", "Stop Market")
    line = window.charts.line(f"stop:{oid}")
    assert line is not None
    line.setValue(last - 1200.2)
    line.sigPositionChangeFinished.emit(line)
    snapped = window.bridge.catalog["XBTUSD"].round_price(last - 1200.2)  # on the instrument's tick
    assert window.bridge.session.exchange.orders[oid].stop_price == pytest.approx(snapped)


def test_equity_and_liquidation_charts_gain_points_as_the_clock_runs(qtbot, window):
    place(qtbot, window, "buy", "10000")
    charts, bridge = window.charts, window.bridge
    n_eq = len(charts.margin_curve.xData if charts.margin_curve.xData is not None else [])
    n_liq = len(charts.liq_curve.xData if charts.liq_curve.xData is not None else [])
    w(window, QComboBox, "sim.speed").setCurrentText("100x")
    qtbot.mouseClick(window.findChild(object, "sim.play"), Qt.MouseButton.LeftButton)
    assert bridge.running and bridge.timer.isActive()

    def grown() -> bool:
        eq, lq = charts.margin_curve.xData, charts.liq_curve.xData
        return eq is not None and lq is not None and len(eq) >= n_eq + 5 and len(lq) >= n_liq + 5

    qtbot.waitUntil(grown, timeout=10_000)
    qtbot.mouseClick(window.findChild(object, "sim.play"), Qt.MouseButton.LeftButton)
    assert not bridge.running
    liq = charts.liq_curve.yData
    assert np.isfinite(liq[-1]) and liq[-1] == pytest.approx(bridge.session.exchange.liq_bk("XBTUSD")[0])


def test_step_advances_exactly_one_tick(window):
    before = window.bridge.session.ticks
    window.findChild(object, "sim.step").click()
    assert window.bridge.session.ticks == before + 1 and not window.bridge.running


def test_series_slice_handles_a_wrapped_buffer_without_copying_all():
    buf = RingBuffer(10, 2)
    buf.extend(np.column_stack((np.arange(25.0), np.arange(25.0) * 2)))
    series = Series(buf, 2)
    rows = series.between(16, 22)
    assert rows[:, 0].tolist() == [16, 17, 18, 19, 20, 21, 22]
    assert series.between(100, 200).shape == (0, 2)
    assert series.between(0, 100)[:, 0].tolist() == list(range(15, 25))
    one_piece = series.between(20, 24)  # within one piece of the ring: a read-only view, not a copy
    assert np.shares_memory(one_piece, buf.data) and not one_piece.flags.writeable


def test_a_short_value_axis_labels_only_as_many_ticks_as_fit_one_above_the_other(qtbot):  # type: ignore[no-untyped-def]
    """A 720-pixel screen gives the equity and liquidation charts ~40 px: their labels stacked into an unreadable
    block. Ticks are thinned so the labels never overlap; a tall axis keeps its usual ticks."""
    from itertools import pairwise

    from PySide6.QtGui import QFontMetricsF

    from ui.charts.panels import ValueAxis
    from ui.style import theme

    axis = ValueAxis("right")
    axis.setStyle(tickFont=theme.mono_font(-1))
    line = QFontMetricsF(theme.mono_font(-1)).height()
    for px in (20, 40, 60, 90):
        values = [v for _, level in axis.tickValues(0.98, 1.0, px) for v in level]
        assert 1 <= len(values) <= max(1, px // (line * 1.6)), (px, values)
        ys = sorted(values)
        gaps = [(b - a) / 0.02 * px for a, b in pairwise(ys)]
        assert all(g >= line for g in gaps), (px, gaps)
    tall = [v for _, level in axis.tickValues(30_000, 50_000, 400) for v in level]
    assert len(tall) >= 4
