"""A price box that never sends a price the trader did not type.

A plain ``QDoubleSpinBox`` drops keystrokes its validator rejects ("1e400" becomes "1400") and, on leaving the box,
silently puts back the previous value when the text is not a valid price ("0", "0.05" below the tick, an empty
box): the order then went in at the old price while the trader believed he had typed another. This box keeps
whatever was typed, and :func:`typed_price` says in a trader's words why it cannot be sent.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QWidget

from terminal.domain.instruments import Instrument
from ui.style import theme


class PriceField(QDoubleSpinBox):
    """A number box that keeps the typed text, valid or not; ``value()`` is the last valid price."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setFont(theme.mono_font())
        self.setKeyboardTracking(True)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state, fixed, new_pos = super().validate(text, pos)
        if state == QValidator.State.Invalid:  # keep the keystroke: the form names what is wrong with it
            return QValidator.State.Intermediate, text, pos
        return state, fixed, new_pos

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self.hasAcceptableInput():
            super().focusOutEvent(event)
        else:  # Qt would put the previous price back without a word
            QWidget.focusOutEvent(self, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.hasAcceptableInput():
            event.ignore()  # Enter would also put the previous price back
            return
        super().keyPressEvent(event)


def typed_price(spin: QDoubleSpinBox, what: str, inst: Instrument) -> float | str:
    """The price typed in ``spin`` rounded to the tick, or why it cannot be sent (``what``: "limit price" …)."""
    bounds = f"between {inst.format_price(inst.tick_size)} and {inst.format_price(inst.max_price)}"
    text = spin.cleanText().replace(",", "").strip()
    if not text:
        return f"Enter a {what} {bounds}."
    if spin.hasAcceptableInput():
        value = inst.round_price(spin.value())
    else:
        try:
            value = float(text)
        except ValueError:
            return f"The {what} {text!r} is not a price: enter a {what} {bounds}."
        if math.isnan(value):
            return f"The {what} {text!r} is not a price: enter a {what} {bounds}."
        if not (0 < value <= inst.max_price) or inst.round_price(value) <= 0:
            return f"The {what} {text} is out of range: enter a {what} {bounds}."
        if abs(inst.round_price(value) - value) > 1e-9 * max(1.0, value):
            return (f"The {what} {text} is not on {inst.symbol}'s tick of {inst.format_price(inst.tick_size)}: "
                    f"try {inst.format_price(inst.round_price(value))}.")
    if not (0 < value <= inst.max_price):
        return f"The {what} {text} is out of range: enter a {what} {bounds}."
    return value
