"""Price, equity and liquidation charts on one simulated UTC time axis (x-linked, follow mode).

Persistent curves are fed once per frame with the slice of each ring buffer that covers the visible window
(plus one window either side), so a 1,000,000-point history costs no more per frame than the window shown.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QSplitter, QWidget
from PySide6.QtCore import Qt

from terminal.orders import OrderType
from ui import format as fmt
from ui import theme
from ui.bridge import Frame, SessionBridge
from ui.chart_items import LineSpec, Markers, PriceLines, live_curve, peak_decimate, ring_slice

WINDOW_S = 30 * 60  # follow mode shows the last 30 minutes of simulated time
AXIS_W = 78
LIQ_NEAR = 0.2  # lines further than 20 % from the price do not stretch the price chart's y range


class ValueAxis(pg.AxisItem):
    """Right-hand axis with thousands separators and a fixed number of decimals (prices, balances)."""

    decimals: int | None = None

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]
        if self.decimals is None:
            d = max(0, min(8, -int(math.floor(math.log10(spacing))) if spacing > 0 else 0))
        else:
            d = self.decimals
        return [f"{v * scale:,.{d}f}" for v in values]


def _title(title: str, series: list[tuple[str, str]]) -> str:
    keys = "&nbsp;&nbsp;".join(f"<span style='color:{c}'>━ {n}</span>" for n, c in series)
    return f"<span style='color:{theme.TEXT};font-size:9pt'>{title}</span>&nbsp;&nbsp;&nbsp;<span style='font-size:8pt'>{keys}</span>"


def _plot(name: str, title: str, show_time: bool) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0), "right": ValueAxis("right")})
    w.setObjectName(name)
    p = w.getPlotItem()
    p.showGrid(x=True, y=False, alpha=0.12)  # a y grid drawn by pyqtgraph costs ~4 ms per paint
    p.hideAxis("left")
    p.showAxis("right")
    p.getAxis("right").setWidth(AXIS_W)
    p.getAxis("right").setStyle(tickFont=theme.mono_font(-1))
    p.getAxis("bottom").setStyle(tickFont=theme.mono_font(-1))
    if not show_time:
        p.getAxis("bottom").setStyle(showValues=False)
        p.getAxis("bottom").setHeight(4)
    p.setMenuEnabled(False)
    p.hideButtons()
    p.setTitle(title, justify="left")
    p.titleLabel.setMaximumHeight(18)
    p.layout.setRowFixedHeight(0, 18)
    p.vb.disableAutoRange()  # ranges are set from the numpy slices each frame (no autoRange scans)
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
        for w, stretch in ((self.price, 5), (self.equity, 2), (self.liquidation, 3)):
            self.addWidget(w)
            self.setStretchFactor(self.indexOf(w), stretch)
        self.setSizes([500, 200, 300])
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
        self.lines = PriceLines(pp, self._snap, self._fmt, self._drop)
        self._fed: dict[str, tuple[object, ...]] = {}
        self._in_frame = False
        for p in (pp, ep, lp):
            p.vb.sigRangeChangedManually.connect(lambda *_: self.set_follow(False))
        pp.vb.sigXRangeChanged.connect(self._panned)
        self._titles()
        bridge.frame.connect(self.update_frame)
        bridge.symbolChanged.connect(lambda _s: self.reset())
        bridge.sessionChanged.connect(lambda _s: self.reset())

    # ---------------------------------------------------------------- helpers
    @property
    def inst(self):  # type: ignore[no-untyped-def]
        return self.bridge.session.catalog[self.bridge.symbol]

    def _snap(self, price: float) -> float:
        return self.inst.round_price(price)

    def _fmt(self, price: float) -> str:
        return fmt.price(self.inst, price)

    def set_follow(self, on: bool) -> None:
        if on != self.follow:
            self.follow = on
            self.followChanged.emit(on)
            if on and self.bridge.last is not None:
                self.update_frame(self.bridge.last)

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
        if not self.follow and self.bridge.last is not None and not self._in_frame:
            self.update_frame(self.bridge.last)

    def reset(self) -> None:
        self._titles()
        self._fed.clear()
        self.lines.update({})
        if self.bridge.last is not None:
            self.update_frame(self.bridge.last)

    def _drop(self, key: str, price: float) -> None:
        kind, _, oid = key.partition(":")
        ex = self.bridge.session.exchange
        if kind == "order":
            ack = self.bridge.act(lambda: ex.amend_order(int(oid), price=price))
        elif kind == "stop":
            ack = self.bridge.act(lambda: ex.amend_order(int(oid), stop_price=price))
        else:
            return
        self.message.emit(f"Order {oid} moved to {self._fmt(price)}." if ack.accepted else (ack.reason or "Refused."))

    # ---------------------------------------------------------------- per frame
    def update_frame(self, frame: Frame) -> None:
        self._in_frame = True
        try:
            self._update(frame)
        finally:
            self._in_frame = False

    def _update(self, frame: Frame) -> None:
        s = self.bridge.session
        sym = self.bridge.symbol
        now_s = s.now_ms / 1000.0
        vb = self.price.getPlotItem().vb
        if self.follow:
            first = s.prices.get(sym)
            t_first = first.data[0, 0] / 1000 if first is not None and first.count and first.count <= first.capacity \
                else now_s - WINDOW_S
            x0 = max(now_s - WINDOW_S, min(t_first, now_s - 60))
            x1 = now_s + max(10.0, (now_s - x0) * 0.04)
        else:
            x0, x1 = vb.viewRange()[0]
        margin = (x1 - x0) * 1000 * 0.02
        t0, t1 = x0 * 1000 - margin, x1 * 1000 + margin
        prices = self._feed("price", s.prices.get(sym), t0, t1, ((self.last_curve, 1), (self.mark_curve, 2)))
        cur = self.inst.settle_currency
        equity = self._feed("equity", s.history.equity.get(cur), t0, t1, ((self.margin_curve, 1), (self.wallet_curve, 2)))
        liq = self._feed("liq", s.history.liquidation.get(sym), t0, t1, ((self.liq_curve, 1), (self.liq_mark_curve, 2)))
        self.lines.update(self._line_specs(frame))
        ex = s.exchange
        self.markers.update(sym, ex.fills, ex.liquidations)
        if self.follow:
            vb.setXRange(x0, x1, padding=0)
            self._fit_y(self.price, prices, x0 * 1000, self.lines.values(), self.inst.tick_size * 4)
            self._fit_y(self.equity, equity, x0 * 1000, (), 1e-4)
            self._fit_y(self.liquidation, liq, x0 * 1000, (), self.inst.tick_size * 4)

    def _feed(self, key: str, buf, t0: float, t1: float, curves) -> np.ndarray | None:  # type: ignore[no-untyped-def]
        """setData once per frame, and only when the buffer or the window moved."""
        stamp = (id(buf), buf.count if buf is not None else -1, round(t0), round(t1))
        if self._fed.get(key) == stamp:
            return self._fed.get(key + ":rows")  # type: ignore[return-value]
        rows = ring_slice(buf, t0, t1) if buf is not None else np.empty((0, 3))
        shown = peak_decimate(rows, max(200, self.price.width()))
        x = shown[:, 0] / 1000.0
        for curve, col in curves:
            curve.setData(x, shown[:, col]) if len(shown) else curve.setData([], [])
        self._fed[key] = stamp
        self._fed[key + ":rows"] = rows  # type: ignore[assignment]
        return rows

    @staticmethod
    def _fit_y(plot: pg.PlotWidget, rows: np.ndarray | None, t_from_ms: float, extra: object, min_pad: float) -> None:
        """y range of the visible rows (numpy, no per-point Python), stretched to nearby lines."""
        if rows is None or not len(rows):
            return
        k = int(np.searchsorted(rows[:, 0], t_from_ms))
        vis = rows[k:] if k < len(rows) else rows[-1:]
        vals = vis[:, 1:3]
        if not np.isfinite(vals).any():
            return
        lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
        mid = (lo + hi) / 2
        for v in extra:  # type: ignore[attr-defined]
            if math.isfinite(v) and abs(v - mid) <= LIQ_NEAR * abs(mid):
                lo, hi = min(lo, v), max(hi, v)
        pad = max((hi - lo) * 0.08, min_pad)
        plot.getPlotItem().vb.setYRange(lo - pad, hi + pad, padding=0)

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
