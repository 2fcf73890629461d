"""Switching the symbol keeps what a typed size means: the unit box was put back to contracts while the number
stayed, so $20,000 of XBTUSDT became 20,000 contracts of ETHUSDT (Buy enabled) and 1 XBT became 1 contract."""
from __future__ import annotations

import pytest

from ui.order.form import OrderForm


def _type_size(form: OrderForm, text: str, unit: str) -> None:
    form.size_unit.setCurrentText(unit)
    form.size_box.setText(text)
    form.size_box.textEdited.emit(text)


def test_a_usd_size_stays_usd_on_a_symbol_that_takes_usd(window):
    b = window.bridge
    form = window.findChild(OrderForm, "orderForm")
    form.symbol.setCurrentText("XBTUSDT")
    b.jump_to(b.session.now_ms + 10_000)
    _type_size(form, "20000", "USD")
    form.symbol.setCurrentText("ETHUSDT")
    b.jump_to(b.session.now_ms + 2_000)
    assert form.size_unit.currentText() == "USD" and form.size_box.text() == "20000"
    draft = form.draft()
    assert not isinstance(draft, str) and draft.qty != 20_000
    inst = b.catalog["ETHUSDT"]
    assert draft.qty == round(inst.contracts_from(20_000, "usd", form.last_price()) / inst.lot_size) * inst.lot_size


@pytest.mark.parametrize("other", ["ETHUSDT", "ETHUSD"])  # another coin; contracts only
def test_a_coin_size_is_not_read_as_contracts_or_as_another_coin(window, other):
    b = window.bridge
    form = window.findChild(OrderForm, "orderForm")
    form.symbol.setCurrentText("XBTUSDT")
    b.jump_to(b.session.now_ms + 10_000)
    _type_size(form, "1", "XBT")
    form.symbol.setCurrentText(other)
    b.jump_to(b.session.now_ms + 2_000)
    inst = b.catalog[other]
    assert form.size_unit.currentText() == "Cont"
    assert form.size_box.text() == str(max(10 * inst.lot_size, inst.min_order_qty))  # the default size, never "1"
