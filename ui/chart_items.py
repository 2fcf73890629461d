"""Chart building blocks: time slices of ring buffers (no full copies), and horizontal price lines kept by id.

Lines are created once per id and moved only when their price changes (diffed by id). Order and stop lines are
draggable: ``sigPositionChanged`` previews the snapped price in the label, ``sigPositionChangeFinished`` asks for
an amend through ``on_drop(key, price)``; a refused amend snaps the line back on the next frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from terminal.history import RingBuffer
from ui import theme


def ring_slice(buf: RingBuffer | None, t0_ms: float, t1_ms: float) -> np.ndarray:
    """Rows of ``buf`` with ``t0 ≤ t ≤ t1`` in time order, copying only those rows (also when wrapped)."""
    if buf is None or len(buf) == 0:
        return np.empty((0, buf.data.shape[1] if buf is not None else 2))
    n, cap, data = len(buf), buf.capacity, buf.data
    if buf.count <= cap:
        parts = [data[:n]]
    else:
        k = buf.count % cap
        parts = [data[k:], data[:k]]
    out = []
    for p in parts:
        t = p[:, 0]
        a = int(np.searchsorted(t, t0_ms, "left"))
        b = int(np.searchsorted(t, t1_ms, "right"))
        if b > a:
            out.append(p[a:b])
    if not out:
        return np.empty((0, data.shape[1]))
    return out[0] if len(out) == 1 else np.concatenate(out)


def peak_decimate(rows: np.ndarray, max_bins: int) -> np.ndarray:
    """Min/max per bin of columns 1.. (NaN-aware), two rows per bin, so a window of any length draws as at most
    ``2 × max_bins`` points without losing spikes (the same idea as pyqtgraph's 'peak', done once in numpy)."""
    n = len(rows)
    if n <= 2 * max_bins:
        return rows
    k = -(-n // max_bins)
    m = n // k * k
    b = m // k
    out = np.empty((2 * b, rows.shape[1]))
    t = rows[:m, 0]
    out[0::2, 0] = t[0::k]
    out[1::2, 0] = t[k - 1::k]
    for c in range(1, rows.shape[1]):
        y = np.ascontiguousarray(rows[:m, c]).reshape(b, k)
        if np.isnan(y).any():
            with np.errstate(invalid="ignore"):
                out[0::2, c], out[1::2, c] = np.fmin.reduce(y, axis=1), np.fmax.reduce(y, axis=1)
        else:
            out[0::2, c], out[1::2, c] = y.min(axis=1), y.max(axis=1)
    return np.concatenate((out, rows[m:])) if m < n else out


def live_curve(plot: pg.PlotItem, colour: str, name: str, style: str = "solid") -> pg.PlotDataItem:
    """A persistent curve for a long live series: clip to view, peak downsampling, width-1 pen, no antialias."""
    item = plot.plot([], [], pen=theme.pen(colour, style), name=name, antialias=False, connect="finite")
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.setSkipFiniteCheck(False)
    return item


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
                    line.setValue(spec.price)
                if old.label != spec.label:
                    line.label.setFormat(spec.label)
            self.specs[key] = spec

    def _make(self, key: str, spec: LineSpec) -> pg.InfiniteLine:
        hover = theme.pen(spec.colour, "solid", 2) if spec.movable else None
        line = pg.InfiniteLine(pos=spec.price, angle=0, movable=spec.movable, pen=theme.pen(spec.colour, spec.style),
                               hoverPen=hover,
                               label=spec.label, labelOpts={"position": 0.02 if spec.movable else 0.62, "color": spec.colour,
                                                            "fill": QColor(18, 22, 28, 200), "anchors": [(0, 1), (0, 1)]})
        line.setZValue(20 if spec.movable else 10)
        if spec.movable:
            line.sigPositionChanged.connect(lambda _l, key=key: self._moving(key))
            line.sigPositionChangeFinished.connect(lambda _l, key=key: self._dropped(key))
        self.plot.addItem(line, ignoreBounds=True)
        return line

    def _moving(self, key: str) -> None:
        line, spec = self.lines.get(key), self.specs.get(key)
        if line is None or spec is None:
            return
        self.dragging = key
        px = self.snap(float(line.value()))
        line.label.setFormat(f"{spec.label.split(' @ ')[0]} @ {self.fmt_price(px)} ↕")

    def _dropped(self, key: str) -> None:
        line = self.lines.get(key)
        self.dragging = None
        if line is None:
            return
        px = self.snap(float(line.value()))
        line.setValue(px)
        self.on_drop(key, px)
        spec = self.specs.get(key)
        if spec is not None:  # the next frame re-labels (and snaps back if the amend was refused)
            self.specs[key] = LineSpec(float("nan"), "", spec.colour, spec.style, spec.movable)

    def values(self) -> list[float]:
        return [s.price for s in self.specs.values()]


class Markers:
    """Fill and liquidation markers as one ScatterPlotItem each, rebuilt only when their count changes."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.fills = pg.ScatterPlotItem(pxMode=True, size=11, pen=pg.mkPen(None))
        self.liqs = pg.ScatterPlotItem(pxMode=True, size=16, symbol="x", pen=pg.mkPen(theme.LIQ, width=2),
                                       brush=pg.mkBrush(theme.LIQ))
        self.fills.setZValue(30)
        self.liqs.setZValue(31)
        plot.addItem(self.fills)
        plot.addItem(self.liqs)
        self._key: tuple[object, ...] = ()
        self._brush = {"buy": pg.mkBrush(theme.LONG), "sell": pg.mkBrush(theme.SHORT), "liq": pg.mkBrush(theme.LIQ)}

    def update(self, symbol: str, fills: list, liquidations: list) -> None:  # type: ignore[type-arg]
        key = (symbol, len(fills), len(liquidations), id(fills))
        if key == self._key:
            return
        self._key = key
        mine = [f for f in fills if f.symbol == symbol]
        self.fills.setData(
            x=[f.time / 1000 for f in mine], y=[f.price for f in mine],
            symbol=["t1" if f.side == "buy" else "t" for f in mine],
            brush=[self._brush["liq" if f.liquidity == "liquidation" else f.side] for f in mine],
        )
        ls = [r for r in liquidations if r.symbol == symbol]
        self.liqs.setData(x=[r.time / 1000 for r in ls], y=[r.mark_price for r in ls])
