"""Chart frames: position lines stay visible, and a 1,000,000-point history still updates (no timing asserts —
speed lives in bench/frame_time.py)."""
from __future__ import annotations

import numpy as np
import pytest

from terminal.session.history import RingBuffer

POINTS = 1_000_000


def _open(window, leverage: float, qty: int = 10_000) -> float:
    ex = window.bridge.session.exchange
    window.bridge.orders.set_leverage("XBTUSD", leverage)
    ack = window.bridge.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": qty, "type": "market"})
    assert ack.accepted, ack.reason
    liq = ex.liq_bk("XBTUSD")[0]
    assert liq is not None
    return float(liq)


def test_a_5x_liquidation_line_19_percent_away_is_an_edge_label_not_a_flattened_price(window):
    liq = _open(window, 5)
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    assert 0.1 < (last - liq) / last < 0.35  # ~19 % below
    charts = window.charts
    line = charts.line("liq")
    assert line is not None and line.value() == pytest.approx(liq)
    y0, y1 = charts.price.getPlotItem().vb.viewRange()[1]
    assert y0 <= last <= y1 and liq < y0 and (y1 - y0) < last * 0.05  # the price keeps the chart's height
    assert charts.edge_label("liq") is not None and charts._fmt(liq) in charts.edge_label("liq")


def test_a_100x_liquidation_line_next_to_the_price_is_inside_the_range(window):
    liq = _open(window, 100, qty=1000)
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    assert (last - liq) / last < 0.01
    y0, y1 = window.charts.price.getPlotItem().vb.viewRange()[1]
    assert y0 <= liq <= y1 and y0 <= last <= y1
    assert window.charts.edge_label("liq") is None


def test_a_liquidation_price_beyond_35_percent_gets_an_edge_label(window):
    liq = _open(window, 1.5)
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    assert (last - liq) / last > 0.35
    charts = window.charts
    y0 = charts.price.getPlotItem().vb.viewRange()[1][0]
    assert liq < y0  # not squashing the price into a sliver ...
    text = charts.edge_label("liq")  # ... but still on screen, pinned to the bottom edge
    assert text is not None and text.startswith("Liq ") and text.endswith("↓")
    assert charts._fmt(liq) in text
    assert charts.edges.items["liq"].isVisible()


def test_a_fill_marker_is_drawn_at_the_fill(window):
    _open(window, 10)
    fill = window.bridge.session.exchange.fills[-1]
    fills = window.charts.markers.fills
    xs, ys = fills.getData()
    assert len(xs) == 1 and xs[0] == pytest.approx(fill.time / 1000) and ys[0] == pytest.approx(fill.price)
    x0, x1 = window.charts.price.getPlotItem().vb.viewRange()[0]
    assert x0 <= xs[0] <= x1


def test_a_million_point_history_still_updates_the_curves_with_bounded_points(qtbot):
    from ui.window.main_window import build_window, fresh_session

    session = fresh_session()
    session.ensure_feed("XBTUSD")
    n = 0
    while n < POINTS:
        n += session.advance(1 << 62, min(200_000, POINTS - n), primary="XBTUSD")
    t = session.prices["XBTUSD"].view()[:, 0].copy()
    eq = RingBuffer(POINTS, 3)
    eq.extend(np.column_stack((t, np.ones(POINTS), np.ones(POINTS))))
    liq = RingBuffer(POINTS, 3)
    mark = session.prices["XBTUSD"].view()[:, 2]
    liq.extend(np.column_stack((t, mark * 0.9, mark)))
    session.history.capacity = POINTS
    session.history.equity["XBT"] = eq
    session.history.liquidation["XBTUSD"] = liq
    win = build_window(session)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    charts, bridge = win.charts, win.bridge
    curves = {"last": charts.last_curve, "margin": charts.margin_curve, "liq": charts.liq_curve}
    calls = dict.fromkeys(curves, 0)
    for key, curve in curves.items():
        orig = curve.setData

        def spy(*a, _orig=orig, _key=key, **k):  # type: ignore[no-untyped-def]
            calls[_key] += 1
            return _orig(*a, **k)

        curve.setData = spy  # type: ignore[method-assign]
    before = {k: float(c.xData[-1]) for k, c in curves.items()}
    bridge.clock.speed = "100x"
    for _ in range(6):  # staggered: every chart gets at least two turns
        bridge.tick(0.016)
    assert all(v >= 2 for v in calls.values()), calls
    width = charts.price.getPlotItem().vb.width()
    for key, curve in curves.items():
        x = curve.xData
        assert x[-1] >= before[key]  # (equity / liquidation are sampled at a bounded rate, prices every tick)
        assert 0 < len(x) <= 2 * (max(200, width) + 2)  # peak-decimated: ≤ 2 points per pixel, not 1,000,000
        assert np.all(np.diff(x) >= 0)  # time-ordered
    assert charts.last_curve.xData[-1] > before["last"]  # the newest price tick is on the curve
    x0, x1 = charts.price.getPlotItem().vb.viewRange()[0]
    assert x0 <= session.now_ms / 1000 <= x1
