"""Leverage → liquidation curve: what 100x does to your liquidation price.

For the form's symbol, side, size and entry: the liquidation price (top) and its distance in % (bottom, against the
textbook "100 / leverage" rule of thumb) from 1x to the instrument's maximum on a log leverage axis, the current
leverage marked on both. Beside it, in words: the rule of thumb against the real distance, and the ROE of a given
move. Every number is ``terminal.domain.training`` (``leverage_curve``, ``curve_point``, ``rule_of_thumb_pct``,
``roe_of_move``).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from terminal.domain.instruments import Instrument
from terminal.domain.training import CurvePoint, curve_point, leverage_curve, presets, roe_of_move, rule_of_thumb_pct
from ui.style import format as fmt
from ui.style import theme

ENTRY_TOLERANCE = 0.001  # the curve is rebuilt when the entry moves more than 0.1 %
DIST_TICKS = ((1, 10, 100), (0.5, 2, 5, 20, 50))


class PriceAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information
    """Prices with thousands separators and the instrument's decimals."""

    decimals = 1

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        return [f"{v * scale:,.{self.decimals}f}" for v in values]


class LeverageCurve(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curve.panel")
        self.inst: Instrument | None = None
        self.direction, self.qty, self.entry, self.leverage = 1, 0, 0.0, 1.0
        self.points: list[CurvePoint] = []
        self.current: CurvePoint | None = None
        self._key: tuple[object, ...] = ()

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("curve.chart")
        self.graphics.setMinimumHeight(280)
        self.price_axis = PriceAxis("right")
        self.price_plot = self.graphics.addPlot(row=0, col=0, axisItems={"right": self.price_axis})
        self.dist_plot = self.graphics.addPlot(row=1, col=0)
        self.dist_plot.setXLink(self.price_plot)
        for p in (self.price_plot, self.dist_plot):
            p.setLogMode(x=True, y=False)
            p.showGrid(x=True, y=True, alpha=0.15)
            p.setMenuEnabled(False)
            p.hideButtons()
            p.setMouseEnabled(x=False, y=False)
            p.hideAxis("left")
            p.showAxis("right")
            p.getAxis("right").setWidth(76)
            for ax in ("right", "bottom"):
                p.getAxis(ax).setStyle(tickFont=theme.mono_font(-1))
        self.dist_plot.setLogMode(x=True, y=True)
        self.dist_plot.getAxis("right").setTicks([[(math.log10(v), f"{v:g} %") for v in level] for level in DIST_TICKS])
        self.price_plot.setTitle("Liquidation price", size="9pt", justify="left")
        self.dist_plot.setTitle(f"Distance to liquidation: <span style='color:{theme.LIQ}'>━ real</span>&nbsp;&nbsp;"
                                f"<span style='color:{theme.MUTED}'>┅ rule of thumb 100 / leverage</span>",
                                size="9pt", justify="left")
        self.price_curve = self.price_plot.plot(pen=pg.mkPen(theme.LIQ, width=2), name="Liquidation price")
        self.entry_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(theme.ENTRY, style=Qt.PenStyle.DashLine))
        self.price_plot.addItem(self.entry_line, ignoreBounds=True)
        self.dist_curve = self.dist_plot.plot(pen=pg.mkPen(theme.LIQ, width=2), name="Real distance")
        self.thumb_curve = self.dist_plot.plot(pen=pg.mkPen(theme.MUTED, width=1, style=Qt.PenStyle.DashLine),
                                               name="Rule of thumb 100 / leverage")
        self.markers = []
        self.price_dot = self.price_plot.plot(symbol="o", symbolSize=11, symbolBrush=theme.AMBER, pen=None)
        self.dist_dot = self.dist_plot.plot(symbol="o", symbolSize=11, symbolBrush=theme.AMBER, pen=None)
        for p in (self.price_plot, self.dist_plot):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.AMBER, width=1))
            p.addItem(line, ignoreBounds=True)
            self.markers.append(line)
        self.price_label = pg.TextItem("", color=theme.AMBER, anchor=(-0.05, 1.1))
        self.price_label.setFont(theme.mono_font(0, bold=True))
        self.price_plot.addItem(self.price_label, ignoreBounds=True)

        self.side = QComboBox()
        self.side.setObjectName("curve.side")
        self.side.addItems(["Long", "Short"])
        self.side.setToolTip("Follows your position; pick a side to compare when you are flat")
        self.move_pct = QDoubleSpinBox()  # `move` would hide QWidget.move
        self.move_pct.setObjectName("curve.move")
        self.move_pct.setRange(0.1, 50.0)
        self.move_pct.setDecimals(1)
        self.move_pct.setValue(2.0)
        self.move_pct.setSuffix(" % move")
        self.move_pct.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        controls = QHBoxLayout()
        controls.addWidget(self.side)
        controls.addWidget(self.move_pct)
        controls.addStretch(1)
        self.title = self._text("curve.title", 0, theme.TEXT, bold=True)
        self.thumb = self._text("curve.ruleOfThumb", 2, theme.TEXT)
        self.roe = self._text("curve.roe", 2, theme.TEXT)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.graphics, 1)
        lay.addLayout(controls)
        lay.addWidget(self.thumb)
        lay.addWidget(self.roe)
        self.side.currentIndexChanged.connect(lambda i: self.set_inputs(direction=1 if i == 0 else -1))
        self.move_pct.valueChanged.connect(lambda _v: self._words())

    def _text(self, name: str, delta: int, colour: str, bold: bool = False) -> QLabel:
        lab = QLabel("")
        lab.setObjectName(name)
        lab.setWordWrap(True)
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() + delta)
        f.setBold(bold)
        lab.setFont(f)
        lab.setStyleSheet(f"color: {colour}")
        lab.setTextFormat(Qt.TextFormat.RichText)
        return lab

    # ---------------------------------------------------------------- inputs
    def set_inputs(self, inst: Instrument | None = None, direction: int | None = None, qty: int | None = None,
                   entry: float | None = None, leverage: float | None = None) -> None:
        """Any subset; the curve is rebuilt only when symbol, side, size or (by > 0.1 %) the entry changed."""
        if inst is not None:
            self.inst = inst
        if direction is not None:
            self.direction = direction
            self.side.blockSignals(True)
            self.side.setCurrentIndex(0 if direction > 0 else 1)
            self.side.blockSignals(False)
        if qty is not None:
            self.qty = qty
        if entry is not None and math.isfinite(entry) and entry > 0:
            old = self.entry
            if not old or abs(entry - old) / old > ENTRY_TOLERANCE or self._key[:3] != self._curve_key()[:3]:
                self.entry = entry
        if leverage is not None:
            self.leverage = leverage
        if self.inst is None or self.entry <= 0:
            return
        if self._curve_key() != self._key:
            self._rebuild()
        mark_key = (self._key, self.leverage)
        if mark_key != getattr(self, "_mark_key", None):  # nothing to redraw on a frame where nothing moved
            self._mark_key = mark_key
            self._mark()

    def _curve_key(self) -> tuple[object, ...]:
        return (self.inst.symbol if self.inst else None, self.direction, self.qty, self.entry)

    def _rebuild(self) -> None:
        inst = self.inst
        assert inst is not None
        self._key = self._curve_key()
        self.points = leverage_curve(inst, self.direction, self.qty, self.entry)
        pts = [p for p in self.points if p.liquidation_price is not None]
        lev = np.array([p.leverage for p in pts], dtype=float)
        self.price_curve.setData(lev, np.array([p.liquidation_price for p in pts], dtype=float))
        self.dist_curve.setData(lev, np.array([p.distance_pct for p in pts], dtype=float))
        all_lev = np.array([p.leverage for p in self.points], dtype=float)
        self.thumb_curve.setData(all_lev, 100.0 / all_lev)
        self.entry_line.setValue(self.entry)
        self.price_plot.setXRange(-0.03, math.log10(inst.max_leverage) + 0.12, padding=0)  # room for the last tick label
        ticks = [(math.log10(v), f"{v:g}x") for v in presets(inst)]
        for p in (self.price_plot, self.dist_plot):
            p.getAxis("bottom").setTicks([ticks, []])
        self.price_axis.decimals = inst.tick_decimals
        dists = [p.distance_pct for p in pts if p.distance_pct]
        if dists:
            self.dist_plot.setYRange(math.log10(min(dists) * 0.8), math.log10(max(100.0, max(dists)) * 1.1), padding=0)
        side = "long" if self.direction > 0 else "short"
        self.title.setText(f"Liquidation price vs leverage — {side} {fmt.qty(max(self.qty, inst.lot_size))} "
                           f"{inst.symbol} @ {fmt.price(inst, self.entry)}")

    def _mark(self) -> None:
        inst = self.inst
        assert inst is not None
        self.current = cp = curve_point(inst, self.direction, self.qty, self.entry, self.leverage)
        x = math.log10(self.leverage)
        for line in self.markers:
            line.setValue(x)
        if cp.liquidation_price is not None and cp.distance_pct is not None:
            self.price_dot.setData([self.leverage], [cp.liquidation_price])
            self.dist_dot.setData([self.leverage], [cp.distance_pct])
            self.price_label.setText(f"{fmt.leverage(self.leverage)}: liq {fmt.price(inst, cp.liquidation_price)}")
            self.price_label.setPos(x, cp.liquidation_price)
            # left of the dot at the high-leverage end so it stays on the chart; on the far side from the entry line
            ax = 1.05 if x > math.log10(inst.max_leverage) * 0.6 else -0.05
            self.price_label.setAnchor((ax, -0.2) if self.direction > 0 else (ax, 1.2))
        else:
            self.price_dot.setData([], [])
            self.dist_dot.setData([], [])
            self.price_label.setText(f"{fmt.leverage(self.leverage)}: no liquidation price")
        self._words()

    def _words(self) -> None:
        inst, cp = self.inst, self.current
        if inst is None or cp is None:
            return
        lev = fmt.leverage(self.leverage)
        thumb = rule_of_thumb_pct(self.leverage)
        if cp.distance_pct is None:
            real = "there is no liquidation price at all"
        else:
            real = (f"the real distance is <b style='color:{theme.LIQ}'>{cp.distance_pct:.2f} %</b> "
                    f"({cp.distance_pct / thumb * 100:.0f} % of it) once maintenance margin and fees count")
        self.thumb.setText(f"Rule of thumb at {lev}: a <b>{thumb:.2f} %</b> move wipes you out; {real}.")
        move = self.move_pct.value()
        good = roe_of_move(inst, self.direction, self.qty, self.entry, self.leverage, move * self.direction)
        if cp.distance_pct is not None and move >= cp.distance_pct:
            bad = f"against you it <b style='color:{theme.LIQ}'>liquidates</b> you first"
        else:
            r = roe_of_move(inst, self.direction, self.qty, self.entry, self.leverage, -move * self.direction)
            bad = f"against you <b style='color:{theme.SHORT}'>{r:+.0f} %</b>"
        self.roe.setText(f"A {move:g} % move at {lev} is <b style='color:{theme.LONG}'>{good:+.0f} %</b> "
                         f"on margin in your favour; {bad}.")
