"""The BitMEX order form: symbol, type, size, prices, leverage, margin mode, flags, Buy / Sell and live read-outs.

Read-outs come from ``exchange.preview`` (the same numbers as ``calc`` on a flat account) and are recomputed on
every keystroke, slider move and frame. Invalid input disables the buttons and says why in ``orderForm.message``;
an exchange refusal after a click shows its reason there too. Never a modal box.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QVBoxLayout, QWidget,
)

from terminal.instruments import Instrument
from terminal.money import to_minor
from terminal.orders import ORDER_TYPE_LABELS, OrderRequest, OrderType
from terminal.snapshot import PositionView
from ui import format as fmt
from ui import theme
from ui.bridge import Frame, SessionBridge
from ui.leverage_control import LeverageControl, MarginAdjuster

FORM_TYPES = [t for t in OrderType if t != OrderType.TRAILING_STOP]
UNIT_LABELS = {"contracts": "Cont", "usd": "USD"}


@dataclass
class Draft:
    """A valid order as typed: contracts, the price to preview at, and the request minus the side."""

    qty: int
    preview_price: float | None
    fields: dict[str, object]


class OrderForm(QWidget):
    placed = Signal(int)  # order id

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderForm")
        self.bridge = bridge
        self.inst: Instrument = bridge.session.catalog[bridge.symbol]
        self._draft: Draft | None = None
        self._lev_preview: float | None = None

        self.symbol = self._combo("orderForm.symbol", bridge.session.catalog.symbols)
        self.order_type = self._combo("orderForm.orderType", [ORDER_TYPE_LABELS[t] for t in FORM_TYPES])
        self.size = QLineEdit()
        self.size.setObjectName("orderForm.size")
        self.size.setPlaceholderText("Size")
        self.size.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.size.setFont(theme.mono_font())
        self.size_unit = self._combo("orderForm.sizeUnit", [])
        self.price = self._spin("orderForm.price")
        self.stop_price = self._spin("orderForm.stopPrice")
        self.trigger = self._combo("orderForm.trigger", ["Mark", "Last", "Index"])
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
            ("Symbol", [self.symbol]), ("Type", [self.order_type]), ("Size", [self.size, self.size_unit]),
            ("Price", [self.price]), ("Stop Price", [self.stop_price, self.trigger]),
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
        flags = QHBoxLayout()
        for w in (self.post_only, self.reduce_only):
            flags.addWidget(w)
        flags.addStretch(1)
        flags.addWidget(QLabel("TIF"))
        flags.addWidget(self.tif)
        buttons = QHBoxLayout()
        buttons.addWidget(self.buy)
        buttons.addWidget(self.sell)

        self.readouts: dict[str, QLabel] = {}
        ro = QGridLayout()
        ro.setVerticalSpacing(2)
        for c, head in enumerate(("", "Long", "Short")):
            h = QLabel(head)
            h.setProperty("role", "caption")
            h.setAlignment(Qt.AlignmentFlag.AlignRight)
            ro.addWidget(h, 0, c)
        ro_rows = [("Cost", "cost", "costShort"), ("Order Value", "orderValue", None),
                   ("Position After", "positionAfterLong", "positionAfterShort"),
                   ("Est. Liq. Price", "estLiqPriceLong", "estLiqPriceShort"),
                   ("Available", "availableBalance", None)]
        for r, (title, a, b) in enumerate(ro_rows, start=1):
            cap = QLabel(title)
            cap.setProperty("role", "caption")
            ro.addWidget(cap, r, 0)
            for c, name in ((1, a), (2, b)):
                if name is None:
                    continue
                lab = QLabel(fmt.DASH)
                lab.setObjectName(f"orderForm.{name}")
                lab.setFont(theme.mono_font())
                lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.readouts[name] = lab
                ro.addWidget(lab, r, c, 1, 2 if b is None else 1)
        self.readouts["estLiqPriceLong"].setStyleSheet(f"color: {theme.LIQ}")
        self.readouts["estLiqPriceShort"].setStyleSheet(f"color: {theme.LIQ}")
        ro.setColumnStretch(1, 1)
        ro.setColumnStretch(2, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.addLayout(grid)
        outer.addLayout(flags)
        outer.addLayout(buttons)
        outer.addWidget(self.message)
        outer.addLayout(ro)
        outer.addStretch(1)

        self.symbol.currentTextChanged.connect(bridge.set_symbol)
        bridge.symbolChanged.connect(self._on_symbol)
        bridge.sessionChanged.connect(lambda _s: self._on_symbol(bridge.symbol))
        bridge.frame.connect(self._on_frame)
        for sig in (self.size.textEdited, self.size_unit.currentIndexChanged, self.price.valueChanged,
                    self.stop_price.valueChanged, self.reduce_only.toggled, self.post_only.toggled):
            sig.connect(self.refresh)
        self.order_type.currentIndexChanged.connect(self._on_type)
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

    # ---------------------------------------------------------------- building blocks
    def _combo(self, name: str, items: list[str]) -> QComboBox:
        c = QComboBox()
        c.setObjectName(name)
        c.addItems(items)
        return c

    def _spin(self, name: str) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setObjectName(name)
        s.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        s.setAlignment(Qt.AlignmentFlag.AlignRight)
        s.setFont(theme.mono_font())
        s.setKeyboardTracking(True)
        return s

    @property
    def ex(self):  # type: ignore[no-untyped-def]
        return self.bridge.session.exchange

    @property
    def otype(self) -> OrderType:
        return FORM_TYPES[self.order_type.currentIndex()]

    # ---------------------------------------------------------------- symbol / type
    def _on_symbol(self, symbol: str) -> None:
        self.inst = inst = self.bridge.session.catalog[symbol]
        self.symbol.blockSignals(True)
        self.symbol.setCurrentText(symbol)
        self.symbol.blockSignals(False)
        for spin in (self.price, self.stop_price):
            spin.blockSignals(True)
            spin.setDecimals(inst.tick_decimals)
            spin.setSingleStep(inst.tick_size)
            spin.setRange(inst.tick_size, inst.max_price)
            spin.blockSignals(False)
        self.size_unit.blockSignals(True)
        self.size_unit.clear()
        self.size_unit.addItems([UNIT_LABELS.get(u, inst.underlying) for u in inst.qty_units])
        self.size_unit.blockSignals(False)
        self.reset_prices()
        setting = self.ex.setting(symbol)
        self.leverage.set_maximum(inst.max_leverage)
        self._sync_settings()
        self.margin.set_currency(inst.settle_currency)
        self._on_type()
        del setting

    def reset_prices(self) -> None:
        m = self.ex.markets.get(self.inst.symbol)
        px = self.inst.round_price(m.last) if m is not None and math.isfinite(m.last) else self.inst.typical_price
        for spin in (self.price, self.stop_price):
            spin.blockSignals(True)
            spin.setValue(px)
            spin.blockSignals(False)

    def _sync_settings(self) -> None:
        s = self.ex.setting(self.inst.symbol)
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
        for w in (self.stop_price, self.trigger, self._labels["Stop Price"]):
            w.setVisible(cond)
        self.post_only.setEnabled(limit)
        if not limit:
            self.post_only.setChecked(False)
        self.tif.setEnabled(t != OrderType.MARKET)
        self.refresh()

    def _snap(self, spin: QDoubleSpinBox) -> None:
        v = self.inst.round_price(spin.value())
        if v != spin.value():
            spin.setValue(v)

    # ---------------------------------------------------------------- validation and read-outs
    def draft(self) -> Draft | str:
        """The typed order, or the reason it cannot be sent."""
        inst, t = self.inst, self.otype
        text = self.size.text().replace(",", "").strip()
        if not text:
            return "Enter a size."
        try:
            amount = float(text)
        except ValueError:
            return f"Size {self.size.text()!r} is not a number."
        if not math.isfinite(amount) or amount <= 0:
            return "Size must be more than zero."
        price = inst.round_price(self.price.value()) if t.has_limit_price else None
        stop = inst.round_price(self.stop_price.value()) if t.is_conditional else None
        unit = inst.qty_units[max(0, self.size_unit.currentIndex())]
        m = self.ex.markets.get(inst.symbol)
        ref = price or stop or (m.last if m is not None else inst.typical_price)
        raw = inst.contracts_from(amount, unit, ref)
        if unit != "contracts":
            raw = round(raw / inst.lot_size) * inst.lot_size
        elif abs(raw - round(raw)) > 1e-9 or round(raw) % inst.lot_size:
            return f"Size must be a multiple of {inst.lot_size:,} contracts (the lot size)."
        qty = int(round(raw))
        if qty < inst.min_order_qty:
            return f"Size is below {inst.symbol}'s minimum order of {inst.min_order_qty:,} contracts."
        if qty > inst.max_order_qty:
            return f"Size is above {inst.symbol}'s maximum order of {inst.max_order_qty:,} contracts."
        for name, v in (("limit price", price), ("stop price", stop)):
            if v is not None and not (0 < v <= inst.max_price):
                return f"Enter a {name} between {inst.format_price(inst.tick_size)} and {inst.format_price(inst.max_price)}."
        fields: dict[str, object] = {
            "symbol": inst.symbol, "qty": qty, "type": t, "price": price, "stop_price": stop,
            "trigger": self.trigger.currentText().lower(), "post_only": self.post_only.isChecked(),
            "reduce_only": self.reduce_only.isChecked(),
            "time_in_force": None if t == OrderType.MARKET else self.tif.currentText(),
        }
        preview_price = price if price is not None else stop
        return Draft(qty, preview_price, fields)

    def refresh(self) -> None:
        """Recompute the read-outs (every keystroke, slider move and frame)."""
        d = self.draft()
        cur = self.inst.settle_currency
        lev = self.leverage.value
        if isinstance(d, str):
            self._draft = None
            self._set_buttons(False, d)
            pv = self.ex.preview(self.inst.symbol, 0, None, lev, self.leverage.cross)
            for k in ("cost", "costShort", "orderValue", "positionAfterLong", "positionAfterShort",
                      "estLiqPriceLong", "estLiqPriceShort"):
                self._set(k, fmt.DASH)
            self._set("availableBalance", fmt.money(cur, pv.available_balance))
        else:
            self._draft = d
            self._set_buttons(True, "")
            pv = self.ex.preview(self.inst.symbol, d.qty, d.preview_price, lev, self.leverage.cross)
            reduce = self.reduce_only.isChecked()
            self._set("cost", fmt.money(cur, 0 if reduce else pv.buy.cost))
            self._set("costShort", fmt.money(cur, 0 if reduce else pv.sell.cost))
            self._set("orderValue", fmt.money(cur, pv.buy.order_value))
            self._set("positionAfterLong", fmt.qty(pv.buy.position_after, sign=True))
            self._set("positionAfterShort", fmt.qty(pv.sell.position_after, sign=True))
            self._set("estLiqPriceLong", fmt.price(self.inst, pv.buy.liquidation_price))
            self._set("estLiqPriceShort", fmt.price(self.inst, pv.sell.liquidation_price))
            self._set("availableBalance", fmt.money(cur, pv.available_balance))
        self._position_preview()

    def _set(self, name: str, text: str) -> None:
        lab = self.readouts[name]
        if lab.text() != text:
            lab.setText(text)

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

    # ---------------------------------------------------------------- position previews
    def _position(self) -> PositionView | None:
        f = self.bridge.last
        return f.snapshot.position(self.inst.symbol) if f else None

    def _position_preview(self) -> None:
        pos = self.ex.positions.get(self.inst.symbol)
        lev = self._lev_preview
        isolated_open = pos is not None and pos.qty != 0 and not pos.cross
        self.margin.setVisible(isolated_open)
        self._labels["Isolated"].setVisible(isolated_open)
        if pos is None or pos.qty == 0 or lev is None or abs(lev - pos.leverage) < 1e-9:
            self.lev_preview.setText("")
            self.lev_preview.setVisible(False)
            return
        trial = copy.copy(pos)
        trial.leverage = lev
        backing = self.ex.cross_backing(self.inst.symbol) if trial.cross else None
        liq = trial.figures(self.inst, cross_balance=backing).liquidation_price
        now = self.ex.liq_bk(self.inst.symbol)[0]
        self.lev_preview.setText(f"Liq. at {fmt.leverage(lev)}: {fmt.price(self.inst, liq)}  (now {fmt.price(self.inst, now)})")
        self.lev_preview.setVisible(True)

    def _margin_preview(self) -> None:
        pos = self.ex.positions.get(self.inst.symbol)
        amount = self.margin.amount.value()
        if pos is None or pos.qty == 0 or amount <= 0:
            self.margin.preview.setText("")
            return
        parts = []
        for sign, word in ((1, "add"), (-1, "remove")):
            trial = copy.copy(pos)
            trial.added_margin += sign * to_minor(self.inst.settle_currency, amount)
            parts.append(f"{word} → liq {fmt.price(self.inst, trial.figures(self.inst).liquidation_price)}")
        self.margin.preview.setText("   ".join(parts))

    # ---------------------------------------------------------------- actions
    def _on_lev_preview(self, lev: float) -> None:
        self._lev_preview = lev
        self.refresh()

    def _apply_leverage(self, lev: float) -> None:
        s = self.ex.setting(self.inst.symbol)
        if abs(s.leverage - lev) < 1e-9:
            self._lev_preview = None
            self.refresh()
            return
        self._apply(lambda: self.ex.set_leverage(self.inst.symbol, lev))

    def _apply_mode(self, cross: bool) -> None:
        self._apply(lambda: self.ex.set_margin_mode(self.inst.symbol, cross, self.leverage.value))

    def _apply(self, action) -> bool:  # type: ignore[no-untyped-def]
        ack = self.bridge.act(action)
        if not ack.accepted:
            self.say(ack.reason or "Refused.", "reject")
        self._sync_settings()
        self.refresh()
        return bool(ack.accepted)

    def _adjust_margin(self, amount: float) -> None:
        if self._apply(lambda: self.ex.adjust_margin(self.inst.symbol, to_minor(self.inst.settle_currency, amount))):
            self.say(f"Margin {'added' if amount > 0 else 'removed'}: {abs(amount):g} {self.inst.settle_currency}.", "ok")

    def ensure_settings(self) -> bool:
        """Make the exchange's leverage / margin mode for the symbol equal what the form shows."""
        s = self.ex.setting(self.inst.symbol)
        lev, cross = self.leverage.value, self.leverage.cross
        if abs(s.leverage - lev) < 1e-9 and s.cross == cross:
            return True
        return self._apply(lambda: self.ex.set_margin_mode(self.inst.symbol, cross, lev))

    def submit(self, side: str) -> int | None:
        """Send the typed order on ``side``; returns the order id, or None (the reason is in the message)."""
        d = self.draft()
        if isinstance(d, str):
            self.say(d, "input")
            return None
        if not self.ensure_settings():
            return None
        req = OrderRequest(side=side, **d.fields)  # type: ignore[arg-type]
        n_fills = len(self.ex.fills)
        ack = self.bridge.act(lambda: self.ex.place_order(req))
        if not ack.accepted:
            self.say(ack.reason or "Rejected.", "reject")
            return None
        fills = [f for f in self.ex.fills[n_fills:] if f.order_id == ack.order_id]
        what = f"{side.title()} {d.qty:,} {self.inst.symbol} {ORDER_TYPE_LABELS[req.type]}"
        if fills:
            self.say(f"{what}: filled at {fmt.price(self.inst, fills[-1].price)}.", "ok")
        else:
            self.say(f"{what}: order {ack.order_id} placed.", "ok")
        self.refresh()
        self.placed.emit(ack.order_id or 0)
        return ack.order_id

    def prefill_close(self, pos: PositionView) -> None:
        """Double-click on a position: the form becomes the order that closes it."""
        if pos.symbol != self.inst.symbol:
            self.symbol.setCurrentText(pos.symbol)
        self.order_type.setCurrentIndex(FORM_TYPES.index(OrderType.LIMIT))
        self.size_unit.setCurrentIndex(0)
        self.size.setText(str(abs(pos.size)))
        self.price.setValue(self.inst.round_price(pos.mark_price))
        self.reduce_only.setChecked(True)
        self.say(f"{'Sell' if pos.size > 0 else 'Buy'} {abs(pos.size):,} to close the {pos.symbol} position.", "ok")
        self.refresh()

    def _on_frame(self, frame: Frame) -> None:
        if frame.ticks or frame.events:
            self.refresh()
