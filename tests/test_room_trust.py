"""Trust-breakers a room notices (issue 13), each driven through the real window by objectName.

Every test here failed before its fix: the speed box and the clock, a scenario's silent end, the toolbar's source
after a new account, a source switch moving the price under a position, the coach and a resting stop, a refused
drag, a jump that erased the drawdown, Ctrl+S selling, switching accounts, fees in realised PnL, CSV exports.
"""
from __future__ import annotations

import csv
import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPushButton

from terminal.domain.orders import OrderRequest


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def buy(qtbot, win, qty: int = 1000, leverage: float | None = None) -> None:
    if leverage is not None:
        win.form.leverage.set_value(leverage)
        win.form.ensure_settings()
    size = w(win, QLineEdit, "orderForm.size")
    size.setText(str(qty))
    win.form.refresh()
    qtbot.mouseClick(w(win, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)


def last(win) -> float:
    return win.bridge.session.exchange.markets[win.bridge.symbol].last


# ---------------------------------------------------------------- the clock
def test_the_speed_box_names_the_speed_the_clock_runs_at_after_launch(qtbot, window):
    from ui.app import start_clock

    start_clock(window)
    try:
        assert window.bridge.running
        assert w(window, QComboBox, "sim.speed").currentText() == window.bridge.clock.speed == "1x"
    finally:
        window.bridge.set_speed("pause")


def test_a_scenario_that_ends_pauses_and_says_so(qtbot, window):
    from terminal.feeds.spec import FeedSpec

    window.bridge.set_source(FeedSpec(kind="scenario", name="funding-spike", symbol="XBTUSD"))
    window.bridge.set_speed("max")
    for _ in range(400):
        window.bridge.tick(0.016)
        if not window.bridge.running:
            break
    assert not window.bridge.running and w(window, QAbstractButton, "sim.play").text() == "Play"
    banner = w(window, QLabel, "scenario.endBanner")
    assert banner.isVisible() and "Scenario over" in banner.text()
    for name in ("scenario.replay", "scenario.continueSynthetic", "scenario.report"):
        assert w(window, QPushButton, name).isVisible()
    before = last(window)
    qtbot.mouseClick(w(window, QPushButton, "scenario.continueSynthetic"), Qt.MouseButton.LeftButton)
    assert window.bridge.session.feed_specs["XBTUSD"].kind == "synthetic"
    assert w(window, QComboBox, "sim.source").currentText() == "Synthetic market"
    assert abs(last(window) - before) <= before * 0.0002  # carries on from the last price
    assert not banner.isVisible()


# ---------------------------------------------------------------- the price source
def test_toolbar_names_the_new_accounts_source(qtbot, tmp_path):
    from ui import create_main_window

    win = create_main_window(tmp_path)
    qtbot.addWidget(win)
    try:
        src = w(win, QComboBox, "sim.source")
        src.setCurrentText("Scenario: Flash crash")
        assert win.bridge.session.feed_specs["XBTUSD"].kind == "scenario"
        win.accounts.create("trainee-2", {"XBT": 100_000_000, "USDT": 10_000_000_000})
        spec = win.bridge.session.feed_specs.get("XBTUSD")
        want = "Synthetic market" if spec is None or spec.kind == "synthetic" else "Scenario: Flash crash"
        assert src.currentText() == want  # the toolbar names the new account's own source
        win.accounts.switch("default") if "default" in win.accounts.accounts() else None
        spec = win.bridge.session.feed_specs.get("XBTUSD")
        assert src.currentText() == ("Synthetic market" if spec is None or spec.kind == "synthetic"
                                     else "Scenario: Flash crash")
    finally:
        win.close()


@pytest.mark.parametrize("target", ["Scenario: Flash crash", "Scenario: Short squeeze", "Synthetic market"])
def test_switching_the_source_never_moves_the_price_under_a_position(qtbot, window, target):
    src = w(window, QComboBox, "sim.source")
    if target == "Synthetic market":  # go the other way: from a scenario back to the synthetic market
        src.setCurrentText("Scenario: Slow bleed")
        window.bridge.jump_to(window.bridge.session.now_ms + 20 * 60_000)
    buy(qtbot, window, 1000, 25)
    pos = window.bridge.last.snapshot.position("XBTUSD")
    assert pos is not None
    before, roe = last(window), pos.roe_pct
    src.setCurrentText(target)
    after = window.bridge.last.snapshot.position("XBTUSD")
    assert abs(last(window) - before) <= before * 0.0002, (before, last(window))  # a tick of noise, no jump
    assert abs(after.roe_pct - roe) < 5.0  # not +83 % for nothing


def test_start_over_trades_at_the_scenarios_price_without_an_instant_liquidation(qtbot, window):
    src = w(window, QComboBox, "sim.source")
    src.setCurrentText("Scenario: Short squeeze")
    window.bridge.jump_to(window.bridge.session.now_ms + 25 * 60_000)  # far from the start price
    assert abs(last(window) - 50_000) > 200
    w(window, QAction, "training.scenarios").trigger()
    dlg = window.training.picker
    qtbot.addWidget(dlg)
    dlg.list.setCurrentRow([s.name for s in dlg.scenarios].index("flash-crash"))
    assert dlg.start_over_selected(confirm=False)
    assert abs(last(window) - 50_000) < 100  # the market shows the scenario's start at once, not the old price
    buy(qtbot, window, 1000, 25)
    ex = window.bridge.session.exchange
    assert not ex.liquidations
    fill = ex.fills[-1]
    assert abs(fill.price - 50_000) < 50_000 * 0.002  # the flash crash starts at 50,000
    window.bridge.step()
    assert not ex.liquidations and ex.positions["XBTUSD"].qty == 1000


# ---------------------------------------------------------------- coach, drag, jumps
def test_the_coach_counts_a_resting_reduce_only_stop_as_a_stop_loss(qtbot, window):
    buy(qtbot, window, 1000, 3)
    stop = window.form.inst.round_price(last(window) * 0.97)
    ack = window.bridge.orders.place(OrderRequest(symbol="XBTUSD", side="sell", qty=1000,
                                                                type="stop_market", stop_price=stop,
                                                                reduce_only=True))
    assert ack.accepted
    window.training.coach.update_now()
    text = w(window, QLabel, "coach.warnings").text()
    assert "stop-loss" not in text.lower(), text


def test_a_refused_drag_snaps_the_line_back_to_the_real_order(qtbot, window):
    ex = window.bridge.session.exchange
    px = window.form.inst.round_price(last(window) * 0.98)
    ack = window.bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000,
                                                                type="limit", price=px))
    line = window.charts.line(f"order:{ack.order_id}")
    assert line is not None and line.value() == px
    line.setValue(last(window) * 1.05)  # a buy limit dragged above the market with post-only: refused below
    ex.orders[ack.order_id].post_only = True
    line.sigPositionChangeFinished.emit(line)
    assert ex.orders[ack.order_id].price == px  # refused
    assert line.value() == px  # and the line is back on the order


