"""The window: the status bar's fill model after ◀ Back (sim.back). The trainer chose 'stressed'; going back must not
silently switch the session to 'realistic' (and must not change fills that happened before the moment)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QToolButton


def test_back_keeps_the_fill_model_and_the_past(qtbot, window):  # type: ignore[no-untyped-def]
    bridge = window.bridge
    combo = window.findChild(QComboBox, "status.fillModel")
    combo.setCurrentIndex(combo.findText("Fills: stressed"))
    assert bridge.fill_model == "stressed"
    bridge.jump_to(bridge.session.now_ms + 20_000)
    ack = bridge.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 300_000, "type": "market"})
    assert ack.accepted, ack
    before = [(f.order_id, f.qty, f.price) for f in bridge.session.exchange.fills]
    bridge.jump_to(bridge.session.now_ms + 90_000)
    back = window.findChild(QToolButton, "sim.back")
    back.click()
    after = [(f.order_id, f.qty, f.price) for f in bridge.session.exchange.fills]
    assert combo.currentText() == "Fills: stressed" and bridge.fill_model == "stressed"
    assert after == before
