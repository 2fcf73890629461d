"""The order form's live read-outs (Cost, Order Value, Position After, Est. Liq. Price, Available) for a long
and a short, as ``QLabel``s named ``orderForm.<name>`` whose text is the number as shown."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ui.style import format as fmt
from ui.style import theme

ROWS = [("Cost", "cost", "costShort"), ("Order Value", "orderValue", None),
        ("Position After", "positionAfterLong", "positionAfterShort"),
        ("Est. Liq. Price", "estLiqPriceLong", "estLiqPriceShort"),
        ("Available", "availableBalance", None)]


class Readouts(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        ro = QGridLayout(self)
        ro.setContentsMargins(0, 0, 0, 0)
        ro.setVerticalSpacing(2)
        for c, head in enumerate(("", "Long", "Short")):
            h = QLabel(head)
            h.setProperty("role", "caption")
            h.setAlignment(Qt.AlignmentFlag.AlignRight)
            ro.addWidget(h, 0, c)
        for r, (title, a, b) in enumerate(ROWS, start=1):
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
                self.labels[name] = lab
                ro.addWidget(lab, r, c, 1, 2 if b is None else 1)
        for name in ("estLiqPriceLong", "estLiqPriceShort"):
            self.labels[name].setStyleSheet(f"color: {theme.LIQ}")
        ro.setColumnStretch(1, 1)
        ro.setColumnStretch(2, 1)

    def set(self, name: str, text: str) -> None:
        lab = self.labels[name]
        if lab.text() != text:
            lab.setText(text)

    def clear(self) -> None:
        for name in ("cost", "costShort", "orderValue", "positionAfterLong", "positionAfterShort",
                     "estLiqPriceLong", "estLiqPriceShort"):
            self.set(name, fmt.DASH)