def test_jumping_an_hour_keeps_the_drawdown_on_the_equity_and_liquidation_charts(qtbot, window):
    src = w(window, QComboBox, "sim.source")
    src.setCurrentText("Scenario: Flash crash")
    buy(qtbot, window, 1000, 2)
    eq = window.bridge.session.history.equity["XBT"]
    n0 = eq.count
    w(window, QAction, "sim.jump60m").trigger()
    rows = eq.view()[n0:]
    assert len(rows) >= 60  # at least a point a minute of the jumped hour
    liq = window.bridge.session.history.liquidation["XBTUSD"].view()
    assert len(liq) >= 60
    marks = liq[:, 2]
    assert marks.min() < marks[-1] * 0.95  # the crash's bottom is on the chart


# ---------------------------------------------------------------- keys and menus
STANDARD = [k for k in QKeySequence.StandardKey if k != QKeySequence.StandardKey.UnknownKey]


def test_trading_hotkeys_never_collide_with_common_shortcuts(qtbot, window):
    common = {s.toString() for k in STANDARD for s in QKeySequence.keyBindings(k)}
    common |= {"Ctrl+S", "Ctrl+Shift+S", "Ctrl+B", "Ctrl+P", "Ctrl+Q", "Ctrl+W", "Ctrl+N", "Ctrl+O"}
    for name in ("buy", "sell", "cancelAll", "closePosition"):
        a = w(window, QAction, f"hotkey.{name}")
        for key in a.shortcuts():
            assert key.toString() not in common, (name, key.toString())
    ex = window.bridge.session.exchange
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not ex.fills  # Ctrl+S is Save everywhere: it never sells


