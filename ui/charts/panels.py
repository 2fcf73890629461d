"""Price, equity and liquidation charts on one simulated UTC time axis (x-linked, follow mode).

Persistent curves are fed once per frame with the slice of each of the frame's series that covers the visible window,
peak-decimated in numpy to ≤ 2 points per pixel, so a 1,000,000-point history costs no more per frame than the
window shown. Per frame the view ranges are settled before Qt paints (one paint per chart, not two), the y range
is sticky (refitted only when the data leaves it), and the follow-mode x range moves in whole pixels.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSplitter, QWidget

from terminal.domain.instruments import Instrument
from terminal.domain.orders import OrderType
from terminal.session.frame import Series
from ui.charts.items import (
    EdgeLabels,
    LineSpec,
    Markers,
    PeakBins,
    PriceLines,
    TimeAxis,
    TimeGrid,
    live_curve,
    sticky_range,
    time_step,
)
from ui.services.bridge import Frame, SessionBridge
from ui.style import format as fmt
from ui.style import theme

WINDOW_S = 30 * 60  # follow mode shows the last 30 minutes of simulated time
AXIS_W = 78
POS_NEAR = 0.35  # entry / liquidation lines within 35 % of the last price stretch the y range; beyond: an edge label
ORDER_NEAR = 0.2  # order and stop lines stretch it within 20 %
READABLE_STRETCH = 3.0  # ... and only while the y range stays within 3x the price's own span (at least 0.4 % of it):
READABLE_MIN = 0.004  # a far liquidation line must not flatten the price into a line (it gets an edge label)
EDGE_KEYS = {"liq": "Liq", "entry": "Entry"}  # lines that get an edge label when outside the y range
ALL: tuple[str, ...] = ("price", "equity", "liquidation")
STAGGER: tuple[tuple[str, ...], ...] = (("price",), ("equity", "liquidation"))  # live frames alternate: each chart repaints at 30 Hz
TITLE_PT = 9.0  # the charts' titles and legends (presenter mode scales it, then calls ``ChartsPanel._titles``)


class ValueAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information
    """Right-hand axis with thousands separators and a fixed number of decimals (prices, balances)."""

    decimals: int | None = None

    def tickValues(self, minVal, maxVal, size):  # type: ignore[no-untyped-def]
        """pyqtgraph's ticks, no more than the axis has room for one above the other: on a short chart (a 720-pixel
        screen) its labels overlapped into an unreadable stack."""
        levels = super().tickValues(minVal, maxVal, size)
        font = self.style.get("tickFont")
        line = QFontMetricsF(font).height() if font is not None else 12.0
        room = max(1, int(size // (line * 1.6)))
        kept: list[tuple[float, list[float]]] = []
        count = 0
        for spacing, values in levels:
            if count + len(values) <= room:
                kept.append((spacing, list(values)))
                count += len(values)
                continue
            if not kept and values:  # even the major ticks are too many: every k-th of them
                k = math.ceil(len(values) / room)
                kept.append((spacing * k, list(values)[::k]))
            break
        return kept

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        if self.decimals is None:
            d = max(0, min(8, -int(math.floor(math.log10(spacing))) if spacing > 0 else 0))
        else:
            d = self.decimals
        return [f"{v * scale:,.{d}f}" for v in values]


def _title(title: str, series: list[tuple[str, str]]) -> str:
    keys = "&nbsp;&nbsp;".join(f"<span style='color:{c}'>━ {n}</span>" for n, c in series)
    return (f"<span style='color:{theme.TEXT};font-size:{TITLE_PT:.0f}pt'>{title}</span>&nbsp;&nbsp;&nbsp;"
            f"<span style='font-size:{TITLE_PT - 1:.0f}pt'>{keys}</span>")


def _plot(name: str, title: str, show_time: bool) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={"bottom": TimeAxis(), "right": ValueAxis("right")})
    w.setObjectName(name)
    p = w.getPlotItem()
    for side in ("left", "right", "top", "bottom"):
        # else every range change re-sets the (unused) axis label's HTML and re-sizes the axis: layout per frame
        p.getAxis(side).enableAutoSIPrefix(False)
    p.hideAxis("left")  # no pyqtgraph grid: a y grid cost ~4 ms per paint, the x grid a re-tick per frame (TimeGrid)
    p.showAxis("right")
    p.getAxis("right").setWidth(AXIS_W)
    p.getAxis("right").setStyle(tickFont=theme.mono_font(-1))
    p.getAxis("bottom").setStyle(tickFont=theme.mono_font(-1))
    if not show_time:
        p.hideAxis("bottom")
    p.setMenuEnabled(False)
    p.hideButtons()
    p.setTitle(title, justify="left")
    p.titleLabel.setMaximumHeight(18)
    p.layout.setRowFixedHeight(0, 18)
    p.vb.disableAutoRange()  # ranges are set from the numpy slices each frame (no autoRange scans)
    # the value axis and the title change rarely: repaint them from a pixmap, not by replaying their text
    for item in (p.getAxis("right"), p.titleLabel):
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return w


class ChartsPanel(QSplitter):
    message = Signal(str)  # an amend refused by the exchange
    followChanged = Signal(bool)

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("charts")
        self.bridge = bridge
        self.follow = True
        self.price = _plot("chart.price", "", False)
        self.equity = _plot("chart.equity", "", False)
        self.liquidation = _plot("chart.liquidation", "", True)
        for w, stretch in ((self.price, 6), (self.equity, 2), (self.liquidation, 3)):
            self.addWidget(w)
            self.setStretchFactor(self.indexOf(w), stretch)
        self.setSizes([600, 170, 230])  # the price chart is what a trader (and a room) watches
        pp, ep, lp = (w.getPlotItem() for w in (self.price, self.equity, self.liquidation))
        ep.setXLink(pp)
        lp.setXLink(pp)
        self.last_curve = live_curve(pp, theme.LAST, "Last")
        self.mark_curve = live_curve(pp, theme.MARK, "Mark")
        self.margin_curve = live_curve(ep, theme.LAST, "Margin balance")
        self.wallet_curve = live_curve(ep, theme.WALLET, "Wallet balance", "dash")
        self.liq_curve = live_curve(lp, theme.LIQ, "Liquidation")
        self.liq_mark_curve = live_curve(lp, theme.MARK, "Mark")
        self.markers = Markers(pp)
        self._liq_note = QLabel("", self.liquidation)
        self._liq_note.setObjectName("chart.liquidationEmpty")
        self._liq_note.setProperty("role", "caption")
        self._liq_note.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._liq_note.hide()
        self.lines = PriceLines(pp, self._snap, self._fmt, self._drop)
        self.edges = EdgeLabels(pp)
        self.grids = {n: TimeGrid(p) for n, p in (("price", pp), ("equity", ep), ("liquidation", lp))}
        self._fed: dict[str, tuple[object, ...]] = {}
        self._peaks: dict[str, PeakBins] = {}
        self._in_frame = False
        self.stagger = True  # spread live frames' chart work over two frames (see update_frame)
        self._turn = 0
        for p in (pp, ep, lp):
            p.vb.sigRangeChangedManually.connect(lambda *_: self.set_follow(False))
            p.vb.sigRangeChanged.connect(self._panned)
        self._titles()
        bridge.frame.connect(self.update_frame)
        bridge.symbolChanged.connect(lambda _s: self.reset())
        bridge.sessionChanged.connect(lambda _s: self.reset())

    # ---------------------------------------------------------------- helpers
    @property
    def inst(self) -> Instrument:
        return self.bridge.catalog[self.bridge.symbol]

    def _snap(self, price: float) -> float:
        return self.inst.round_price(price)

    def _fmt(self, price: float) -> str:
        return fmt.price(self.inst, price)

    def set_follow(self, on: bool) -> None:
        if on != self.follow:
            self.follow = on
            self.followChanged.emit(on)
            if on:
                self._refresh()

    def _titles(self) -> None:
        inst = self.inst
        self.price.getPlotItem().setTitle(_title(f"{inst.symbol} price", [
            ("Last", theme.LAST), ("Mark", theme.MARK), ("Entry", theme.ENTRY), ("Liquidation", theme.LIQ),
            ("Orders", theme.ORDER_BUY), ("Stops", theme.STOP)]), justify="left")
        self.equity.getPlotItem().setTitle(_title(f"Equity ({inst.settle_currency})", [
            ("Margin balance", theme.LAST), ("Wallet balance", theme.WALLET)]), justify="left")
        self.liquidation.getPlotItem().setTitle(_title(f"{inst.symbol} liquidation price vs mark", [
            ("Liquidation", theme.LIQ), ("Mark", theme.MARK)]), justify="left")
        self.price.getPlotItem().getAxis("right").decimals = inst.tick_decimals
        self.liquidation.getPlotItem().getAxis("right").decimals = inst.tick_decimals

    def _panned(self, *_: object) -> None:
        """While not following, a pan or zoom re-slices the buffers for the new window (also when paused)."""
        if not self.follow and not self._in_frame:
            self._refresh()

    def reset(self) -> None:
        self._titles()
        self._fed.clear()
        self._peaks.clear()
        self.lines.update({})
        self._refresh()

    def _drop(self, key: str, price: float) -> None:
        kind, _, oid = key.partition(":")
        if kind == "order":
            ack = self.bridge.orders.amend(int(oid), price=price)
        elif kind == "stop":
            ack = self.bridge.orders.amend(int(oid), stop_price=price)
        else:
            return
        self.message.emit(f"Order {oid} moved to {self._fmt(price)}." if ack.accepted else (ack.reason or "Refused."))

    # ---------------------------------------------------------------- per frame
    def update_frame(self, frame: Frame) -> None:
        """Feed the charts for ``frame``. On the running clock's frames (``frame.live``) with ``stagger`` on, the
        price chart and the equity + liquidation pair take turns, so each chart is fed and repainted at 30 Hz and
        every frame carries about half the chart work; any other frame (a user action, a step, a pan) updates all."""
        if frame.live and self.stagger:
            self._turn ^= 1
            which = STAGGER[self._turn]
        else:
            which = ALL
        self._in_frame = True
        try:
            self._update(frame, which)
        finally:
            self._in_frame = False

    def _refresh(self) -> None:
        """Every chart from the last frame (a pan, follow switched on, a reset): never staggered."""
        if self.bridge.last is not None:
            self._in_frame = True
            try:
                self._update(self.bridge.last, ALL)
            finally:
                self._in_frame = False

    def _window(self, frame: Frame) -> tuple[float, float]:
        """The x range (s): follow mode shows the last 30 minutes plus 4 % of room, moved in whole pixels."""
        vb = self.price.getPlotItem().vb
        if not self.follow:
            x0, x1 = vb.viewRange()[0]
            return x0, x1
        now_s = frame.time_ms / 1000.0
        prices = frame.charts.price
        first = prices.first_time
        # while the price history has not wrapped, the window starts no earlier than its first tick
        t_first = first / 1000 if first is not None and prices.count == len(prices) else now_s - WINDOW_S
        x0 = max(now_s - WINDOW_S, min(t_first, now_s - 60))
        x1 = now_s + max(10.0, (now_s - x0) * 0.04)
        span = x1 - x0
        px = span / max(50.0, vb.width())  # at 1x most frames leave x (and the time axis) alone
        x1 = math.ceil(x1 / px) * px
        return x1 - span, x1

    def _update(self, frame: Frame, which: tuple[str, ...] = ()) -> None:
        charts = frame.charts
        x0, x1 = self._window(frame)
        margin = (x1 - x0) * 1000 * 0.02
        t0, t1 = x0 * 1000 - margin, x1 * 1000 + margin
        bins = max(200, int(self.price.getPlotItem().vb.width()))
        tick4 = self.inst.tick_size * 4
        for name in which or ALL:
            plot = getattr(self, name)
            if name == "price":
                rows = self._feed(name, charts.price, t0, t1, bins, ((self.last_curve, 1), (self.mark_curve, 2)))
                self.lines.update(self._line_specs(frame))
                self.markers.update(frame)
                last = frame.market.last if frame.market is not None else float("nan")
                extra, pad = self._near_lines(last), tick4
            elif name == "equity":
                rows = self._feed(name, charts.equity, t0, t1, bins,
                                  ((self.margin_curve, 1), (self.wallet_curve, 2)))
                extra, pad = [], 1e-4
            else:
                rows = self._feed(name, charts.liquidation, t0, t1, bins,
                                  ((self.liq_curve, 1), (self.liq_mark_curve, 2)))
                extra, pad = [], tick4
            if self.follow:
                self._set_x(plot, x0, x1)
                self._fit_y(plot, rows, x0 * 1000, extra, pad)
            if name == "liquidation":
                self._empty_liquidation(rows, frame)
            vb = plot.getPlotItem().vb
            (gx0, gx1), (gy0, gy1) = vb.viewRange()
            self.grids[name].update(gx0, gx1, gy0, gy1, time_step(gx1 - gx0, vb.width()))
            if name == "price":
                self._edge_labels()
            vb.updateMatrix()  # settle the view transform now: left to paint time it re-dirties items, Qt paints twice

    def _empty_liquidation(self, rows: np.ndarray | None, frame: Frame) -> None:
        """No position history: say so, and keep the axis on prices around the mark (never a bare 0–1 axis)."""
        empty = rows is None or not len(rows) or not np.isfinite(rows[:, 1]).any()
        note = self._liq_note
        if empty:
            m = frame.snapshot.markets.get(self.bridge.symbol)
            if m is not None and m.mark > 0:
                vb = self.liquidation.getPlotItem().vb
                y0, y1 = vb.viewRange()[1]
                if not y0 <= m.mark <= y1 or y1 - y0 > m.mark * 0.2:
                    vb.setYRange(m.mark * 0.99, m.mark * 1.01, padding=0)
            note.setText(f"No open {self.bridge.symbol} position: its liquidation price is drawn here against the mark")
        if note.isVisible() != empty:
            note.setVisible(empty)
        if empty:
            self._place_liq_note()

    def _place_liq_note(self) -> None:
        plot = self.liquidation
        self._liq_note.adjustSize()
        self._liq_note.move(max(4, (plot.width() - self._liq_note.width()) // 2), max(22, plot.height() // 2 - 10))

    def _set_x(self, plot: pg.PlotWidget, x0: float, x1: float) -> None:
        """Move one chart's x range without dragging the linked charts along (they take their own turn)."""
        vb = plot.getPlotItem().vb
        if vb.viewRange()[0] == [x0, x1]:
            return
        others = [getattr(self, n).getPlotItem().vb for n in ALL if getattr(self, n) is not plot]
        for o in others:
            o.blockLink(True)
        try:
            vb.setXRange(x0, x1, padding=0)
        finally:
            for o in others:
                o.blockLink(False)

    def _near_lines(self, last: float) -> list[float]:
        """Line prices that stretch the price chart's y range: position lines within 35 %, orders within 20 %."""
        out: list[float] = []
        if not math.isfinite(last) or last <= 0:
            return out
        for key, v in self.lines.prices().items():
            near = POS_NEAR if key in EDGE_KEYS else ORDER_NEAR
            if math.isfinite(v) and abs(v - last) <= near * last:
                out.append(v)
        return out

    def _edge_labels(self) -> None:
        """Entry / liquidation lines outside the y range get a label pinned to the top or bottom edge."""
        y0, y1 = self.price.getPlotItem().vb.viewRange()[1]
        wanted: dict[str, tuple[str, str, str]] = {}
        for key, spec in self.lines.specs.items():  # entry, liquidation, and orders left out to keep the price readable
            name = EDGE_KEYS.get(key) or spec.label.split(" @ ")[0]
            if not name or not math.isfinite(spec.price) or y0 <= spec.price <= y1:
                continue
            up = spec.price > y1
            wanted[key] = (f"{name} {self._fmt(spec.price)} {'↑' if up else '↓'}", spec.colour, "top" if up else "bottom")
        self.edges.update(wanted)

    def edge_label(self, key: str) -> str | None:
        """The text of the edge label shown for line ``key`` ("liq", "entry"), or None when the line is in view."""
        return self.edges.shown().get(key)

    def _feed(self, key: str, series: Series, t0: float, t1: float, bins: int, curves) -> np.ndarray | None:  # type: ignore[no-untyped-def]
        """setData once per frame, and only when the series or the window moved. Returns the rows drawn
        (peak-decimated: min and max of every bin are kept, so the y range computed from them is exact)."""
        stamp = (series.key, series.count, round(t0), round(t1), bins)
        if self._fed.get(key) == stamp:
            return self._fed.get(key + ":rows")  # type: ignore[return-value]
        shown = self._peaks.setdefault(key, PeakBins()).rows(series, t0, t1, bins)
        x = shown[:, 0] / 1000.0
        for curve, col in curves:
            curve.setData(x, shown[:, col]) if len(shown) else curve.setData([], [])
        self._fed[key] = stamp
        self._fed[key + ":rows"] = shown  # type: ignore[assignment]
        return shown

    @staticmethod
    def _fit_y(plot: pg.PlotWidget, rows: np.ndarray | None, t_from_ms: float, extra: list[float], min_pad: float) -> None:
        """Sticky y range of the visible rows (numpy, no per-point Python), stretched to nearby lines."""
        if rows is None or not len(rows):
            return
        k = int(np.searchsorted(rows[:, 0], t_from_ms))
        vis = rows[k:] if k < len(rows) else rows[-1:]
        vals = vis[:, 1:3]
        if not np.isfinite(vals).any():
            return
        lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
        # a line stretches the range only while the price stays readable; farther lines get an edge label instead
        room = max(hi - lo, READABLE_MIN * abs(hi)) * READABLE_STRETCH
        mid = (lo + hi) / 2
        for v in sorted(extra, key=lambda v: abs(v - mid)):
            if max(hi, v) - min(lo, v) <= room:
                lo, hi = min(lo, v), max(hi, v)
        vb = plot.getPlotItem().vb
        new = sticky_range(tuple(vb.viewRange()[1]), lo, hi, min_pad)
        if new is not None:
            vb.setYRange(new[0], new[1], padding=0)

    def _line_specs(self, frame: Frame) -> dict[str, LineSpec]:
        inst, sym = self.inst, self.bridge.symbol
        specs: dict[str, LineSpec] = {}
        pos = frame.snapshot.position(sym)
        if pos is not None:
            specs["entry"] = LineSpec(pos.entry_price, f"Entry {fmt.qty(pos.size, sign=True)} @ "
                                      f"{fmt.price(inst, pos.entry_price)}", theme.ENTRY)
            if pos.liquidation_price is not None:
                specs["liq"] = LineSpec(pos.liquidation_price, f"Liq. @ {fmt.price(inst, pos.liquidation_price)}",
                                        theme.LIQ, "dash")
        for o in frame.snapshot.orders:
            if o.symbol != sym:
                continue
            colour = theme.ORDER_BUY if o.side == "buy" else theme.ORDER_SELL
            name = f"{o.side.title()} {fmt.qty(o.qty - o.filled_qty)}"
            untriggered = o.status == "untriggered"
            if o.stop_price is not None and untriggered:
                kind = "TP" if OrderType(o.type).is_if_touched else "Stop"
                specs[f"stop:{o.order_id}"] = LineSpec(o.stop_price, f"{kind} {name} @ {fmt.price(inst, o.stop_price)}",
                                                       theme.STOP, "dot", o.type != "trailing_stop")
            if o.price is not None:
                specs[f"order:{o.order_id}"] = LineSpec(o.price, f"{name} @ {fmt.price(inst, o.price)}", colour,
                                                        "dash", True)
        return specs

    def line(self, key: str) -> pg.InfiniteLine | None:
        return self.lines.lines.get(key)
