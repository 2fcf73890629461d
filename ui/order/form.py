"""The BitMEX order form: symbol, type, size, prices, leverage, margin mode, flags, Buy / Sell and live read-outs.

Read-outs come from the order service's ``preview_order`` (the same numbers as ``calc`` on a flat account) and are recomputed on
every keystroke, slider move and frame. Invalid input disables the buttons and says why in ``orderForm.message``;
an exchange refusal after a click shows its reason there too. Never a modal box.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.instruments import Instrument
from terminal.domain.orders import ORDER_TYPE_LABELS, OrderRequest, OrderType
from terminal.session.frame import MarketView, PositionView
from ui.order.draft import Draft, read_draft
from ui.order.leverage import LeverageControl, MarginAdjuster
from ui.order.price_field import PriceField
from ui.order.readouts import Readouts
from ui.order.settings import SettingsActions
from ui.order.tpsl import EntryPrice, TpSlSection, armed_words, expected_entry
from ui.services.bridge import Frame, SessionBridge
from ui.style import format as fmt
from ui.style import theme

FORM_TYPES = list(OrderType)  # market, limit, stops, take-profits and the trailing stop
UNIT_LABELS = {"contracts": "Cont", "usd": "USD"}


class OrderForm(SettingsActions, QWidget):
    placed = Signal(int)  # order id

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.bridge = bridge
        self.orders = bridge.orders
        self.inst: Instrument = bridge.catalog[bridge.symbol]
        self._draft: Draft | None = None
        self._lev_preview: float | None = None

        self.symbol = self._combo("orderForm.symbol", bridge.catalog.symbols)
        self.order_type = self._combo("orderForm.orderType", [ORDER_TYPE_LABELS[t] for t in FORM_TYPES])
        self.size_box = QLineEdit()
        self.size_box.setObjectName("orderForm.size")
        self.size_box.setPlaceholderText("Size")
        self.size_box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.size_box.setFont(theme.mono_font())
        self.size_unit = self._combo("orderForm.sizeUnit", [])
        self.price = self._spin("orderForm.price")
        self.stop_price = self._spin("orderForm.stopPrice")
        self.trigger = self._combo("orderForm.trigger", ["Mark", "Last", "Index"])
        self.trail_offset = self._spin("orderForm.trailOffset")
        self.trail_offset.setToolTip("Trailing stop: the distance the stop follows the market by, in price")
        self.leverage = LeverageControl(self.inst.max_leverage)
        self.margin_mode = self._combo("orderForm.marginMode", ["Isolated", "Cross"])
        self.lev_preview = QLabel("")
        self.lev_preview.setObjectName("orderForm.leveragePreview")
        self.lev_preview.setFont(theme.mono_font(-1))
        self.lev_preview.setStyleSheet(f"color: {theme.LIQ}")
        self.margin = MarginAdjuster()
        self.post_only = QCheckBox("Post-only")
        self.post_only.setObjectName("orderForm.postOnly")
        self.reduce_only = QCheckBox("Reduce-only")
        self.reduce_only.setObjectName("orderForm.reduceOnly")
        self.close_on_trigger = QCheckBox("Close on trigger")
        self.close_on_trigger.setObjectName("orderForm.closeOnTrigger")
        self.close_on_trigger.setToolTip("When it triggers, the order only closes the position (never opens one)")
        self.tif = self._combo("orderForm.timeInForce", ["GTC", "IOC", "FOK"])
        self.buy = QPushButton("Buy / Long")
        self.buy.setObjectName("orderForm.buy")
        self.sell = QPushButton("Sell / Short")
        self.sell.setObjectName("orderForm.sell")
        self.message = QLabel("")
        self.message.setObjectName("orderForm.message")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(34)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(5)
        self._labels: dict[str, QLabel] = {}
        rows: list[tuple[str, list[QWidget]]] = [
            ("Symbol", [self.symbol]), ("Type", [self.order_type]), ("Size", [self.size_box, self.size_unit]),
            ("Price", [self.price]), ("Stop Price", [self.stop_price, self.trigger]), ("Trail", [self.trail_offset]),
            ("Leverage", [self.leverage]), ("", [self.lev_preview]), ("Margin", [self.margin_mode]),
            ("Isolated", [self.margin]),
        ]
        for r, (title, widgets) in enumerate(rows):
            cap = self._labels[title] = QLabel(title)
            cap.setProperty("role", "caption")
            grid.addWidget(cap, r, 0, Qt.AlignmentFlag.AlignTop if title == "Leverage" else Qt.AlignmentFlag.AlignVCenter)
            if len(widgets) == 1:
                grid.addWidget(widgets[0], r, 1, 1, 2)
            else:
                grid.addWidget(widgets[0], r, 1)
                grid.addWidget(widgets[1], r, 2)
        grid.setColumnStretch(1, 1)
        for keep in (self.margin, self._labels["Isolated"], self.lev_preview):  # a position opening never moves the form
            policy = keep.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            keep.setSizePolicy(policy)
        flags = QHBoxLayout()
        for w in (self.post_only, self.reduce_only, self.close_on_trigger):
            flags.addWidget(w)
        flags.addStretch(1)
        flags.addWidget(QLabel("TIF"))
        flags.addWidget(self.tif)
        buttons = QHBoxLayout()
        buttons.addWidget(self.buy)
        buttons.addWidget(self.sell)

        self.readouts_box = Readouts()
        self.readouts = self.readouts_box.labels
        self.tpsl = TpSlSection()
        self.extras = QVBoxLayout()  # training widgets (the risk coach) go here

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        tpsl_cap = self._labels["TP / SL"] = QLabel("TP / SL")
        tpsl_cap.setProperty("role", "caption")
        tpsl_row = QHBoxLayout()
        tpsl_row.addWidget(tpsl_cap)
        tpsl_row.addWidget(self.tpsl, 1)
        outer.addLayout(grid)
        outer.addLayout(flags)
        outer.addLayout(tpsl_row)
        outer.addLayout(buttons)
        outer.addWidget(self.message)
        outer.addWidget(self.readouts_box)
        outer.addLayout(self.extras)
        outer.addStretch(1)

        self.symbol.currentTextChanged.connect(bridge.set_symbol)
        bridge.symbolChanged.connect(self._on_symbol)
        bridge.sessionChanged.connect(lambda _s: self._on_symbol(bridge.symbol))
        bridge.frame.connect(self._on_frame)
        for sig in (self.size_box.textEdited, self.size_unit.currentIndexChanged, self.price.valueChanged,
                    self.stop_price.valueChanged, self.reduce_only.toggled, self.post_only.toggled, self.tpsl.changed,
                    self.trail_offset.valueChanged, self.close_on_trigger.toggled):
            sig.connect(self.refresh)
        self.order_type.currentIndexChanged.connect(self._on_type)
        for spin in (self.price, self.stop_price, self.trail_offset):  # a price the box cannot take still refreshes
            spin.lineEdit().textEdited.connect(self.refresh)
        for spin in (self.price, self.stop_price):
            spin.editingFinished.connect(lambda spin=spin: self._snap(spin))
        self.leverage.previewed.connect(self._on_lev_preview)
        self.leverage.committed.connect(self._apply_leverage)
        self.leverage.crossToggled.connect(lambda on: self._apply_mode(on))
        self.margin_mode.currentIndexChanged.connect(lambda i: self._apply_mode(i == 1))
        self.margin.requested.connect(self._adjust_margin)
        self.margin.previewRequested.connect(lambda _v: self._margin_preview())
        self.buy.clicked.connect(lambda: self.submit("buy"))
        self.sell.clicked.connect(lambda: self.submit("sell"))
        self._on_symbol(bridge.symbol)
        self.set_default_size()

    # ---------------------------------------------------------------- building blocks
    def _combo(self, name: str, items: list[str]) -> QComboBox:
        c = QComboBox()
        c.setObjectName(name)
        c.addItems(items)
        return c

    def _spin(self, name: str) -> QDoubleSpinBox:
        return PriceField(name)

    def market(self) -> MarketView | None:
        """Last, mark and index of the form's symbol in the latest frame (None before its first price)."""
        f = self.bridge.last
        return f.snapshot.markets.get(self.inst.symbol) if f is not None else None

    def last_price(self) -> float:
        """The last price of the form's symbol, else the instrument's typical price."""
        m = self.market()
        return m.last if m is not None and math.isfinite(m.last) else self.inst.typical_price

    @property
    def otype(self) -> OrderType:
        return FORM_TYPES[self.order_type.currentIndex()]

    # ---------------------------------------------------------------- symbol / type
    def _on_symbol(self, symbol: str) -> None:
        unit = self.size_unit.currentText()  # what the typed size means: kept only where it means the same
        self.inst = inst = self.bridge.catalog[symbol]
        self.symbol.blockSignals(True)
        self.symbol.setCurrentText(symbol)
        self.symbol.blockSignals(False)
        for spin in (self.price, self.stop_price, self.trail_offset):
            spin.blockSignals(True)
            spin.setDecimals(inst.tick_decimals)
            spin.setSingleStep(inst.tick_size)
            spin.setRange(inst.tick_size, inst.max_price)
            spin.blockSignals(False)
        self.size_unit.blockSignals(True)
        self.size_unit.clear()
        self.size_unit.addItems([UNIT_LABELS.get(u, inst.underlying) for u in inst.qty_units])
        if self.size_unit.findText(unit) >= 0:
            self.size_unit.setCurrentIndex(self.size_unit.findText(unit))
        elif unit and self.size_box.text().strip():  # 0.5 XBT must not become 0.5 contracts (or 1 XBT, 1 ETH)
            self.size_box.setText(str(max(10 * inst.lot_size, inst.min_order_qty)))
        self.size_unit.blockSignals(False)
        self.reset_prices()
        self.leverage.set_maximum(inst.max_leverage)
        self._sync_settings()
        self.margin.set_currency(inst.settle_currency)
        self._on_type()

    def reset_prices(self) -> None:
        px = self.inst.round_price(self.last_price())
        trail = max(self.inst.round_price(px * 0.01), self.inst.tick_size)  # a trailing stop 1 % behind
        for spin, value in ((self.price, px), (self.stop_price, px), (self.trail_offset, trail)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _sync_settings(self) -> None:
        f = self.bridge.last
        if f is None or f.symbol != self.inst.symbol:
            return
        s = f.setting
        self.leverage.set_value(s.leverage)
        self.leverage.set_cross(s.cross)
        self.margin_mode.blockSignals(True)
        self.margin_mode.setCurrentIndex(1 if s.cross else 0)
        self.margin_mode.blockSignals(False)
        self._lev_preview = None

    def _on_type(self) -> None:
        t = self.otype
        limit, cond = t.has_limit_price, t.is_conditional
        for w in (self.price, self._labels["Price"]):
            w.setVisible(limit)
        trailing = t == OrderType.TRAILING_STOP
        for w in (self.stop_price, self._labels["Stop Price"]):
            w.setVisible(cond and not trailing)
        self.trigger.setVisible(cond)
        for w in (self.trail_offset, self._labels["Trail"]):
            w.setVisible(trailing)
        self.close_on_trigger.setEnabled(cond)
        if not cond:
            self.close_on_trigger.setChecked(False)
        self.post_only.setEnabled(limit)
        if not limit:
            self.post_only.setChecked(False)
        self.tif.setEnabled(t != OrderType.MARKET)
        self.refresh()

    def _snap(self, spin: QDoubleSpinBox) -> None:
        if not spin.hasAcceptableInput():  # what was typed stays, and the message says why it cannot be sent
            return
        v = self.inst.round_price(spin.value())
        if v != spin.value():
            spin.setValue(v)

    # ---------------------------------------------------------------- validation and read-outs
    def draft(self) -> Draft | str:
        """The typed order, or the reason it cannot be sent."""
        return read_draft(self)

    def refresh(self) -> None:
        """Recompute the read-outs (every keystroke, slider move and frame)."""
        d = self.draft()
        cur = self.inst.settle_currency
        lev = self.leverage.value
        if isinstance(d, str):
            self._draft = None
            self._set_buttons(False, d)
            pv = self.orders.preview_order(self.inst.symbol, 0, None, lev, self.leverage.cross)
            self.readouts_box.clear()
            self._set("availableBalance", fmt.money(cur, pv.available_balance))
        else:
            self._draft = d
            self._set_buttons(True, "")
            pv = self.orders.preview_order(self.inst.symbol, d.qty, d.preview_price, lev, self.leverage.cross)
            reduce = self.reduce_only.isChecked()
            for name, cost in (("cost", 0 if reduce else pv.buy.cost), ("costShort", 0 if reduce else pv.sell.cost)):
                self._set(name, fmt.money(cur, cost))
                self.readouts[name].setProperty("minor", cost)  # the exact Cost (order_cost), for tests and tools
            self._set("orderValue", fmt.money(cur, pv.buy.order_value))
            self._set("positionAfterLong", fmt.qty(pv.buy.position_after, sign=True))
            self._set("positionAfterShort", fmt.qty(pv.sell.position_after, sign=True))
            self._set("estLiqPriceLong", fmt.price(self.inst, pv.buy.liquidation_price))
            self._set("estLiqPriceShort", fmt.price(self.inst, pv.sell.liquidation_price))
            self._set("availableBalance", fmt.money(cur, pv.available_balance))
        entries = {} if self._draft is None else {dn: self.expected_entry(self._draft, dn) for dn in (1, -1)}
        self.tpsl.show_preview(self.inst, self._draft.qty if self._draft else 0, entries, lev)
        self._position_preview()

    def _set(self, name: str, text: str) -> None:
        self.readouts_box.set(name, text)

    def _set_buttons(self, ok: bool, why: str) -> None:
        self.buy.setEnabled(ok)
        self.sell.setEnabled(ok)
        if why or self.message.property("kind") == "input":
            self.say(why, "input" if why else None)

    def say(self, text: str, kind: str | None = None) -> None:
        colour = {"input": theme.AMBER, "reject": theme.SHORT, "ok": theme.LONG}.get(kind or "", theme.MUTED)
        if text == "Enter a size.":
            colour = theme.MUTED
        self.message.setStyleSheet(f"color: {colour}")
        self.message.setText(text)
        self.message.setProperty("kind", kind)

    def submit(self, side: str) -> int | None:
        """Send the typed order on ``side`` (with its TP / SL as the engine's bracket); returns the order id, or
        None (the reason is in the message, and nothing was changed)."""
        d = self.draft()
        if isinstance(d, str):
            self.say(d, "input")
            return None
        bracket = self.bracket_for(side, d)
        if isinstance(bracket, str):  # refused before anything is sent: the account is untouched
            self.say(bracket, "reject")
            return None
        if not self.ensure_settings():
            return None
        fields = dict(d.fields)
        if bracket is not None:
            fields["take_profit"], fields["stop_loss"] = bracket
        req = OrderRequest(side=side, **fields)
        ack = self.orders.place(req)
        if not ack.accepted:
            self.say(ack.reason or "Rejected.", "reject")
            return None
        what = f"{side.title()} {d.qty:,} {self.inst.symbol} {ORDER_TYPE_LABELS[req.type]}"
        if ack.fills:
            text = f"{what}: filled at {fmt.price(self.inst, ack.fills[-1].price)}."
        else:
            text = f"{what}: order {ack.order_id} placed."
        self.say(text + armed_words(self.inst, bracket, bool(ack.fills)), "ok")
        self.refresh()
        self.placed.emit(ack.order_id or 0)
        return ack.order_id

    def expected_entry(self, d: Draft, direction: int) -> EntryPrice:
        """The price ``d`` on ``direction`` is expected to open at (limit / stop price, else the frame's touch)."""
        return expected_entry(self.bridge.last, self.inst, d.preview_price, d.fields.get("price") is not None,
                              direction)

    def entry_estimate(self, d: Draft | None = None) -> float:
        """The price the order would open at: its limit / stop price, else the last price."""
        d = d if d is not None else self._draft
        return d.preview_price if d is not None and d.preview_price is not None else self.last_price()

    def bracket_for(self, side: str, d: Draft) -> tuple[float | None, float | None] | str | None:
        """(take-profit, stop-loss) prices for an entry on ``side`` (None when none is typed), or why not."""
        entry = self.expected_entry(d, 1 if side == "buy" else -1)
        return self.tpsl.bracket(self.inst, side, d.qty, entry.price, self.leverage.value, self.reduce_only.isChecked())

    def set_default_size(self) -> None:
        """10 lots (1,000 contracts of XBTUSD), selected so the first keystroke replaces it."""
        qty = max(10 * self.inst.lot_size, self.inst.min_order_qty)
        self.size_unit.setCurrentIndex(0)
        self.size_box.setText(str(qty))
        self.size_box.selectAll()
        self.refresh()

    def prefill_close(self, pos: PositionView) -> None:
        """Double-click on a position: the form becomes the order that closes it."""
        if pos.symbol != self.inst.symbol:
            self.symbol.setCurrentText(pos.symbol)
        self.order_type.setCurrentIndex(FORM_TYPES.index(OrderType.LIMIT))
        self.size_unit.setCurrentIndex(0)
        self.size_box.setText(str(abs(pos.size)))
        self.price.setValue(self.inst.round_price(pos.mark_price))
        self.reduce_only.setChecked(True)
        self.say(f"{'Sell' if pos.size > 0 else 'Buy'} {abs(pos.size):,} to close the {pos.symbol} position.", "ok")
        self.refresh()

    def _on_frame(self, frame: Frame) -> None:
        if frame.ticks or frame.changed:
            self.refresh()
