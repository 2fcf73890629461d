"""TP / SL typed in the order form become the engine's bracket (issue 11): the prices ride on the entry's order
request, the exchange arms the legs when the entry fills (sized to the fill, one-cancels-other) and the Open
Orders table shows them as ordinary orders with a parent. Driven through the real window by objectName."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSlider

from terminal.domain.instruments import default_catalog
from terminal.domain.margin import target_price_for_roe
from terminal.feeds.spec import FeedSpec

XBT = default_catalog()["XBTUSD"]


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def type_into(qtbot, box: QLineEdit, text: str) -> None:
    box.clear()
    qtbot.keyClicks(box, text)


def crash_window(qtbot):
    """A window whose XBTUSD feed is the flash-crash scenario (the fall starts after 20 quiet minutes)."""
    from ui.window.main_window import build_window, fresh_session

    s = fresh_session()
    s.set_feed("XBTUSD", FeedSpec(kind="scenario", name="flash-crash", symbol="XBTUSD"))
    win = build_window(s)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


def run_until(win, done, frames: int = 400, speed: str = "100x", wall_s: float = 0.1) -> None:
    win.bridge.clock.speed = speed  # the timer stays off: the test drives the frames
    for _ in range(frames):
        win.bridge.tick(wall_s)
        if done():
            return
    raise AssertionError("condition not reached")


def click(qtbot, win, name: str) -> None:
    qtbot.mouseClick(w(win, QPushButton, name), Qt.MouseButton.LeftButton)


def table_flags(win) -> list[str]:
    model = win.tables.orders
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Flags")
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def legs(ex, entry_id: int) -> dict[str, object]:
    return {o.type.value: o for o in ex.orders.values() if o.bracket_parent == entry_id}


# ---------------------------------------------------------------- market entry
def test_market_entry_with_tp_and_sl_has_both_legs_once_filled(qtbot, window):
    ex = window.bridge.session.exchange
    last = ex.markets["XBTUSD"].last
    tp, sl = XBT.round_price(last * 1.05), XBT.round_price(last * 0.95)
    type_into(qtbot, w(window, QLineEdit, "orderForm.takeProfit"), f"{tp}")
    type_into(qtbot, w(window, QLineEdit, "orderForm.stopLoss"), f"{sl}")
    entry_id = window.form.submit("buy")
    assert entry_id is not None and ex.fills[-1].order_id == entry_id  # filled at once
    got = legs(ex, entry_id)
    assert set(got) == {"take_profit_market", "stop_market"}
    t, s = got["take_profit_market"], got["stop_market"]
    assert (t.stop_price, s.stop_price) == (tp, sl)
    assert all(o.side == "sell" and o.reduce_only and o.qty == 1000 for o in (t, s))
    assert t.oco_id == s.id and s.oco_id == t.id  # one cancels the other
    assert "armed" in w(window, QLabel, "orderForm.message").text()
    flags = sorted(table_flags(window))  # two ordinary rows in Open Orders, each naming its entry
    assert len(flags) == 2 and all(f"of #{entry_id}" in f for f in flags)
    assert any(f.startswith("Reduce TP of") for f in flags) and any(f.startswith("Reduce SL of") for f in flags)


def test_tp_fill_cancels_the_sl(qtbot):
    """A short at market with a TP the crash reaches: the TP closes the position and the SL is gone with it
    (before issue 11 the SL stayed live and later closed part of a new position)."""
    win = crash_window(qtbot)
    ex = win.bridge.session.exchange
    last = ex.markets["XBTUSD"].last
    type_into(qtbot, w(win, QLineEdit, "orderForm.takeProfit"), f"{XBT.round_price(last * 0.97)}")
    type_into(qtbot, w(win, QLineEdit, "orderForm.stopLoss"), f"{XBT.round_price(last * 1.5)}")
    entry_id = win.form.submit("sell")
    assert entry_id is not None and len(legs(ex, entry_id)) == 2
    run_until(win, lambda: any(f.order_type == "take_profit_market" for f in ex.fills))
    assert ex.orders == {}
    assert "XBTUSD" not in ex.positions or ex.positions["XBTUSD"].qty == 0
    assert win.tables.orders.rowCount() == 0


# ---------------------------------------------------------------- resting limit entry
def test_limit_entry_legs_appear_only_after_its_fill(qtbot):
    win = crash_window(qtbot)
    ex = win.bridge.session.exchange
    last = ex.markets["XBTUSD"].last
    w(win, QComboBox, "orderForm.orderType").setCurrentText("Limit")
    limit = XBT.round_price(last * 0.97)  # the crash reaches it
    win.form.price.setValue(limit)
    type_into(qtbot, w(win, QLineEdit, "orderForm.takeProfit"), f"{limit + 1500}")
    type_into(qtbot, w(win, QLineEdit, "orderForm.stopLoss"), f"{XBT.round_price(limit * 0.5)}")
    assert f"Long at limit {limit:,.1f}: TP {limit + 1500:,.1f}" in w(win, QLabel, "orderForm.tpslPreview").text()
    click(qtbot, win, "orderForm.buy")
    entry_id = max(ex.orders)
    assert list(ex.orders) == [entry_id]  # only the entry while it rests, carrying its bracket prices
    assert (ex.orders[entry_id].take_profit, ex.orders[entry_id].stop_loss) == (limit + 1500, XBT.round_price(limit * 0.5))
    assert f"TP {limit + 1500:,.1f}" in table_flags(win)[0]
    run_until(win, lambda: any(f.order_id == entry_id for f in ex.fills))
    filled = sum(f.qty for f in ex.fills if f.order_id == entry_id)
    got = legs(ex, entry_id)
    assert set(got) == {"take_profit_market", "stop_market"}
    assert got["take_profit_market"].stop_price == limit + 1500
    assert all(o.side == "sell" and o.reduce_only and o.qty == filled for o in got.values())
    assert win.tables.orders.rowCount() == len(ex.orders)


# ---------------------------------------------------------------- ROE % targets
def test_roe_targets_are_converted_at_the_touch_for_a_market_order(qtbot, window):
    """A market buy opens at the best ask: +50 % / -25 % ROE at 20x are the prices target_price_for_roe gives for
    1,000 contracts entered there, and the entry fills at that same ask."""
    w(window, QSlider, "orderForm.leverage").setValue(2000)  # 20x
    w(window, QComboBox, "orderForm.tpslUnit").setCurrentText("ROE %")
    type_into(qtbot, w(window, QLineEdit, "orderForm.takeProfit"), "50")
    type_into(qtbot, w(window, QLineEdit, "orderForm.stopLoss"), "25")
    ask = float(window.bridge.last.book.asks[0, 0])
    tp = target_price_for_roe(XBT, 1, 1000, ask, 20, 50)
    sl = target_price_for_roe(XBT, 1, 1000, ask, 20, -25)
    preview = w(window, QLabel, "orderForm.tpslPreview").text()
    assert f"Long at ask {ask:,.1f}: TP {tp:,.1f} SL {sl:,.1f}" in preview
    assert "Short at bid" in preview
    click(qtbot, window, "orderForm.buy")
    ex = window.bridge.session.exchange
    entry = ex.fills[-1]
    assert entry.price == ask
    got = legs(ex, entry.order_id)
    assert got["take_profit_market"].stop_price == tp and got["stop_market"].stop_price == sl


def test_roe_targets_of_a_limit_are_converted_at_its_limit(qtbot, window):
    w(window, QSlider, "orderForm.leverage").setValue(1000)  # 10x
    w(window, QComboBox, "orderForm.orderType").setCurrentText("Limit")
    limit = XBT.round_price(window.bridge.session.exchange.markets["XBTUSD"].last * 0.9)
    window.form.price.setValue(limit)
    w(window, QComboBox, "orderForm.tpslUnit").setCurrentText("ROE %")
    type_into(qtbot, w(window, QLineEdit, "orderForm.takeProfit"), "30")
    click(qtbot, window, "orderForm.buy")
    entry = window.bridge.session.exchange.orders[max(window.bridge.session.exchange.orders)]
    assert entry.take_profit == target_price_for_roe(XBT, 1, 1000, limit, 10, 30) and entry.stop_loss is None


# ---------------------------------------------------------------- refusals
def test_tp_on_the_wrong_side_is_refused_in_words_and_nothing_changes(qtbot, window):
    ex = window.bridge.session.exchange
    last = ex.markets["XBTUSD"].last
    before = (window.bridge.publish().wallets, len(ex.fills), dict(ex.orders), vars(ex.setting("XBTUSD")).copy(),
              len(ex.ledger), dict(ex.positions))
    type_into(qtbot, w(window, QLineEdit, "orderForm.takeProfit"), f"{XBT.round_price(last * 0.9)}")
    click(qtbot, window, "orderForm.buy")
    message = w(window, QLabel, "orderForm.message").text()
    assert "Take profit" in message and "must be above the entry" in message
    after = (window.bridge.publish().wallets, len(ex.fills), dict(ex.orders), vars(ex.setting("XBTUSD")).copy(),
             len(ex.ledger), dict(ex.positions))
    assert after == before


def test_the_engine_refuses_a_bracket_the_form_let_through(qtbot, window):
    """The engine is the judge: a stop loss above a buy's entry never reaches the book, whoever sends it."""
    from terminal.domain.orders import OrderRequest

    ex = window.bridge.session.exchange
    last = ex.markets["XBTUSD"].last
    n = len(ex.fills)
    ack = window.bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000, type="market",
                                                  stop_loss=XBT.round_price(last * 1.1)))
    assert not ack.accepted and "stop-loss must be below the entry" in ack.reason
    assert len(ex.fills) == n and ex.orders == {}
