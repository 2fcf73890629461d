"""Chart building blocks: peak decimation of a frame's series (time slices, no full copies), a sticky y range, a time
axis and grid that cost nothing to scroll, horizontal price lines kept by id, labels pinned to the plot edge, and
fill / liquidation markers.

Lines are created once per id and moved only when their price changes (diffed by id). Order and stop lines are
draggable: ``sigPositionChanged`` previews the snapped price in the label, ``sigPositionChangeFinished`` asks for
an amend through ``on_drop(key, price)``; a refused amend snaps the line back on the next frame.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QStaticText

from terminal.domain.account import Fill, LiquidationRecord
from terminal.session.frame import Frame, Series
from ui.style import theme


class PeakBins:
    """Peak decimation of a series' time window, incremental: rows are binned by absolute time into bins one
    pixel wide (min and max of every column per bin, NaN-aware, drawn as two points), completed bins are kept, and
    each frame bins only the rows that arrived since — not the whole window (18,000 rows in 30 min at 10 ticks/s).
    The min / max of every bin are exact, so a y range computed from the result is the data's."""

    def __init__(self) -> None:
        self.key: tuple[object, ...] = ()
        self.count = 0
        self.start = 0  # first bin number covered
        self.idx = np.empty(0, dtype=np.int64)  # bin number (floor(t / width)) of each completed bin
        self.pts = np.empty((0, 3))  # two rows per completed bin: (t first, mins...), (t last, maxes...)
        self.done = -math.inf  # rows before this time are in completed bins

    def rows(self, series: Series, t0: float, t1: float, bins: int) -> np.ndarray:
        """At most ``2 × (bins + 2)`` rows covering ``t0..t1`` (ms), in time order."""
        if len(series) == 0:
            return np.empty((0, series.columns))
        width = float(max(1, round((t1 - t0) / max(bins, 1))))  # whole ms: the same width frame after frame
        key, first = (series.key, width), int(t0 // width)
        if key != self.key or series.count < self.count or first < self.start:  # new buffer / zoom / reset / back
            self.key, self.start, self.done = key, first, -math.inf
            self.idx, self.pts = np.empty(0, dtype=np.int64), np.empty((0, series.columns))
        self.count = series.count
        b_idx, b_pts = _bin(series.between(max(t0, self.done), t1), width)
        if len(b_idx) > 1:  # rows come in time order: every bin but the newest is complete
            self.idx = np.concatenate((self.idx, b_idx[:-1]))
            self.pts = np.concatenate((self.pts, b_pts[:-2]))
            self.done = b_idx[-1] * width
            b_pts = b_pts[-2:]
        if first > self.start:  # the window moved on: drop the bins that left it
            k = int(np.searchsorted(self.idx, first))
            self.idx, self.pts, self.start = self.idx[k:], self.pts[2 * k:], first
        return np.concatenate((self.pts, b_pts)) if len(b_pts) else self.pts


def _bin(rows: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    if not len(rows):
        return np.empty(0, dtype=np.int64), np.empty((0, rows.shape[1]))
    b = (rows[:, 0] // width).astype(np.int64)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(b)) + 1))
    ends = np.append(starts[1:], len(rows)) - 1
    out = np.empty((2 * len(starts), rows.shape[1]))
    out[0::2, 0], out[1::2, 0] = rows[starts, 0], rows[ends, 0]
    with np.errstate(invalid="ignore"):
        out[0::2, 1:] = np.fmin.reduceat(rows[:, 1:], starts, axis=0)
        out[1::2, 1:] = np.fmax.reduceat(rows[:, 1:], starts, axis=0)
    return b[starts], out


def live_curve(plot: pg.PlotItem, colour: str, name: str, style: str = "solid") -> pg.PlotCurveItem:
    """A persistent curve for a long live series: width-1 cached pen, no antialias, x increasing, NaN = gap.

    Clip-to-view and peak downsampling are done in numpy (``Series.between`` + :class:`PeakBins` on the visible
    window, ≤ 2 points per pixel, incrementally), so the curve is the bare ``PlotCurveItem``: a ``PlotDataItem``
    with ``setClipToView`` / ``setDownsampling(auto=True)`` would redo both on every x-range change (every frame
    in follow mode) over data that is already clipped and decimated, and its wrapper costs a third of each setData.
    """
    item = pg.PlotCurveItem(pen=theme.pen(colour, style), name=name, antialias=False, connect="finite",
                            skipFiniteCheck=False)
    plot.addItem(item)
    return item


TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
              172800, 604800, 2592000)


def time_step(span_s: float, px: float, min_px: float = 90.0) -> float:
    """The round time step (s) whose ticks are at least ``min_px`` apart on a ``px``-wide plot of ``span_s``."""
    need = span_s / max(px, 1.0) * min_px
    for step in TIME_STEPS:
        if step >= need:
            return float(step)
    return float(TIME_STEPS[-1])


class TimeGrid:
    """Vertical grid lines at round times, drawn as ONE curve (``connect="pairs"``) in data coordinates.

    A scrolling view only changes the curve's transform, so the grid costs one cached path per paint instead of
    an axis re-tick per frame. The lines are laid out one window beyond each side and one view height above and
    below, and rebuilt only when the view leaves that or the step changes.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = pg.PlotCurveItem(pen=theme.pen(theme.GRID), connect="pairs", antialias=False)
        self.item.setZValue(-100)
        plot.addItem(self.item, ignoreBounds=True)
        self._cover = (0.0, 0.0, 0.0, 0.0, 0.0)  # x0, x1, y0, y1, step

    def update(self, x0: float, x1: float, y0: float, y1: float, step: float) -> None:
        c = self._cover
        if step == c[4] and c[0] <= x0 and x1 <= c[1] and c[2] <= y0 and y1 <= c[3]:
            return
        w, h = x1 - x0, y1 - y0
        k0, k1 = math.floor((x0 - w) / step), math.ceil((x1 + w) / step)
        xs = np.arange(k0, k1 + 1, dtype=float) * step
        lo, hi = y0 - h, y1 + h
        self.item.setData(np.repeat(xs, 2), np.tile((lo, hi), len(xs)))
        self._cover = (xs[0], xs[-1], lo, hi, step)


class TimeAxis(pg.DateAxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information
    """UTC time axis with one level of round ticks (the same steps as the charts' grid lines), labelled
    ``HH:MM`` (``HH:MM:SS`` under a minute, the date at midnight).

    In follow mode the x range moves every frame, so this axis is repainted every frame: it draws straight from
    cached ``QStaticText`` labels (no QPicture regeneration, no font measuring or text layout per frame).
    """

    HEIGHT = 22

    def __init__(self) -> None:
        super().__init__(orientation="bottom", utcOffset=0)
        self.setHeight(self.HEIGHT)
        self._texts: dict[str, QStaticText] = {}

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        step = time_step(maxVal - minVal, size)
        first = math.ceil(minVal / step) * step
        return [(step, list(np.arange(first, maxVal + step * 1e-9, step)))]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            t = time.gmtime(v)
            if spacing >= 86400 or (t.tm_hour == 0 and t.tm_min == 0 and t.tm_sec == 0):
                out.append(time.strftime("%d %b", t))
            else:
                out.append(time.strftime("%H:%M:%S" if spacing < 60 else "%H:%M", t))
        return out

    def paint(self, p, opt, widget):  # type: ignore[no-untyped-def]
        x0, x1 = self.range
        w = self.geometry().width()
        if not x1 > x0 or w <= 0:
            return
        (step, values), = self.tickValues(x0, x1, w)
        k = w / (x1 - x0)
        p.setPen(self.pen())
        p.drawLine(QPointF(0, 0), QPointF(w, 0))
        p.setFont(self.style["tickFont"])
        for v, label in zip(values, self.tickStrings(values, 1.0, step)):
            x = (v - x0) * k
            p.setPen(self.pen())
            p.drawLine(QPointF(x, 0), QPointF(x, 4))
            st = self._texts.get(label)
            if st is None:
                if len(self._texts) > 512:
                    self._texts.clear()
                st = self._texts[label] = QStaticText(label)
                st.prepare(font=self.style["tickFont"])
            p.setPen(self.textPen())
            p.drawStaticText(QPointF(x - st.size().width() / 2, 5), st)


def sticky_range(cur: tuple[float, float], lo: float, hi: float, min_pad: float) -> tuple[float, float] | None:
    """A y range for data spanning ``lo..hi``, or None to keep ``cur``: the range is refitted (12 % headroom each
    side) only when the data leaves the inner 98 % of ``cur`` or ``cur`` is over 1.6× taller than a fresh fit, so
    the axis (and its tick text) stays put for most frames."""
    pad = max((hi - lo) * 0.12, min_pad)
    fresh = (lo - pad, hi + pad)
    c0, c1 = cur
    inner = (c1 - c0) * 0.01
    if lo >= c0 + inner and hi <= c1 - inner and (c1 - c0) <= 1.6 * (fresh[1] - fresh[0]):
        return None
    return fresh


@dataclass
class LineSpec:
    price: float
    label: str
    colour: str
    style: str = "solid"
    movable: bool = False


class PriceLines:
    """Horizontal lines on a plot keyed by id ("entry", "liq", "order:7", "stop:7")."""

    def __init__(self, plot: pg.PlotItem, snap: Callable[[float], float], fmt_price: Callable[[float], str],
                 on_drop: Callable[[str, float], None]) -> None:
        self.plot = plot
        self.snap = snap
        self.fmt_price = fmt_price
        self.on_drop = on_drop
        self.lines: dict[str, pg.InfiniteLine] = {}
        self.specs: dict[str, LineSpec] = {}
        self.dragging: str | None = None
        self.width = 1  # pen width of the lines (presenter mode: thicker, see ``restyle``)
        self.label_font: Any = None  # font of the lines' labels (None: pyqtgraph's)
        self._placing = False  # True while code (not the mouse) moves a line

    def update(self, specs: dict[str, LineSpec]) -> None:
        for key in [k for k in self.lines if k not in specs]:
            self.plot.removeItem(self.lines.pop(key))
            self.specs.pop(key, None)
        for key, spec in specs.items():
            line = self.lines.get(key)
            old = self.specs.get(key)
            if line is None or old is None or (old.colour, old.style, old.movable) != (spec.colour, spec.style,
                                                                                      spec.movable):
                if line is not None:
                    self.plot.removeItem(line)
                line = self._make(key, spec)
                self.lines[key] = line
            elif key != self.dragging:
                if old.price != spec.price:
                    self._place(line, spec.price)
                if old.label != spec.label:
                    line.label.setFormat(spec.label)
            self.specs[key] = spec

    def _make(self, key: str, spec: LineSpec) -> pg.InfiniteLine:
        hover = theme.pen(spec.colour, "solid", 2) if spec.movable else None
        line = pg.InfiniteLine(pos=spec.price, angle=0, movable=spec.movable,
                               pen=theme.pen(spec.colour, spec.style, self.width),
                               hoverPen=hover,
                               label=spec.label, labelOpts={"position": 0.02 if spec.movable else 0.62, "color": spec.colour,
                                                            "fill": QColor(18, 22, 28, 200), "anchors": [(0, 1), (0, 1)]})
        line.setZValue(20 if spec.movable else 10)
        if self.label_font is not None:
            line.label.setFont(self.label_font)
        if spec.movable:
            line.sigPositionChanged.connect(lambda _l, key=key: self._moving(key))
            line.sigPositionChangeFinished.connect(lambda _l, key=key: self._dropped(key))
        self.plot.addItem(line, ignoreBounds=True)
        return line

    def _moving(self, key: str) -> None:
        line, spec = self.lines.get(key), self.specs.get(key)
        if line is None or spec is None or self._placing:
            return  # a setValue from code (a frame, the snap on drop) is not a drag
        self.dragging = key
        px = self.snap(float(line.value()))
        line.label.setFormat(f"{spec.label.split(' @ ')[0]} @ {self.fmt_price(px)} ↕")

    def _dropped(self, key: str) -> None:
        line = self.lines.get(key)
        self.dragging = None
        if line is None:
            return
        px = self.snap(float(line.value()))
        self._place(line, px)
        spec = self.specs.get(key)
        if spec is not None:  # forget the shown price first: the amend's own frame re-places the line on the order
            self.specs[key] = LineSpec(float("nan"), "", spec.colour, spec.style, spec.movable)
        self.on_drop(key, px)
        if spec is not None and key in self.lines and self.specs.get(key, spec).label == "":
            self.update({**self.specs, key: spec})  # no frame came back (nothing changed): snap back to the order

    def restyle(self, width: int, label_font: Any = None) -> None:
        """New pen width / label font: the lines are made again at the next update."""
        self.width, self.label_font = width, label_font
        for key in list(self.lines):
            self.plot.removeItem(self.lines.pop(key))
        self.specs.clear()

    def _place(self, line: pg.InfiniteLine, price: float) -> None:
        self._placing = True
        try:
            line.setValue(price)
        finally:
            self._placing = False

    def values(self) -> list[float]:
        return [s.price for s in self.specs.values()]

    def prices(self) -> dict[str, float]:
        return {k: s.price for k, s in self.specs.items()}


class EdgeLabels:
    """Labels pinned to the top or bottom edge of a plot ("Liq 33,688.5 ↓") for lines outside the y range.

    Children of the ViewBox in its pixel coordinates: they do not move when the range changes, and are only
    touched when their text or edge changes.
    """

    X_FRAC = 0.62  # where the labels sit along the plot (the same place as the fixed lines' labels)

    def __init__(self, plot: pg.PlotItem) -> None:
        self.vb = plot.vb
        self.items: dict[str, pg.TextItem] = {}
        self.state: dict[str, tuple[str, str, str]] = {}
        self.vb.sigResized.connect(lambda *_: self._place())

    def update(self, wanted: dict[str, tuple[str, str, str]]) -> None:
        """``wanted``: key → (text, colour, "top" | "bottom"); every other label is hidden."""
        if wanted == self.state:
            return
        for key, item in self.items.items():
            if key not in wanted:
                item.hide()
        for key, (text, colour, _edge) in wanted.items():
            item = self.items.get(key)
            if item is None:
                item = self.items[key] = pg.TextItem(text, color=colour, fill=QColor(18, 22, 28, 220),
                                                     border=pg.mkPen(colour))
                item.setParentItem(self.vb)
                item.setZValue(40)
            elif self.state.get(key, ("",))[0] != text:
                item.setText(text, colour)
            item.show()
        self.state = dict(wanted)
        self._place()

    def _place(self) -> None:
        x = self.vb.width() * self.X_FRAC
        n = {"top": 0, "bottom": 0}
        for key, (_text, _colour, edge) in self.state.items():
            item = self.items[key]
            i = n[edge]
            n[edge] += 1
            if edge == "top":
                item.setAnchor((0, 0))
                item.setPos(x, 2 + 20 * i)
            else:
                item.setAnchor((0, 1))
                item.setPos(x, self.vb.height() - 2 - 20 * i)

    def shown(self) -> dict[str, str]:
        """Visible labels: key → text (tests read this)."""
        return {k: t for k, (t, _c, _e) in self.state.items()}


class Markers:
    """Fill and liquidation markers as one ScatterPlotItem each: a frame's new fills and liquidations are added
    (``addPoints``), the whole layer is rebuilt from the frame's history only for another symbol or account."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.fills = pg.ScatterPlotItem(pxMode=True, size=11, pen=pg.mkPen(None))
        self.liqs = pg.ScatterPlotItem(pxMode=True, size=16, symbol="x", pen=pg.mkPen(theme.LIQ, width=2),
                                       brush=pg.mkBrush(theme.LIQ))
        self.fills.setZValue(30)
        self.liqs.setZValue(31)
        plot.addItem(self.fills)
        plot.addItem(self.liqs)
        self.symbol: str | None = None
        self._brush = {"buy": pg.mkBrush(theme.LONG), "sell": pg.mkBrush(theme.SHORT), "liq": pg.mkBrush(theme.LIQ)}

    def update(self, frame: Frame) -> None:
        symbol = frame.symbol
        fills: Sequence[Fill]
        liqs: Sequence[LiquidationRecord]
        if frame.reset or symbol != self.symbol:
            self.symbol = symbol
            self.fills.clear()
            self.liqs.clear()
            fills, liqs = frame.history.fills, frame.history.liquidations
        else:
            fills, liqs = frame.fills, frame.liquidations
        mine = [f for f in fills if f.symbol == symbol]
        if mine:
            self.fills.addPoints(
                x=[f.time / 1000 for f in mine], y=[f.price for f in mine],
                symbol=["t1" if f.side == "buy" else "t" for f in mine],
                brush=[self._brush["liq" if f.liquidity == "liquidation" else f.side] for f in mine],
            )
        ls = [r for r in liqs if r.symbol == symbol]
        if ls:
            self.liqs.addPoints(x=[r.time / 1000 for r in ls], y=[r.mark_price for r in ls])
