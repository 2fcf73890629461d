"""The order form driven like a user would, by objectName: its numbers must be calc's and the engine's."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QPushButton, QSlider

from terminal.domain.calc import calculate
from terminal.domain.instruments import default_catalog


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def text(win, name: str) -> str:
    return w(win, QLabel, name).text()


def money(currency: str, major: float) -> str:
    return f"{major:,.{4 if currency == 'XBT' else 2}f} {currency}"


def type_size(qtbot, win, size: str) -> None:
    box = w(win, QLineEdit, "orderForm.size")
    box.clear()
    qtbot.keyClicks(box, size)


def test_buy_at_10x_opens_a_position_whose_liquidation_equals_calc(qtbot, window):
    type_size(qtbot, window, "10000")
    slider = w(window, QSlider, "orderForm.leverage")
    slider.setValue(2500)
    slider.setValue(1000)
    assert w(window, QDoubleSpinBox, "orderForm.leverageInput").value() == 10.0
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)

    ex = window.bridge.session.exchange
    assert len(ex.fills) == 1, text(window, "orderForm.message")
    fill = ex.fills[0]
    model = window.findChild(object, "positions.table").model()
    assert model.rowCount() == 1
    cols = [c.title for c in model.columns]
    row = {cols[c]: model.index(0, c).data() for c in range(len(cols))}
    # the next (fixed) funding rate is reserved in a paying long's maintenance margin (MECHANICS §2): calc is told it
    rate = ex.markets["XBTUSD"].funding_rate
    expected = calculate(default_catalog(), symbol="XBTUSD", side="buy", qty=10000, entry=fill.price, leverage=10,
                         funding_rate=rate)
    assert row["Symbol"] == "XBTUSD"
    assert row["Size"] == "+10,000"
    assert row["Liq. Price"] == f"{expected['liquidation_price']:,.1f}"
    assert row["Leverage"] == "10x"
    line = window.charts.line("liq")
    assert line is not None and line.value() == pytest.approx(expected["liquidation_price"])
    assert window.charts.line("entry") is not None
    assert "filled at" in text(window, "orderForm.message")


def test_oversized_order_shows_the_reason_and_leaves_the_account_alone(qtbot, window):
    before = window.bridge.publish().snapshot.to_dict()
    ledger = len(window.bridge.session.exchange.ledger)
    type_size(qtbot, window, "5000000")
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    msg = text(window, "orderForm.message")
    assert msg.startswith("Insufficient available balance"), msg
    after = window.bridge.publish().snapshot.to_dict()
    assert after == before
    assert len(window.bridge.session.exchange.ledger) == ledger
    assert window.findChild(object, "positions.table").model().rowCount() == 0


def test_invalid_input_disables_the_buttons_and_says_why(qtbot, window):
    type_size(qtbot, window, "12x")
    assert not w(window, QPushButton, "orderForm.buy").isEnabled()
    assert not w(window, QPushButton, "orderForm.sell").isEnabled()
    assert "not a number" in text(window, "orderForm.message")
    type_size(qtbot, window, "150")
    assert "multiple of 100" in text(window, "orderForm.message")
    type_size(qtbot, window, "200")
    assert w(window, QPushButton, "orderForm.buy").isEnabled()
    assert text(window, "orderForm.message") == ""


@pytest.mark.parametrize("symbol,size,offset", [("XBTUSD", "25000", -1500.0), ("ETHUSDT", "20000", -120.0)])
def test_limit_readouts_equal_calc_on_a_flat_account(qtbot, window, symbol, size, offset):
    w(window, QComboBox, "orderForm.symbol").setCurrentText(symbol)
    w(window, QComboBox, "orderForm.orderType").setCurrentText("Limit")
    inst = default_catalog()[symbol]
    price_box = w(window, QDoubleSpinBox, "orderForm.price")
    assert price_box.isVisible() and not w(window, QDoubleSpinBox, "orderForm.stopPrice").isVisible()
    assert price_box.decimals() == inst.tick_decimals and price_box.singleStep() == inst.tick_size
    price = inst.round_price(window.bridge.session.exchange.markets[symbol].last + offset)
    price_box.setValue(price)
    w(window, QSlider, "orderForm.leverage").setValue(2000)
    type_size(qtbot, window, size)
    cur = inst.settle_currency
    rate = window.bridge.session.exchange.markets[symbol].funding_rate  # reserved in MM by the side that pays it
    buy = calculate(default_catalog(), symbol=symbol, side="buy", qty=float(size), entry=price, leverage=20,
                    funding_rate=rate)
    sell = calculate(default_catalog(), symbol=symbol, side="sell", qty=float(size), entry=price, leverage=20,
                     funding_rate=rate)
    assert text(window, "orderForm.cost") == money(cur, buy["cost"])
    assert text(window, "orderForm.orderValue") == money(cur, buy["order_value"])
    assert text(window, "orderForm.estLiqPriceLong") == inst.format_price(buy["liquidation_price"])
    assert text(window, "orderForm.estLiqPriceShort") == inst.format_price(sell["liquidation_price"])
    assert text(window, "orderForm.availableBalance") == money(cur, 1.0 if cur == "XBT" else 10000.0)


def test_slider_box_and_presets_stay_in_sync_and_33x_works_on_ada(qtbot, window):
    w(window, QComboBox, "orderForm.symbol").setCurrentText("ADAUSDT")
    slider = w(window, QSlider, "orderForm.leverage")
    box = w(window, QDoubleSpinBox, "orderForm.leverageInput")
    control = window.form.leverage
    assert slider.maximum() == 3333 and box.maximum() == pytest.approx(33.33)
    assert sorted(p / 100 for p in control.presets) == [1, 2, 3, 5, 10, 25, 33.33]
    seen: list[float] = []
    control.previewed.connect(seen.append)

    box.selectAll()
    qtbot.keyClicks(box, "33.33")
    assert slider.value() == 3333
    assert control.presets[3333].isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.bridge.session.exchange.setting("ADAUSDT").leverage == pytest.approx(33.33)

    qtbot.mouseClick(control.presets[500], Qt.MouseButton.LeftButton)
    assert box.value() == 5.0 and slider.value() == 500 and not control.presets[3333].isChecked()
    slider.setValue(1234)
    assert box.value() == pytest.approx(12.34)
    assert window.bridge.session.exchange.setting("ADAUSDT").leverage == pytest.approx(12.34)
    assert seen[-2:] == [5.0, 12.34]  # one preview per change: no ping-pong
    assert len(seen) == len(set(seen)) or seen.count(33.33) <= 2


def test_moving_leverage_on_an_open_position_previews_then_applies(qtbot, window):
    type_size(qtbot, window, "10000")
    qtbot.mouseClick(w(window, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    ex = window.bridge.session.exchange
    before = ex.liq_bk("XBTUSD")[0]
    slider = w(window, QSlider, "orderForm.leverage")
    slider.setSliderDown(True)  # a drag: preview only
    slider.setValue(2500)
    preview = text(window, "orderForm.leveragePreview")
    assert preview.startswith("Liq. at 25x:") and ex.setting("XBTUSD").leverage == 10
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    assert ex.setting("XBTUSD").leverage == 25
    after = ex.liq_bk("XBTUSD")[0]
    assert after > before and f"{after:,.1f}" in preview


def test_double_click_prefills_a_closing_order(qtbot, window):
    type_size(qtbot, window, "3000")
    qtbot.mouseClick(w(window, QPushButton, "orderForm.sell"), Qt.MouseButton.LeftButton)
    window.tables.prefillClose.emit(window.bridge.last.snapshot.positions[0])
    assert w(window, QLineEdit, "orderForm.size").text() == "3000"
    assert w(window, QComboBox, "orderForm.orderType").currentText() == "Limit"
    assert window.form.reduce_only.isChecked()
