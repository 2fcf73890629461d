"""Take-profit / stop-loss attached at entry (price or ROE %), and the brackets placed once the entry fills.

The section only records what the trader typed; :class:`Brackets` turns it into two reduce-only,
close-on-trigger orders (``take_profit_market`` and ``stop_market``) on the other side once the entry order
has filled — at once for a market order, later (from the bridge's frame events) for a resting limit.
ROE % targets are converted with :func:`terminal.domain.margin.target_price_for_roe` at the actual average fill price.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from terminal.domain.account import Fill
from terminal.domain.instruments import Instrument
from terminal.domain.margin import target_price_for_roe
from terminal.domain.orders import OrderRequest, OrderType
from terminal.session.order_service import Accepted
from ui.services.bridge import Frame, SessionBridge
from ui.style import format as fmt
from ui.style import theme

UNITS = ("Price", "ROE %")


@dataclass(frozen=True)
class TpSlSpec:
    """What was typed: values in ``unit`` ("Price" or "ROE %"); None = not attached."""

    unit: str
    tp: float | None
    sl: float | None

    @property
    def empty(self) -> bool:
        return self.tp is None and self.sl is None

    def prices(self, inst: Instrument, direction: int, qty: int, entry: float,
               leverage: float) -> tuple[float | None, float | None] | str:
        """(take-profit, stop-loss) trigger prices for a position opened at ``entry``, or why they make no sense."""
        if self.unit == "Price":
            tp = inst.round_price(self.tp) if self.tp is not None else None
            sl = inst.round_price(self.sl) if self.sl is not None else None
        else:
            tp = target_price_for_roe(inst, direction, qty, entry, leverage, abs(self.tp)) if self.tp is not None else None
            sl = target_price_for_roe(inst, direction, qty, entry, leverage, -abs(self.sl)) if self.sl is not None else None
            if (self.tp is not None and tp is None) or (self.sl is not None and sl is None):
                return "That ROE % is out of reach for this position."
        side = "long" if direction > 0 else "short"
        if tp is not None and (tp - entry) * direction <= 0:
            return (f"Take profit {fmt.price(inst, tp)} must be {'above' if direction > 0 else 'below'} the entry "
                    f"({fmt.price(inst, entry)}) for a {side}.")
        if sl is not None and (sl - entry) * direction >= 0:
            return (f"Stop loss {fmt.price(inst, sl)} must be {'below' if direction > 0 else 'above'} the entry "
                    f"({fmt.price(inst, entry)}) for a {side}.")
        return tp, sl


class TpSlSection(QWidget):
    """Optional TP and SL fields with a unit switch; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.take_profit = self._edit("orderForm.takeProfit", "Take profit")
        self.stop_loss = self._edit("orderForm.stopLoss", "Stop loss")
        self.unit = QComboBox()
        self.unit.setObjectName("orderForm.tpslUnit")
        self.unit.addItems(list(UNITS))
        self.unit.setToolTip("Type TP / SL as a price, or as a return on margin (ROE %): 50 = +50 % / −50 %")
        self.preview = QLabel("")
        self.preview.setObjectName("orderForm.tpslPreview")
        self.preview.setProperty("role", "caption")
        self.preview.setFont(theme.mono_font(-1))
        self.preview.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.take_profit, 0, 0)
        grid.addWidget(self.stop_loss, 0, 1)
        grid.addWidget(self.unit, 0, 2)
        grid.addWidget(self.preview, 1, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        for sig in (self.take_profit.textEdited, self.stop_loss.textEdited, self.unit.currentIndexChanged):
            sig.connect(lambda *_: self.changed.emit())

    def _edit(self, name: str, hint: str) -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setPlaceholderText(hint)
        e.setAlignment(Qt.AlignmentFlag.AlignRight)
        e.setFont(theme.mono_font())
        return e

    def spec(self) -> TpSlSpec | str:
        vals: list[float | None] = []
        for edit, name in ((self.take_profit, "Take profit"), (self.stop_loss, "Stop loss")):
            text = edit.text().replace(",", "").replace("%", "").strip()
            if not text:
                vals.append(None)
                continue
            try:
                v = float(text)
            except ValueError:
                return f"{name} {edit.text()!r} is not a number."
            if not math.isfinite(v) or v <= 0:
                return f"{name} must be more than zero."
            vals.append(v)
        return TpSlSpec(self.unit.currentText(), vals[0], vals[1])

    def show_preview(self, inst: Instrument, qty: int, entry: float | None, leverage: float) -> None:
        """Under the fields: the trigger prices each side would get (ROE % converted at ``entry``)."""
        s = self.spec()
        if isinstance(s, str) or s.empty or entry is None or qty <= 0:
            self.preview.setText(s if isinstance(s, str) else "")
            return
        parts = []
        for direction, word in ((1, "Long"), (-1, "Short")):
            r = s.prices(inst, direction, qty, entry, leverage)
            if isinstance(r, str):
                parts.append(f"{word}: —")
            else:
                parts.append(f"{word}: TP {fmt.price(inst, r[0])}  SL {fmt.price(inst, r[1])}")
        self.preview.setText("   ".join(parts))

    def stop_for(self, inst: Instrument, direction: int, qty: int, entry: float, leverage: float) -> float | None:
        """The stop-loss price for ``direction`` (None when none is typed or it is on the wrong side)."""
        s = self.spec()
        if isinstance(s, str) or s.sl is None:
            return None
        r = s.prices(inst, direction, qty, entry, leverage)
        return None if isinstance(r, str) else r[1]

    def clear(self) -> None:
        self.take_profit.clear()
        self.stop_loss.clear()
        self.changed.emit()


@dataclass
class _Pending:
    side: str
    symbol: str
    spec: TpSlSpec
    leverage: float
    trigger: str
    qty: int = 0
    notional: float = 0.0  # sum of qty * price, for the average fill price
    seen: set[int] = field(default_factory=set)


class Brackets(QObject):
    """Places the TP / SL of an entry once it has filled (reduce-only, close-on-trigger)."""

    placed = Signal(str)  # what was placed (for the form's message)

    def __init__(self, bridge: SessionBridge, say: Callable[[str, str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.say = say
        self.pending: dict[int, _Pending] = {}
        bridge.frame.connect(self._on_frame)
        bridge.sessionChanged.connect(lambda _s: self.pending.clear())

    def attach(self, entry: Accepted, side: str, symbol: str, spec: TpSlSpec, leverage: float, trigger: str) -> None:
        """Call right after the entry was accepted: brackets it now if it already filled, else when it does."""
        order_id = entry.order_id
        if order_id is None:
            return
        p = _Pending(side, symbol, spec, leverage, trigger)
        self.pending[order_id] = p
        for f in entry.fills:
            self._add(p, f)
        self._settle(order_id, deferred=False)

    @staticmethod
    def _add(p: _Pending, f: Fill) -> None:
        if f.fill_id not in p.seen:
            p.seen.add(f.fill_id)
            p.qty += f.qty
            p.notional += f.qty * f.price

    def _on_frame(self, frame: Frame) -> None:
        if not self.pending:
            return
        for f in frame.fills:
            if f.order_id is not None and f.order_id in self.pending:
                self._add(self.pending[f.order_id], f)
        for oid in [oid for oid in self.pending if frame.order(oid) is None]:  # filled, cancelled or expired
            self._settle(oid, deferred=True)

    def _settle(self, order_id: int, deferred: bool) -> None:
        """Once the entry is no longer live: bracket what filled (nothing if it was cancelled unfilled)."""
        frame = self.bridge.last
        if frame is not None and frame.order(order_id) is not None:
            return
        p = self.pending.pop(order_id)
        if p.qty <= 0:
            return
        if deferred:  # not from inside a frame: the bracket's own frame follows this one
            QTimer.singleShot(0, lambda: self._place(p))
        else:
            self._place(p)

    def _place(self, p: _Pending) -> None:
        inst = self.bridge.catalog[p.symbol]
        direction = 1 if p.side == "buy" else -1
        entry = p.notional / p.qty
        prices = p.spec.prices(inst, direction, p.qty, entry, p.leverage)
        if isinstance(prices, str):
            self.say(f"TP/SL not placed: {prices}", "reject")
            return
        close = "sell" if direction > 0 else "buy"
        done = []
        for price, otype, word in ((prices[0], OrderType.TAKE_PROFIT_MARKET, "TP"),
                                   (prices[1], OrderType.STOP_MARKET, "SL")):
            if price is None:
                continue
            req = OrderRequest(symbol=p.symbol, side=close, qty=p.qty, type=otype, stop_price=price,
                               trigger=p.trigger, reduce_only=True, close_on_trigger=True)
            ack = self.bridge.orders.place(req)
            if ack.accepted:
                done.append(f"{word} {fmt.price(inst, price)}")
            else:
                self.say(f"{word} not placed: {ack.reason}", "reject")
                return
        if done:
            text = "Attached " + ", ".join(done) + "."
            self.say(text, "ok")
            self.placed.emit(text)