def test_file_menu_quits_with_ctrl_q_and_f1_lists_every_key(qtbot, window):
    quit_action = w(window, QAction, "action.quit")
    assert quit_action.shortcut().toString() == "Ctrl+Q"
    assert any(a.text().replace("&", "") == "File" for a in window.menuBar().actions())
    window.training.hotkeys.toggle_help()
    help_text = " ".join(lab.text() for lab in window.training.hotkeys.help.findChildren(QLabel))
    for key in ("F5", "F6", "F7", "F8", "F9", "F1", "Ctrl+Q"):
        assert key in help_text, key
    for a in window.findChildren(QAction):
        for k in a.shortcuts():
            assert k.toString(QKeySequence.SequenceFormat.NativeText) in help_text, (a.text(), k.toString())


# ---------------------------------------------------------------- accounts
def test_after_switching_accounts_curve_coach_and_liquidation_chart_show_the_new_one(qtbot, tmp_path):
    from ui import create_main_window

    win = create_main_window(tmp_path)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    try:
        buy(qtbot, win, 5000, 50)
        win.training.curve_dock.show()
        win.bridge.jump_to(win.bridge.session.now_ms + 60_000)
        assert win.training.curve.qty == 5000  # the position's size
        x, _ = win.charts.liq_curve.getData()
        assert x is not None and len(x) > 0
        win.form.size_box.setText("1000")  # no keystroke signal: only the account switch can refresh the curve
        win.accounts.create("flat", {"XBT": 100_000_000, "USDT": 0})
        pos = win.bridge.session.exchange.positions.get("XBTUSD")
        assert pos is None or pos.qty == 0
        assert win.training.curve.qty == 1000  # the new account has no position: the form's order
        x, _ = win.charts.liq_curve.getData()
        assert x is None or len(x) == 0  # no liquidation history on the new account
        coach = win.training.coach
        assert coach._key[2] is None or coach._key[2][-2] == win.bridge.last.snapshot.wallets["XBT"].margin_balance_minor
    finally:
        win.close()


# ---------------------------------------------------------------- money shown and exported
def test_realised_pnl_includes_the_entry_fee_and_the_fee_sign_matches(qtbot, window, tmp_path):
    buy(qtbot, window, 1000, 10)
    ex = window.bridge.session.exchange
    fee = ex.fills[-1].fee_minor
    assert fee > 0
    pos = window.bridge.last.snapshot.position("XBTUSD")
    assert pos.realised_pnl_minor == -fee  # BitMEX: a fresh position's realised PnL is minus the entry fee
    fills = window.tables.fills
    fee_col = [c.title for c in fills.columns].index("Fee")
    assert fills.data(fills.index(0, fee_col)).startswith("-")
    out = tmp_path / "r.html"
    window.training.export_report(out)
    html = out.read_text()
    shown = fills.data(fills.index(0, fee_col)).replace(" XBT", "")
    assert f"-{abs(fee) / 1e8:.8f}" in html.replace(",", "") or shown in html


def test_csv_exports_hold_numbers_with_a_unit_column(qtbot, window, tmp_path):
    buy(qtbot, window, 5000, 10)
    window.bridge.publish()
    for name in ("positions", "fills", "ledger"):
        model = getattr(window.tables, name)
        path = tmp_path / f"{name}.csv"
        model.export_csv(path)
        rows = list(csv.reader(path.open(encoding="utf-8")))
        head = rows[0]
        assert "unit" in [h.lower() for h in head], head
        for row in rows[1:]:
            for h, cell in zip(head, row):
                assert "," not in cell or h.lower() in ("text",), (h, cell)
                assert not cell.endswith(" XBT") and not cell.startswith("+"), (h, cell)
    rows = list(csv.reader((tmp_path / "fills.csv").open(encoding="utf-8")))
    qty = rows[0].index(next(h for h in rows[0] if h.lower().startswith("qty")))
    assert float(rows[1][qty]) == 5000


