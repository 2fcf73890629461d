"""Candlesticks with volume on the price chart, built from the order book's prints (terminal/market/tape.py).

ONE graphics item draws every candle: the closed bars' wicks and bodies are built once into one list of lines and
one of rectangles per colour (re-built only when a bar closes or the window moves to other bars) and drawn with four
calls (``drawLines`` / ``drawRects``; a ``QPicture`` replaying a pen, a brush, a line and a rectangle per bar took
2.3x as long); the forming bar is painted directly, and the volume strip the same way.
A timeframe box (``chart.timeframe``: Line, 1m … 1D) switches between the line view and candles; a read-out
follows the cursor with the bar's OHLCV and how far the cursor's price is from your liquidation price.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QLineF, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from terminal.session.frame import Frame
from ui.charts.panels import STAGGER
from ui.style import theme

TIMEFRAMES = ("Line", "1m", "5m", "15m", "1h", "4h", "1D")
SECONDS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "4h": 14_400, "1D": 86_400}
VOLUME_SHARE = 0.16  # the volume strip takes the bottom of the price view


def _pen(colour: str) -> QPen:
    p = QPen(QColor(colour))
    p.setCosmetic(True)
    p.setWidth(1)
    return p


class CandleItem(pg.GraphicsObject):  # type: ignore[misc]
    """All candles of one timeframe and their volume, as one item. Bars: rows t_open_s, o, h, l, c, v."""

    def __init__(self) -> None:
        super().__init__()
        self.bars = np.zeros((0, 6))
        self.width_s = 60.0
        # closed bars by colour (+1 up, −1 down): wicks, bodies, and volume in (time, contracts), scaled when painted
        self._wicks: dict[int, list[QLineF]] = {1: [], -1: []}
        self._bodies: dict[int, list[QRectF]] = {1: [], -1: []}
        self._volume: dict[int, list[QRectF]] = {1: [], -1: []}
        self._key: tuple[object, ...] = ()
        self._bounds = QRectF()
        self._pens = {1: _pen(theme.LONG), -1: _pen(theme.SHORT)}
        self._brushes = {1: QBrush(QColor(theme.LONG)), -1: QBrush(QColor(theme.SHORT))}
        self._vol_brushes = {1: QBrush(QColor(38, 179, 107, 90)), -1: QBrush(QColor(224, 71, 76, 90))}

    def set_bars(self, bars: np.ndarray, width_s: float) -> None:
        """Bars in time order (the last one may still be forming)."""
        closed = bars[:-1]
        key = (width_s, closed.shape[0], float(closed[0, 0]) if closed.shape[0] else 0.0,
               float(closed[-1, 0]) if closed.shape[0] else 0.0)
        self.bars = bars
        self.width_s = width_s
        if key != self._key:
            self._key = key
            self._record(closed)
        if bars.shape[0]:
            lo, hi = float(bars[:, 3].min()), float(bars[:, 2].max())
            bounds = QRectF(float(bars[0, 0]), lo, float(bars[-1, 0]) + width_s - float(bars[0, 0]),
                            max(hi - lo, 1e-12))
        else:
            bounds = QRectF()
        if bounds != self._bounds:  # the scene re-indexes the item only when its box really moved
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def _record(self, bars: np.ndarray) -> None:
        """The closed bars as lines and rectangles, the same geometry ``_draw_bar`` / ``_draw_volume`` draw."""
        w = self.width_s
        up = bars[:, 4] >= bars[:, 1]
        for side, sel in ((1, up), (-1, ~up)):
            t, o, h, lo, c, v = (bars[sel, k].tolist() for k in range(6))
            self._wicks[side] = [QLineF(x + w * 0.5, a, x + w * 0.5, b) for x, a, b in zip(t, lo, h)]
            self._bodies[side] = [QRectF(x + w * 0.15, min(a, b), w * 0.7, max(abs(b - a), 1e-9))
                                  for x, a, b in zip(t, o, c)]
            self._volume[side] = [QRectF(x + w * 0.15, 0.0, w * 0.7, vol) for x, vol in zip(t, v)]

    def _draw_volume(self, p: QPainter, row: np.ndarray) -> None:
        up = 1 if row[4] >= row[1] else -1
        p.setBrush(self._vol_brushes[up])
        p.drawRect(QRectF(float(row[0]) + self.width_s * 0.15, 0.0, self.width_s * 0.7, float(row[5])))

    def _draw_bar(self, p: QPainter, row: np.ndarray) -> None:
        t, o, h, lo, c = (float(x) for x in row[:5])
        up = 1 if c >= o else -1
        body_w = self.width_s * 0.7
        x = t + self.width_s * 0.15
        mid = t + self.width_s * 0.5
        p.setPen(self._pens[up])
        p.drawLine(QPointF(mid, lo), QPointF(mid, h))
        p.setBrush(self._brushes[up])
        p.drawRect(QRectF(x, min(o, c), body_w, max(abs(c - o), 1e-9)))

    def paint(self, p: QPainter, *_: object) -> None:
        for side in (1, -1):
            if self._wicks[side]:
                p.setPen(self._pens[side])
                p.drawLines(self._wicks[side])
                p.setBrush(self._brushes[side])
                p.drawRects(self._bodies[side])
        if self.bars.shape[0]:
            self._draw_bar(p, self.bars[-1])
            self._paint_volume(p)

    def _paint_volume(self, p: QPainter) -> None:
        vb = self.getViewBox()
        if vb is None:
            return
        (x0, x1), (y0, y1) = vb.viewRange()
        bars = self.bars
        vis = bars[(bars[:, 0] + self.width_s >= x0) & (bars[:, 0] <= x1)]
        if not vis.shape[0]:
            return
        vmax = float(vis[:, 5].max()) or 1.0
        scale = (y1 - y0) * VOLUME_SHARE / vmax
        p.save()  # the closed bars' volume was recorded in contracts: one transform puts it at the view's bottom
        p.translate(0.0, y0)
        p.scale(1.0, scale)
        p.setPen(Qt.PenStyle.NoPen)
        for side in (1, -1):
            if self._volume[side]:
                p.setBrush(self._vol_brushes[side])
                p.drawRects(self._volume[side])
        self._draw_volume(p, bars[-1])
        p.restore()

    def boundingRect(self) -> QRectF:
        return self._bounds


class CandleLayer(QObject):
    """Candles and the timeframe box on ``chart.price``; fed from each frame's tape (``chart.candles``)."""

    def __init__(self, price_widget: pg.PlotWidget, last_curve: pg.PlotCurveItem | None = None) -> None:
        super().__init__(price_widget)
        self.setObjectName("chart.candles")
        self.plot = price_widget
        self.last_curve = last_curve
        self.item = CandleItem()
        self.item.setZValue(5)
        self.item.setVisible(False)
        price_widget.getPlotItem().addItem(self.item, ignoreBounds=True)
        self.combo = QComboBox(price_widget)
        self.combo.setObjectName("chart.timeframe")
        self.combo.addItems(list(TIMEFRAMES))
        self.combo.setToolTip("Line view, or candlesticks of the trades printed (with volume)")
        self.combo.setCurrentText("1m")
        self.combo.currentTextChanged.connect(self._changed)
        self.readout = QLabel("", price_widget)
        self.readout.setObjectName("chart.crosshair")
        self.readout.setProperty("role", "caption")
        self.readout.setFont(theme.mono_font(-1))
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.readout.hide()
        self.frame: Frame | None = None
        self.charts: QObject | None = None  # the charts panel whose price chart this draws on (its stagger)
        self._cursor: tuple[float, float] | None = None
        self._seen: tuple[object, ...] = ()
        price_widget.installEventFilter(self)
        price_widget.scene().sigMouseMoved.connect(self._moved)
        self._place()
        self._changed(self.combo.currentText())

    @property
    def timeframe(self) -> str:
        return self.combo.currentText()

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self.plot and ev.type() == QEvent.Type.Resize:
            self._place()
        elif obj is self.plot and ev.type() == QEvent.Type.Leave:
            self._cursor = None
            self.readout.hide()
        return False

    def _place(self) -> None:
        self.combo.adjustSize()
        self.combo.move(max(4, self.plot.width() - self.combo.width() - 70), 2)
        self.readout.move(56, 22)

    def _changed(self, tf: str) -> None:
        candles = tf != "Line"
        self.item.setVisible(candles)
        if self.last_curve is not None:
            self.last_curve.setVisible(not candles)
        self._seen = ()
        if self.frame is not None:
            self.update_frame(self.frame, force=True)

    def update_frame(self, frame: Frame, force: bool = False) -> None:
        self.frame = frame
        if frame.live and not force and not self._price_turn():
            return  # the price chart takes its 30 Hz turn on the other frames: the candles follow it, not every frame
        tf = self.timeframe
        tape = frame.tape
        if tf == "Line" or tape is None or not hasattr(tape, "candles"):
            if self.item.bars.shape[0] and tf == "Line":
                self.item.set_bars(np.zeros((0, 6)), 60.0)
            return
        key = (tf, getattr(tape, "count", 0), frame.symbol)
        if key == self._seen:
            return
        self._seen = key
        bars = np.asarray(tape.candles(tf), dtype=np.float64)
        if bars.shape[0]:  # the bars around the window (in time order: two binary searches, not a mask of all)
            vb = self.plot.getPlotItem().vb
            x0, x1 = vb.viewRange()[0]
            span = max(x1 - x0, 1.0)
            t_ms = bars[:, 0]
            lo = int(np.searchsorted(t_ms, (x0 - span - SECONDS[tf]) * 1000.0, side="left"))
            hi = int(np.searchsorted(t_ms, (x1 + span) * 1000.0, side="right"))
            bars = bars[lo:hi].copy()  # the item keeps them: never a view of the tape's array
            bars[:, 0] /= 1000.0
        self.item.set_bars(bars, float(SECONDS[tf]))
        if self._cursor is not None:
            self._read(*self._cursor)

    def _price_turn(self) -> bool:
        """Whether the charts panel fed the price chart on this (live) frame: its stagger alternates the price chart
        with the equity + liquidation pair; without a stagger every frame is the price chart's."""
        charts = self.charts
        if charts is None or not getattr(charts, "stagger", False):
            return True
        return "price" in STAGGER[getattr(charts, "_turn", 0)]

    def _moved(self, pos: QPointF) -> None:
        vb = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(pos) or not vb.sceneBoundingRect().contains(pos):
            self._cursor = None
            self.readout.hide()
            return
        pt = vb.mapSceneToView(pos)
        self._cursor = (pt.x(), pt.y())
        self._read(pt.x(), pt.y())

    def read_at(self, x_s: float, y: float) -> str:
        """The read-out for a cursor at time ``x_s`` (s) and price ``y``: the bar's OHLCV and the liquidation gap."""
        frame = self.frame
        parts: list[str] = []
        inst = frame.instrument if frame is not None else None
        fmt = inst.format_price if inst is not None else (lambda v: f"{v:,.2f}")
        bars = self.item.bars
        if self.item.isVisible() and bars.shape[0]:
            k = int(np.searchsorted(bars[:, 0], x_s, side="right")) - 1
            if 0 <= k < bars.shape[0] and x_s < bars[k, 0] + self.item.width_s:
                _, o, h, lo, c, v = bars[k]
                chg = (c - o) / o * 100 if o else 0.0
                parts.append(f"O {fmt(o)}  H {fmt(h)}  L {fmt(lo)}  C {fmt(c)}  {chg:+.2f} %  V {v:,.0f}")
        parts.append(f"at {fmt(y)}")
        pos = frame.position() if frame is not None else None
        liq = getattr(pos, "liquidation_price", None) if pos is not None else None
        if liq and y > 0 and math.isfinite(liq):
            parts.append(f"liq {fmt(liq)} is {(liq - y) / y * 100:+.2f} % away")
        return "   ".join(parts)

    def _read(self, x_s: float, y: float) -> None:
        self.readout.setText(self.read_at(x_s, y))
        self.readout.adjustSize()
        self.readout.show()


def install_candles(charts: QWidget) -> CandleLayer:
    """Candles on a :class:`ui.charts.panels.ChartsPanel`'s price chart, fed after the panel's own frame work."""
    layer = CandleLayer(charts.price, getattr(charts, "last_curve", None))  # type: ignore[attr-defined]
    layer.charts = charts
    charts.bridge.frame.connect(layer.update_frame)  # type: ignore[attr-defined]
    return layer
