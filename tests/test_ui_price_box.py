"""The order form's price boxes: an order never goes in at a price the trader did not type.

A plain Qt spin box dropped the keystrokes it could not take ("1e400" became "1400") and, when the box lost focus
with an invalid price ("0", below the tick, empty), put the previous price back without a word: the order went in
at the old price. Driven through the real widgets, keystroke by keystroke, then clicking Buy.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QPushButton

from terminal.domain.instruments import default_catalog

XBT = default_catalog()["XBTUSD"]


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def message(win) -> str:
    return w(win, QLabel, "orderForm.message").text()


def type_into(qtbot, box: QDoubleSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Delete)
    qtbot.keyClicks(box.lineEdit(), text)


def limit_form(qtbot, win, size: str = "100") -> QDoubleSpinBox:
    w(win, QComboBox, "orderForm.orderType").setCurrentText("Limit")
    box = w(win, QLineEdit, "orderForm.size")
    box.clear()
    qtbot.keyClicks(box, size)
    price = w(win, QDoubleSpinBox, "orderForm.price")
    price.setValue(XBT.round_price(win.bridge.session.exchange.markets["XBTUSD"].last * 0.9))
    return price


def account(win) -> tuple[object, int, int]:
    ex = win.bridge.session.exchange
    return win.bridge.publish().snapshot.to_dict(), len(ex.ledger), len(ex.orders)


@pytest.mark.parametrize("typed,words", [
    ("0", "out of range"), ("0.05", "out of range"), ("nan", "not a price"), ("1e400", "out of range"),
    ("abc", "not a price"), ("", "Enter a limit price"), ("-5", "out of range"), ("2000000", "out of range"),
])
def test_an_invalid_price_is_kept_as_typed_and_refused_with_the_reason(qtbot, window, typed, words):
    price = limit_form(qtbot, window)
    before = account(window)
    type_into(qtbot, price, typed)
    assert price.cleanText() == typed  # no keystroke dropped
    buy = w(window, QPushButton, "orderForm.buy")
    assert not buy.isEnabled()
    assert words in message(window), message(window)
    assert "limit price" in message(window)
    # leaving the box (the click on Buy takes the focus) must not put the previous price back
    buy.setFocus()
    assert price.cleanText() == typed
    window.form.submit("buy")
    assert account(window) == before
    assert words in message(window)


def test_a_price_off_the_tick_names_the_nearest_valid_one(qtbot, window):
    price = limit_form(qtbot, window)
    type_into(qtbot, price, "41000.25")
    assert "tick of 0.1" in message(window) and "try 41,000." in message(window), message(window)
    assert not w(window, QPushButton, "orderForm.buy").isEnabled()


def test_a_valid_typed_price_is_the_order_price(qtbot, window):
    price = limit_form(qtbot, window)
    last = window.bridge.session.exchange.markets["XBTUSD"].last
    target = XBT.round_price(last * 0.8)
    type_into(qtbot, price, "0")  # first a wrong one, then the right one
    type_into(qtbot, price, f"{target:.1f}")
    buy = w(window, QPushButton, "orderForm.buy")
    assert buy.isEnabled(), message(window)
    qtbot.mouseClick(buy, Qt.MouseButton.LeftButton)
    orders = list(window.bridge.session.exchange.orders.values())
    assert [o.price for o in orders] == [target], message(window)


def test_enter_in_an_invalid_box_keeps_the_text(qtbot, window):
    price = limit_form(qtbot, window)
    type_into(qtbot, price, "0")
    qtbot.keyClick(price.lineEdit(), Qt.Key.Key_Return)
    assert price.cleanText() == "0"
    assert "out of range" in message(window)


def test_an_absurd_size_names_the_maximum_order(qtbot, window):
    box = w(window, QLineEdit, "orderForm.size")
    for typed in ("1e30", "99999999999", "inf"):
        box.clear()
        qtbot.keyClicks(box, typed)
        msg = message(window)
        assert ("maximum order of 10,000,000" in msg) or (typed == "inf" and "more than zero" in msg), (typed, msg)
        assert not w(window, QPushButton, "orderForm.buy").isEnabled()
