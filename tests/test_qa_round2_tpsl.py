"""A TP / SL typed as a price outside what the contract trades at is refused by the form in words, before anything
is sent: a stop-loss of 0.01 on XBTUSD (0 on its 0.1 tick) crashed the risk coach with ZeroDivisionError on every
keystroke (a modal error box in the app), and a take-profit of 1e300 filled the preview with 300 digits."""
from __future__ import annotations

import pytest

from ui.order.form import OrderForm


def _type(form: OrderForm, tp: str, sl: str) -> None:
    form.tpsl.unit.setCurrentText("Price")
    form.tpsl.take_profit.setText(tp)
    form.tpsl.stop_loss.setText(sl)
    form.tpsl.changed.emit()
    form.size_box.setText("100")
    form.refresh()


@pytest.mark.parametrize("tp, sl, words", [
    ("", "0.01", "Stop loss must be between 0.1 and 1,000,000.0."),
    ("", "0.04", "Stop loss must be between 0.1 and 1,000,000.0."),
    ("1e300", "", "Take profit must be between 0.1 and 1,000,000.0."),
    ("5000000", "", "Take profit must be between 0.1 and 1,000,000.0."),
])
def test_a_tp_or_sl_price_off_the_contract_is_refused_in_words_and_nothing_is_sent(qtbot, window, tp, sl, words):
    window.bridge.jump_to(window.bridge.session.now_ms + 30_000)
    form = window.findChild(OrderForm, "orderForm")
    before = window.bridge.last.snapshot
    with qtbot.captureExceptions() as raised:
        _type(form, tp, sl)
        window.bridge.jump_to(window.bridge.session.now_ms + 1_000)  # the coach reads the form on each frame
        assert form.submit("buy") is None
    assert raised == []
    assert form.message.text() == words
    assert "000,000,000" not in form.tpsl.preview.text()
    after = window.bridge.last.snapshot
    assert after.orders == before.orders and after.positions == before.positions