def test_units_switch_shows_sats_and_usd_everywhere(qtbot, window):
    units = w(window, QComboBox, "view.units")
    assert [units.itemText(i).lower() for i in range(units.count())][:3] == ["coin", "sats", "usd"]
    wallet = w(window, QLabel, "account.walletBalance")
    assert wallet.text() == "1.0000 XBT"
    units.setCurrentIndex(1)
    assert wallet.text() == "100,000,000 sat"
    buy(qtbot, window, 1000, 10)
    cost = w(window, QLabel, "orderForm.cost").text()
    assert cost.endswith(" sat") and "." not in cost
    pos_margin = window.tables.positions
    col = [c.title for c in pos_margin.columns].index("Margin")
    assert pos_margin.data(pos_margin.index(0, col)).endswith(" sat")
    units.setCurrentIndex(2)
    mark = window.bridge.session.exchange.markets["XBTUSD"].mark
    text = wallet.text()
    assert text.startswith("$") and text.count(".") == 1 and len(text.split(".")[1]) == 2
    usd = float(text.replace("$", "").replace(",", ""))
    assert math.isclose(usd, window.bridge.last.snapshot.wallets["XBT"].wallet_balance_minor / 1e8 * mark, rel_tol=1e-3)
    units.setCurrentIndex(0)
    assert wallet.text().endswith(" XBT")


# ---------------------------------------------------------------- small things a room sees
def test_the_order_form_does_not_jump_when_a_position_opens(qtbot, window):
    window.form.leverage.set_value(10)
    window.form.ensure_settings()
    b = w(window, QPushButton, "orderForm.buy")
    y0 = b.mapTo(window, b.rect().topLeft()).y()
    buy(qtbot, window, 1000)
    QTest.qWait(1)
    assert window.bridge.session.exchange.positions["XBTUSD"].qty == 1000
    assert b.mapTo(window, b.rect().topLeft()).y() == y0


def test_fill_toasts_leave_the_newest_prices_visible(qtbot, window):
    buy(qtbot, window, 1000)
    toast = w(window, QLabel, "alerts.toast")
    assert toast.isVisible()
    chart = window.charts.price
    top_left = chart.mapTo(window, chart.rect().topLeft())
    right_third = chart.rect().width() * 2 // 3 + top_left.x()
    assert toast.geometry().right() < right_third, (toast.geometry(), right_third)


def test_margin_ratio_toasts_are_not_repeated_while_the_ratio_wobbles(qtbot, window):
    from terminal.exchange.snapshot import WalletView

    alerts = window.training.alerts
    frame = window.bridge.publish()  # nothing booked since the last frame: no fills or liquidations in it
    wv = frame.snapshot.wallets["XBT"]
    for r in (0.51, 0.49, 0.52, 0.48, 0.505):
        frame.snapshot.wallets["XBT"] = WalletView(**{**wv.__dict__, "margin_ratio": r})
        alerts.on_frame(frame)
    assert alerts.played.count("margin-warning") == 1


def test_an_empty_liquidation_chart_has_no_zero_to_one_axis(qtbot, window):
    window.bridge.publish()
    y0, y1 = window.charts.liquidation.getPlotItem().vb.viewRange()[1]
    assert not (y0 <= 0.0 and y1 <= 1.5)
    note = w(window, QLabel, "chart.liquidationEmpty") if window.findChild(QLabel, "chart.liquidationEmpty") else None
    assert note is None or note.isVisible()


def test_a_far_liquidation_line_does_not_flatten_the_price(qtbot, window):
    window.bridge.jump_to(window.bridge.session.now_ms + 5 * 60_000)
    buy(qtbot, window, 1000, 25)
    window.bridge.publish()
    rows = window.bridge.session.prices["XBTUSD"].view()
    recent = rows[rows[:, 0] >= rows[-1, 0] - 30 * 60_000]
    span = recent[:, 1].max() - recent[:, 1].min()
    y0, y1 = window.charts.price.getPlotItem().vb.viewRange()[1]
    assert (y1 - y0) <= max(span * 4, recent[-1, 1] * 0.004), ((y0, y1), span)
    assert window.charts.edge_label("liq") is not None  # shown as a labelled edge marker instead


def test_no_multimedia_chatter_at_launch_and_its_warnings_are_filtered(qtbot, window):
    import sys

    from PySide6.QtCore import QLoggingCategory

    from ui.training.alerts import quiet_multimedia

    assert "PySide6.QtMultimedia" not in sys.modules  # no audio stack (and no PulseAudio warnings) at launch
    quiet_multimedia()
    for category in ("qt.multimedia.ffmpeg", "qt.multimedia.pulseaudio", "qt.multimedia"):
        assert not QLoggingCategory(category).isWarningEnabled()
    assert QLoggingCategory("qt.widgets").isWarningEnabled()  # only multimedia is silenced
