"""Take-profit / stop-loss attached at entry (price or ROE %): the form's TP / SL fields and their preview.

The section only reads what the trader typed. The prices go on the entry's :class:`OrderRequest`
(``take_profit`` / ``stop_loss``) and the **engine** owns the bracket from there (terminal/exchange/brackets.py):
it arms a take-profit-market and a stop-market on the other side when the entry fills, sized to the filled
quantity, one-cancels-other, gone when the position closes. ROE % targets are converted to a price with
:func:`terminal.domain.margin.target_price_for_roe` at the entry's expected price — the limit (or stop) price of
the order, or the touch (best ask for a buy, best bid for a sell) for a market order — which the preview names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from terminal.domain.instruments import Instrument
from terminal.domain.margin import target_price_for_roe
from terminal.market.views import BookView
from terminal.session.frame import Frame
from ui.style import format as fmt
from ui.style import theme

UNITS = ("Price", "ROE %")


@dataclass(frozen=True)
class EntryPrice:
    """The price an entry is expected to open at, and what it is ("limit", "stop", "ask", "bid") for the preview."""

    price: float
    source: str


def touch_price(frame: Frame | None, inst: Instrument, direction: int) -> float:
    """Where a market order on ``direction`` fills now, as ``frame`` shows it: the best ask for a buy, the best bid
    for a sell (the last price ± one tick when the frame has no book of ``inst``)."""
    book = frame.book if frame is not None and frame.symbol == inst.symbol else None
    if isinstance(book, BookView):
        levels = book.asks if direction > 0 else book.bids
        if levels.shape[0]:
            return float(levels[0, 0])
    m = frame.snapshot.markets.get(inst.symbol) if frame is not None else None
    last = m.last if m is not None and math.isfinite(m.last) else inst.typical_price
    return inst.round_price(last + direction * inst.tick_size)


def expected_entry(frame: Frame | None, inst: Instrument, order_price: float | None, is_limit: bool,
                   direction: int) -> EntryPrice:
    """The price an entry is expected to open at: its limit (or stop) price, else the touch on ``direction``."""
    if order_price is not None:
        return EntryPrice(order_price, "limit" if is_limit else "stop")
    return EntryPrice(touch_price(frame, inst, direction), "ask" if direction > 0 else "bid")


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
        for name, px in (("Take profit", tp), ("Stop loss", sl)):
            if px is not None and not (inst.tick_size <= px <= inst.max_price):
                return (f"{name} must be between {fmt.price(inst, inst.tick_size)} and "
                        f"{fmt.price(inst, inst.max_price)}.")
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

    def show_preview(self, inst: Instrument, qty: int, entries: dict[int, EntryPrice], leverage: float) -> None:
        """Under the fields: the trigger prices each side would get, and the entry price they are reckoned from
        (``entries``: direction → expected entry; an ROE % is converted at that price)."""
        s = self.spec()
        if isinstance(s, str) or s.empty or not entries or qty <= 0:
            self.preview.setText(s if isinstance(s, str) else "")
            return
        parts = []
        for direction, word in ((1, "Long"), (-1, "Short")):
            e = entries.get(direction)
            if e is None:
                continue
            r = s.prices(inst, direction, qty, e.price, leverage)
            at = f"at {e.source} {fmt.price(inst, e.price)}"
            if isinstance(r, str):
                parts.append(f"{word} {at}: —")
            else:
                parts.append(f"{word} {at}: TP {fmt.price(inst, r[0])} SL {fmt.price(inst, r[1])}")
        self.preview.setText("\n".join(parts))
        self.preview.setToolTip("The engine arms the take-profit and stop-loss when the entry fills, sized to the "
                                "filled quantity; when one fills it cancels the other. An ROE % is turned into a "
                                "price at the entry shown here: the order's limit (or stop) price, or for a market "
                                "order the best ask (buy) or best bid (sell) now.")

    def bracket(self, inst: Instrument, side: str, qty: int, entry: float, leverage: float,
                reduce_only: bool) -> tuple[float | None, float | None] | str | None:
        """(take-profit, stop-loss) prices for an entry on ``side`` expected at ``entry`` (None when none is typed),
        or why they cannot go on the order."""
        spec = self.spec()
        if isinstance(spec, str) or spec.empty:
            return spec if isinstance(spec, str) else None
        if reduce_only:
            return "Take profit / stop loss belong on an order that opens a position, not a reduce-only one."
        return spec.prices(inst, 1 if side == "buy" else -1, qty, entry, leverage)

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


def armed_words(inst: Instrument, bracket: tuple[float | None, float | None] | None, filled: bool) -> str:
    """" TP 52,000.0, SL 48,000.0 armed." after an accepted entry (" … armed when it fills." while it rests)."""
    if bracket is None:
        return ""
    legs = [f"{word} {fmt.price(inst, px)}" for word, px in zip(("TP", "SL"), bracket, strict=True) if px is not None]
    return f" {', '.join(legs)} {'armed' if filled else 'armed when it fills'}."
