"""The liquidation explainer: when a position is liquidated, a panel tells the story in numbers (entry, leverage,
initial and maintenance margin, the mark that triggered it, the bankruptcy price, the loss, the insurance fund and
how far the price moved), large enough for a room. The words and numbers are
``terminal.domain.training.explain_liquidation`` / ``liquidation_story`` of the engine's ``LiquidationRecord``.

The price chart already draws a ✖ at each liquidation; :class:`ChartNote` adds a label beside the latest one
(a plain ``pg.TextItem`` on the chart's public plot item).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from terminal.domain.account import LiquidationRecord
from terminal.domain.instruments import Instrument
from terminal.domain.training import explain_liquidation, liquidation_story
from ui.style import format as fmt
from ui.style import theme

KEYS = ("position", "initialMargin", "maintMargin", "liquidationPrice", "markPrice", "bankruptcyPrice", "lost",
        "insuranceFund", "move")
EMPHASIS = {"markPrice": theme.LIQ, "liquidationPrice": theme.LIQ, "lost": theme.SHORT, "move": theme.AMBER}


class LiquidationExplainer(QFrame):
    """The panel: a headline, the story, and one row per number; ``dismissed`` when the user closes it."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explainer.panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#explainer\\.panel {{ background: {theme.BASE}; border: 2px solid {theme.LIQ};"
                           " border-radius: 4px; }")
        self.record: LiquidationRecord | None = None
        self.headline = QLabel("")
        self.headline.setObjectName("explainer.headline")
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() + 6)
        f.setBold(True)
        self.headline.setFont(f)
        self.headline.setStyleSheet(f"color: {theme.LIQ}")
        self.headline.setWordWrap(True)
        self.story = QLabel("")
        self.story.setObjectName("explainer.story")
        self.story.setWordWrap(True)
        sf = QFont(self.font())
        sf.setPointSizeF(sf.pointSizeF() + 2)
        self.story.setFont(sf)
        self.story.setStyleSheet(f"color: {theme.TEXT}")
        self.close_button = QPushButton("Got it")
        self.close_button.setObjectName("explainer.close")
        self.close_button.clicked.connect(self._dismiss)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        for r, key in enumerate(KEYS):
            cap = QLabel("")
            cap.setProperty("role", "caption")
            cf = QFont(self.font())
            cf.setPointSizeF(cf.pointSizeF() + 1)
            cap.setFont(cf)
            val = QLabel(fmt.DASH)
            val.setObjectName(f"explainer.{key}")
            val.setFont(theme.mono_font(3, bold=key in EMPHASIS))
            val.setStyleSheet(f"color: {EMPHASIS.get(key, theme.TEXT)}")
            val.setWordWrap(key == "position")
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.captions[key], self.values[key] = cap, val
            grid.addWidget(cap, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(val, r, 1)
        grid.setColumnStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.addLayout(top)
        lay.addWidget(self.story)
        lay.addSpacing(4)
        lay.addLayout(grid)
        lay.addStretch(1)

    def show_record(self, inst: Instrument, rec: LiquidationRecord) -> None:
        self.record = rec
        side = "long" if rec.side == "buy" else "short"
        self.headline.setText(f"✖ {inst.symbol} {fmt.leverage(rec.leverage)} {side} liquidated "
                              f"at {fmt.utc_time(rec.time, with_date=False)}")
        self.story.setText(liquidation_story(inst, rec))
        for key, (label, value) in zip(KEYS, explain_liquidation(inst, rec)):
            self.captions[key].setText(label)
            self.values[key].setText(value)

    def _dismiss(self) -> None:
        self.dismissed.emit()


class ChartNote:
    """A label beside the latest liquidation marker on the price chart (moved, never re-created)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = pg.TextItem("", color=theme.LIQ, anchor=(1.05, -0.3), fill=pg.mkBrush(18, 22, 28, 220),
                                border=pg.mkPen(theme.LIQ))
        self.item.setZValue(40)
        self.item.setFont(theme.mono_font(1, bold=True))
        self.item.setVisible(False)
        plot.addItem(self.item, ignoreBounds=True)

    def show(self, inst: Instrument, rec: LiquidationRecord) -> None:
        side = "long" if rec.side == "buy" else "short"
        self.item.setText(f"✖ {fmt.leverage(rec.leverage)} {side} liquidated @ mark {fmt.price(inst, rec.mark_price)}")
        self.item.setPos(rec.time / 1000.0, rec.mark_price)
        # left of the ✖, on the side the price came from: below a long's fall, above a short's squeeze
        self.item.setAnchor((1.05, -0.3) if rec.side == "buy" else (1.05, 1.3))
        self.item.setVisible(True)

    def hide(self) -> None:
        self.item.setVisible(False)
