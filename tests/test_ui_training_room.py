"""Training features for the room: presenter mode, hotkeys, alerts, scenario picker and the session report —
driven through the real window by objectName."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton

from terminal.feeds import list_scenarios


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier  # buy / sell (never Ctrl+S: Save)


def press(win, key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(win, key, mods)


# ---------------------------------------------------------------- presenter mode
def test_presenter_mode_enlarges_the_font_and_shows_the_last_action(qtbot, window):
    base = window.font().pointSizeF()
    caption = w(window, QLabel, "orderForm.message")  # inherits the window's font
    caption_pt = caption.font().pointSizeF()
    cost = w(window, QLabel, "orderForm.cost")
    cost_pt = cost.font().pointSizeF()
    last_pen = window.charts.last_curve.opts["pen"].width()
    w(window, QAction, "action.presenterMode").trigger()
    try:
        assert window.training.presenter.on
        assert window.font().pointSizeF() > base * 1.3 and caption.font().pointSizeF() > caption_pt * 1.3
        assert cost.font().pointSizeF() > cost_pt * 1.3  # explicitly set (monospaced) fonts grow too
        assert window.charts.last_curve.opts["pen"].width() >= 2
        overlay = w(window, QLabel, "presenter.lastAction")
        qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
        assert overlay.isVisible() and "Buy 1,000 XBTUSD" in overlay.text()
        press(window, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # pause / resume hotkey
        assert "Pause / resume" in overlay.text()
    finally:
        w(window, QAction, "action.presenterMode").trigger()
    assert window.font().pointSizeF() == base and cost.font().pointSizeF() == cost_pt
    assert caption.font().pointSizeF() == caption_pt
    assert window.charts.last_curve.opts["pen"].width() == last_pen
    assert not w(window, QLabel, "presenter.lastAction").isVisible()


# ---------------------------------------------------------------- hotkeys
def test_hotkeys_buy_sell_cancel_all_and_pause_on_the_real_window(qtbot, window):
    window.activateWindow()
    ex = window.bridge.session.exchange
    press(window, Qt.Key.Key_B, ALT_SHIFT)
    assert ex.positions["XBTUSD"].qty == 1000
    press(window, Qt.Key.Key_S, ALT_SHIFT)
    assert ex.positions["XBTUSD"].qty == 0
    # two resting limits, then cancel all
    window.form.order_type.setCurrentText("Limit")
    window.form.price.setValue(XBT_far_below(ex))
    press(window, Qt.Key.Key_B, ALT_SHIFT)
    press(window, Qt.Key.Key_B, ALT_SHIFT)
    assert len(ex.orders) == 2
    press(window, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(ex.orders) == 0
    assert not window.bridge.running
    press(window, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert window.bridge.running
    press(window, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert window.toolbar.speed.currentText() == "100x" and window.bridge.clock.speed == "100x"
    press(window, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert not window.bridge.running
    # typing in a field is never stolen by a hotkey
    size = w(window, QLineEdit, "orderForm.size")
    size.setFocus()
    size.selectAll()
    qtbot.keyClicks(size, "2000")
    assert size.text() == "2000"
    # the help overlay lists every hotkey
    press(window, Qt.Key.Key_F1)
    help_card = w(window, object, "hotkeys.help")
    assert help_card.isVisible()
    texts = " ".join(lab.text() for lab in help_card.findChildren(QLabel))
    for word in ("Buy", "Sell", "Cancel all", "Close the position", "Pause", "Speed up", "Slow down", "Fit",
                 "Presenter"):
        assert word in texts
    press(help_card, Qt.Key.Key_Escape)
    assert not help_card.isVisible()


def XBT_far_below(ex) -> float:
    return round(ex.markets["XBTUSD"].last * 0.9)


# ---------------------------------------------------------------- alerts
def test_alert_toast_on_fill_and_mute_silences_the_sound(qtbot, window):
    alerts = window.training.alerts
    toast = w(window, QLabel, "alerts.toast")
    assert not toast.isVisible()
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    assert toast.isVisible() and "Filled" in toast.text() and "1,000 XBTUSD" in toast.text()
    assert alerts.played == ["fill"]
    w(window, QAction, "training.mute").trigger()
    assert alerts.muted
    qtbot.mouseClick(w(window, QPushButton, "orderForm.sell"), Qt.MouseButton.LeftButton)
    assert alerts.played == ["fill"]  # muted: no sound
    assert toast.text().count("Filled") == 2  # the toast still tells the room


def test_margin_ratio_crossing_a_warning_level_raises_a_toast(qtbot, window):
    import dataclasses

    alerts = window.training.alerts
    frame = window.bridge.publish()
    wv = frame.snapshot.wallets["XBT"]
    hot = dataclasses.replace(wv, margin_ratio=0.83)
    snap = dataclasses.replace(frame.snapshot, wallets={**frame.snapshot.wallets, "XBT": hot})
    frame = dataclasses.replace(frame, snapshot=snap, fills=(), liquidations=())  # a frame is immutable: make another
    alerts.on_frame(frame)
    assert "Margin ratio 83 %" in w(window, QLabel, "alerts.toast").text()
    assert alerts.played == ["margin-warning"]
    alerts.on_frame(frame)  # still above: no second alert
    assert alerts.played == ["margin-warning"]


# ---------------------------------------------------------------- scenario picker
def test_scenario_picker_lists_every_scenario_and_start_over_resets(qtbot, window):
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    assert window.tables.positions.rowCount() == 1
    w(window, QAction, "training.scenarios").trigger()
    dlg = window.training.picker
    qtbot.addWidget(dlg)
    lst = w(dlg, QListWidget, "scenarios.list")
    scenarios = list_scenarios()
    assert [lst.item(i).text() for i in range(lst.count())] == [s.title for s in scenarios]
    for i, sc in enumerate(scenarios):
        lst.setCurrentRow(i)
        assert w(dlg, QLabel, "scenarios.description").text() == " ".join(sc.description.split())
    names = [s.name for s in scenarios]
    lst.setCurrentRow(names.index("short-squeeze"))
    qtbot.mouseClick(w(dlg, QPushButton, "scenarios.startOver"), Qt.MouseButton.LeftButton)
    assert window.tables.positions.rowCount() == 0 and window.tables.fills.rowCount() == 0
    assert window.findChild(QLabel, "account.walletBalance").text() == "1.0000 XBT"
    spec = window.bridge.session.feed_specs["XBTUSD"]
    assert spec.kind == "scenario" and spec.name == "short-squeeze"
    assert window.toolbar.source.currentText() == "Scenario: Short squeeze"


# ---------------------------------------------------------------- session report
def test_export_report_writes_html_with_every_section(qtbot, window, tmp_path):
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    window.bridge.clock.speed = "100x"
    for _ in range(5):
        window.bridge.tick(0.25)
    out = window.training.export_report(tmp_path / "r.html")
    assert out is not None
    html = (tmp_path / "r.html").read_text()
    for sid in ("summary", "equity", "liquidation", "fills", "liquidations", "funding", "ledger"):
        assert f'id="{sid}"' in html
    assert "XBTUSD" in html and "Report written" in window.form.message.text()
    assert (tmp_path / "r.ledger.csv").exists()


def test_export_report_from_a_stored_account(qtbot, tmp_path):
    import ui

    win = ui.create_main_window(tmp_path / "data")
    qtbot.addWidget(win)
    qtbot.mouseClick(w(win, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    out = win.training.export_report(tmp_path / "stored.html")
    assert out is not None and 'id="fills"' in (tmp_path / "stored.html").read_text()
    win.close()
