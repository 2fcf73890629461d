"""The market views, driven through the real window by object name: ladder, tape, candles, fill-model switch."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QTableView


def _cells(view: QTableView, column: int) -> list[str]:
    m = view.model()
    return [m.index(r, column).data() or "" for r in range(m.rowCount())]


def _num(text: str) -> float:
    if text.startswith("spread"):
        return float("nan")
    t = text.replace(",", "").replace("∞", "")
    mult = 1.0
    if t.endswith("M"):
        t, mult = t[:-1], 1e6
    elif t.endswith("B"):
        t, mult = t[:-1], 1e9
    return float(t) * mult if t else float("nan")


def test_the_ladder_shows_20_levels_a_side_around_the_spread_with_cumulative_size(window):
    window.bridge.jump_to(window.bridge.session.now_ms + 60_000)
    ladder = window.findChild(QTableView, "book.ladder")
    assert ladder is not None and ladder.isVisible()
    prices = [_num(t) for t in _cells(ladder, 0)]
    sizes = [_num(t) for t in _cells(ladder, 1)]
    totals = [_num(t) for t in _cells(ladder, 2)]
    asks, bids = prices[:20], prices[21:]
    assert all(np.isfinite(asks)) and all(np.isfinite(bids))
    assert asks == sorted(asks, reverse=True) and bids == sorted(bids, reverse=True)
    assert min(asks) > max(bids)  # the spread row sits between the best ask and the best bid
    assert "spread" in _cells(ladder, 0)[20]
    # cumulative: each bid's total is the sum of the sizes from the best bid down (display rounding aside)
    bid_sizes, bid_totals = sizes[21:], totals[21:]
    for k in (0, 5, 19):
        assert bid_totals[k] == np.float64(sum(bid_sizes[: k + 1])) or abs(bid_totals[k] / sum(bid_sizes[: k + 1]) - 1) < 0.01


def test_clicking_a_ladder_level_prefills_a_limit_order_at_that_price(qtbot, window):
    window.bridge.jump_to(window.bridge.session.now_ms + 30_000)
    ladder = window.findChild(QTableView, "book.ladder")
    row = 25  # the fifth bid
    price = _num(ladder.model().index(row, 0).data())
    ladder.scrollTo(ladder.model().index(row, 0))
    rect = ladder.visualRect(ladder.model().index(row, 0))
    qtbot.mouseClick(ladder.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    kind = window.findChild(QComboBox, "orderForm.orderType")
    spin = window.findChild(QDoubleSpinBox, "orderForm.price")
    assert kind.currentText().lower() == "limit"
    assert spin.value() == price


def test_your_resting_order_is_marked_at_its_level_and_a_market_order_prints_on_the_tape(qtbot, window):
    bridge = window.bridge
    bridge.jump_to(bridge.session.now_ms + 30_000)
    ladder = window.findChild(QTableView, "book.ladder")
    price = _num(ladder.model().index(23, 0).data())  # the third bid
    ack = bridge.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": price})
    assert ack.accepted, ack
    mine = _cells(ladder, 3)
    row = [_num(t) for t in _cells(ladder, 0)].index(price)
    assert _num(mine[row]) == 1_000
    ack = bridge.orders.place({"symbol": "XBTUSD", "side": "sell", "qty": 400_000, "type": "market"})
    assert ack.accepted, ack
    tape = window.findChild(QTableView, "trades.tape")
    sizes = _cells(tape, 1)
    assert any(s.startswith("400,000") and "you" in s for s in sizes)


def test_candles_follow_the_timeframe_box_and_the_line_view_stays_available(qtbot, window):
    bridge = window.bridge
    bridge.jump_to(bridge.session.now_ms + 10 * 60_000)
    layer = window.charts.price.findChild(QObject, "chart.candles")
    assert layer is window.market_views.candles
    tf = window.findChild(QComboBox, "chart.timeframe")
    tf.setCurrentText("1m")
    bridge.publish()
    bars_1m = layer.item.bars
    assert bars_1m.shape[0] >= 5 and layer.item.isVisible()
    assert np.all(bars_1m[:, 2] >= np.maximum(bars_1m[:, 1], bars_1m[:, 4]))  # high ≥ open, close
    assert np.all(bars_1m[:, 3] <= np.minimum(bars_1m[:, 1], bars_1m[:, 4]))
    assert np.all(np.diff(bars_1m[:, 0]) % 60 == 0)
    tf.setCurrentText("5m")
    bridge.publish()
    bars_5m = layer.item.bars
    assert 0 < bars_5m.shape[0] < bars_1m.shape[0]
    assert float(bars_5m[:, 5].sum()) == float(bars_1m[bars_1m[:, 0] >= bars_5m[0, 0], 5].sum())
    tf.setCurrentText("Line")
    assert not layer.item.isVisible() and window.charts.last_curve.isVisible()
    tf.setCurrentText("1m")
    bridge.publish()
    t_s, close = float(bars_1m[-2, 0]) + 30, float(bars_1m[-2, 4])
    text = layer.read_at(t_s, close)
    assert text.startswith("O ") and " V " in text


def test_the_crosshair_says_how_far_the_cursor_is_from_your_liquidation_price(window):
    bridge = window.bridge
    bridge.jump_to(bridge.session.now_ms + 60_000)
    bridge.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "market"})
    bridge.publish()
    pos = bridge.last.position("XBTUSD")
    liq = pos.liquidation_price
    layer = window.market_views.candles
    y = liq * 1.1
    text = layer.read_at(bridge.now_ms / 1000, y)
    assert f"{(liq - y) / y * 100:+.2f} %" in text


def test_the_status_bar_switches_the_fill_model_and_ideal_says_unlimited_depth(qtbot, window):
    combo = window.findChild(QComboBox, "status.fillModel")
    assert combo.currentText() == "Fills: realistic"
    combo.setCurrentText("Fills: ideal")
    assert window.bridge.fill_model == "ideal"
    window.bridge.jump_to(window.bridge.session.now_ms + 10_000)
    notice = window.findChild(QLabel, "book.notice")
    assert notice.isVisible() and "unlimited" in notice.text().lower()
    ladder = window.findChild(QTableView, "book.ladder")
    assert _cells(ladder, 1)[19] == "∞"
    combo.setCurrentText("Fills: stressed")
    window.bridge.jump_to(window.bridge.session.now_ms + 10_000)
    assert not notice.isVisible()
    prices = [_num(t) for t in _cells(ladder, 0)]
    assert prices[19] - prices[21] >= 2 * window.bridge.catalog["XBTUSD"].tick_size


def test_a_taker_fill_carries_its_slippage_receipt_in_the_fills_table(window):
    bridge = window.bridge
    bridge.jump_to(bridge.session.now_ms + 30_000)
    assert bridge.orders.set_leverage("XBTUSD", 100).accepted
    ack = bridge.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 3_000_000, "type": "market"})
    assert ack.accepted, ack
    (fill,) = ack.fills
    assert fill.intended_price is not None and fill.price > fill.intended_price and (fill.levels or 0) > 1
    table = window.findChild(QTableView, "fills.table")
    m = table.model()
    headers = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    row = [m.index(0, c).data() for c in range(m.columnCount())]
    slip = row[headers.index("Slippage")]
    assert f"{fill.slippage_bps:+.2f} bps" in slip and f"{fill.levels} levels" in slip
    assert row[headers.index("Slip cost")].startswith("-"), (row, fill)  # it cost the buyer


def _running(window, frames: int = 10):
    """The clock at 100x (the bench's speed), the throttles' wall clock frozen: only the frame count paces them."""
    bridge, mv = window.bridge, window.market_views
    bridge.jump_to(bridge.session.now_ms + 30_000)
    for due in (mv.ladder_due, mv.tape_due):
        due.clock = lambda: 0.0
    bridge.clock.speed = "100x"
    for _ in range(frames):
        bridge.tick(0.016)
    return bridge, mv


def test_on_the_running_clock_the_ladder_redraws_about_12_times_a_second_and_shows_the_latest_book(window):
    from ui.market.throttle import EVERY

    bridge, mv = _running(window)
    drawn = []
    real = mv.ladder.update_frame
    mv.ladder.update_frame = lambda frame: (drawn.append(frame.seq), real(frame))  # type: ignore[method-assign]
    frames = [bridge.tick(0.016) for _ in range(6 * EVERY)]
    assert all(f.live and not f.changed for f in frames)
    assert len(drawn) == 6  # one live frame in EVERY (12 Hz at 60 fps), not all 30
    model = mv.ladder.model
    latest = next(f for f in reversed(frames) if f.seq == drawn[-1])
    assert frames[-1].seq - latest.seq < EVERY  # the book on screen is never more than EVERY - 1 frames old
    assert model.price[19] == latest.book.asks[0, 0] and model.price[21] == latest.book.bids[0, 0]
    while bridge.last.seq - drawn[-1] < EVERY - 1:  # the next frame due: the ladder is the latest frame's book
        bridge.tick(0.016)
    frame = bridge.tick(0.016)
    assert drawn[-1] == frame.seq and model.price[21] == frame.book.bids[0, 0] and model.size[21] == frame.book.bids[0, 1]


def test_on_the_running_clock_your_fill_is_on_the_tape_on_the_frame_that_booked_it(window):
    bridge, mv = _running(window)
    tape = window.findChild(QTableView, "trades.tape")
    skipped = 0
    for _ in range(10):
        frame = bridge.tick(0.016)
        skipped += mv.tape.model_.count != frame.tape.count
    assert skipped >= 5  # the tape is throttled
    book = bridge.last.book
    for order in ({"side": "buy", "qty": 100, "type": "limit", "price": float(book.bids[0, 0])},
                  {"side": "buy", "qty": 100, "type": "stop_market", "stop_price": float(book.asks[0, 0]) + 1}):
        assert bridge.orders.place({"symbol": "XBTUSD", **order}).accepted
    for _ in range(2000):
        frame = bridge.tick(0.016)
        if frame.fills:
            break
    assert frame.fills and frame.live
    assert mv.tape.model_.count == frame.tape.count  # drawn on that frame, whatever the throttle's turn
    assert any(s.endswith(" you") for s in _cells(tape, 1))


def test_on_the_running_clock_a_liquidation_print_is_on_the_tape_on_its_frame(window):
    from terminal.market.views import CROWD_LIQUIDATION

    bridge, mv = _running(window)
    tape = window.findChild(QTableView, "trades.tape")
    for _ in range(20):  # find a frame the tape drew: the next one is not its turn
        frame = bridge.tick(0.016)
        if mv.tape.model_.count == frame.tape.count:
            break
    book = bridge.session.market.books["XBTUSD"]
    book.tape.append(bridge.session.now_ms, float(frame.book.bids[0, 0]), 123_456, -1, CROWD_LIQUIDATION)
    frame = bridge.tick(0.016)
    assert mv.tape.model_.count == frame.tape.count
    assert any(s == "123,456 LIQ" for s in _cells(tape, 1))


def test_the_throttle_never_holds_a_view_back_longer_than_its_wall_time_bound_on_slow_frames():
    from itertools import pairwise
    from types import SimpleNamespace

    from ui.market.throttle import MAX_WAIT_S, Throttle

    now = [0.0]
    due = Throttle(clock=lambda: now[0])
    live = SimpleNamespace(live=True, changed=False, reset=False, fills=(), liquidations=())
    drawn_at = []
    for _ in range(40):  # 50 ms frames (20 fps): the frame count alone would wait 250 ms
        now[0] += 0.05
        if due.due(live):  # type: ignore[arg-type]
            drawn_at.append(now[0])
    assert max(b - a for a, b in pairwise(drawn_at)) <= MAX_WAIT_S + 0.05 <= 0.15
    assert due.due(SimpleNamespace(live=False, changed=False, reset=False, fills=(), liquidations=()))  # type: ignore[arg-type]


def test_each_closed_candle_is_drawn_in_its_colour_where_its_body_is(window):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor

    from ui.style import theme

    bridge = window.bridge
    bridge.jump_to(bridge.session.now_ms + 20 * 60_000)
    layer = window.market_views.candles
    window.charts.mark_curve.setVisible(False)  # nothing over the bodies but the candles
    bridge.publish()
    item, vb = layer.item, window.charts.price.getPlotItem().vb
    image = window.charts.price.grab().toImage()
    view = window.charts.price
    ratio = image.devicePixelRatio()
    checked = 0
    for t, o, _h, _lo, c, _v in item.bars[:-1]:
        if abs(c - o) < (vb.viewRange()[1][1] - vb.viewRange()[1][0]) * 0.01:
            continue  # too flat to sample inside the body
        pos = view.mapFromScene(vb.mapViewToScene(QPointF(t + item.width_s / 2, (o + c) / 2)))
        if not view.viewport().rect().contains(pos):
            continue
        pixel = image.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))
        want = QColor(theme.LONG if c >= o else theme.SHORT)
        assert (pixel.red(), pixel.green(), pixel.blue()) == (want.red(), want.green(), want.blue()), (t, o, c)
        checked += 1
    assert checked >= 3


def test_a_hidden_ladder_and_tape_show_the_latest_frame_when_shown_again_while_paused(window):
    bridge, mv = window.bridge, window.market_views
    bridge.jump_to(bridge.session.now_ms + 30_000)
    mv.book_dock.hide()
    mv.tape_dock.hide()
    frame = bridge.jump_to(bridge.session.now_ms + 60_000)  # the last frame before the docks come back
    assert mv.ladder.model.price[21] != frame.book.bids[0, 0] or mv.tape.model_.count != frame.tape.count
    mv.book_dock.show()
    mv.tape_dock.show()
    assert mv.ladder.model.price[21] == frame.book.bids[0, 0]
    assert mv.tape.model_.count == frame.tape.count
