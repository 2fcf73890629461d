"""Leverage side by side (Training → Leverage side by side): the trainer opens ghost positions at 2x, 10x, 25x and
100x (editable) with the same stake at the current price; one chart shows the mark with each ghost's liquidation
line (top) and each ghost's equity as a share of its stake (bottom), and a line under it says who survives.
Ghosts are :mod:`terminal.domain.ghosts` arithmetic on the frame's price series: they never touch the account.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from terminal.domain.ghosts import DEFAULT_LEVERAGES, GhostRun, open_ghosts, parse_leverages
from terminal.session.frame import Frame
from ui.style import format as fmt
from ui.style import theme

COLOURS = ("#26b36b", "#4aa3ff", "#f0b429", "#e0474c", "#c58af9", "#7fd1c7", "#ff8c1a", "#d6dbe1")
STAKE_SHARE = 0.10  # each ghost puts up this share of the account's margin balance


class GhostPanel(QWidget):
    def __init__(self, win: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ghosts.panel")
        self.win = win
        self.run: GhostRun | None = None
        self._drawn = (-1.0, -1)
        self.leverages = QLineEdit(", ".join(f"{v:g}" for v in DEFAULT_LEVERAGES))
        self.leverages.setObjectName("ghosts.leverages")
        self.leverages.setToolTip("Leverages to compare, e.g. 2, 10, 25, 100")
        self.long = QPushButton("Ghosts long")
        self.long.setObjectName("ghosts.openLong")
        self.short = QPushButton("Ghosts short")
        self.short.setObjectName("ghosts.openShort")
        self.clear = QPushButton("Clear")
        self.clear.setObjectName("ghosts.clear")
        for b, tip in ((self.long, "Open a long ghost at each leverage, same stake, at the current price"),
                       (self.short, "Open a short ghost at each leverage, same stake, at the current price"),
                       (self.clear, "Remove the ghosts")):
            b.setToolTip(tip)
        row = QHBoxLayout()
        row.addWidget(QLabel("Leverages"))
        row.addWidget(self.leverages, 1)
        for b in (self.long, self.short, self.clear):
            row.addWidget(b)
        self.chart = pg.GraphicsLayoutWidget()
        self.chart.setObjectName("ghosts.chart")
        self.chart.setMinimumHeight(220)
        self.price_plot = self.chart.addPlot(row=0, col=0)
        self.equity_plot = self.chart.addPlot(row=1, col=0)
        self.equity_plot.setXLink(self.price_plot)
        for p, title in ((self.price_plot, "Mark and each ghost's liquidation price"),
                         (self.equity_plot, "Equity, % of the stake")):
            p.setTitle(f"<span style='color:{theme.TEXT}'>{title}</span>", justify="left")
            p.hideButtons()
            p.setMenuEnabled(False)
            p.showAxis("right")
            p.hideAxis("left")
            p.getAxis("bottom").setStyle(showValues=False)
        self.mark_curve = self.price_plot.plot(pen=theme.pen(theme.MARK))
        self.liq_lines: list[pg.InfiniteLine] = []
        self.equity_curves: list[pg.PlotDataItem] = []
        self.status = QLabel("Open ghosts to compare leverages on the same stake and entry.")
        self.status.setObjectName("ghosts.status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addLayout(row)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.status)
        self.long.clicked.connect(lambda: self.open(1))
        self.short.clicked.connect(lambda: self.open(-1))
        self.clear.clicked.connect(self.clear_ghosts)
        win.bridge.frame.connect(self.on_frame)
        win.bridge.symbolChanged.connect(lambda *_: self.clear_ghosts())

    # ---------------------------------------------------------------- ghosts
    def open(self, direction: int) -> bool:
        frame = self.win.bridge.last
        if frame is None or frame.market is None:
            return False
        inst = frame.instrument
        levs = parse_leverages(self.leverages.text(), inst.max_leverage)
        if isinstance(levs, str):
            self.status.setText(f"<span style='color:{theme.AMBER}'>{levs}</span>")
            return False
        wallet = frame.wallet
        balance = wallet.margin_balance_minor if wallet is not None else 0
        stake = max(1, int(balance * STAKE_SHARE)) if balance > 0 else inst.value_minor(inst.lot_size * 100,
                                                                                           frame.market.mark)
        entry = inst.round_price(frame.market.mark)
        self.run = GhostRun(inst, open_ghosts(inst, direction, entry, stake, levs), opened_ms=frame.time_ms)
        self._build()
        side = "long" if direction > 0 else "short"
        self.win.training.presenter.show_action(f"Ghosts {side}: {', '.join(fmt.leverage(v) for v in levs)}")
        self.on_frame(frame)
        return True

    def clear_ghosts(self) -> None:
        self.run = None
        self._build()
        self.status.setText("Open ghosts to compare leverages on the same stake and entry.")

    def _build(self) -> None:
        for line in self.liq_lines:
            self.price_plot.removeItem(line)
        for c in self.equity_curves:
            self.equity_plot.removeItem(c)
        self.liq_lines, self.equity_curves = [], []
        self.mark_curve.setData([], [])
        self._drawn = (-1.0, -1)
        if self.run is None:
            return
        inst = self.run.inst
        for k, g in enumerate(self.run.ghosts):
            colour = COLOURS[k % len(COLOURS)]
            if g.liquidation is not None:
                line = pg.InfiniteLine(pos=g.liquidation, angle=0, pen=theme.pen(colour, "dash"),
                                       label=f"{fmt.leverage(g.leverage)} liq {fmt.price(inst, g.liquidation)}",
                                       labelOpts={"position": 0.05, "color": colour, "anchors": [(0, 1), (0, 1)]})
                self.price_plot.addItem(line)
                self.liq_lines.append(line)
            curve = self.equity_plot.plot(pen=pg.mkPen(colour, width=2), name=fmt.leverage(g.leverage))
            self.equity_curves.append(curve)

    # ---------------------------------------------------------------- per frame
    def on_frame(self, frame: Frame) -> None:
        run = self.run
        if run is None or frame.symbol != run.inst.symbol:
            return
        rows = frame.charts.price.between(max(run.last_ms, run.opened_ms), frame.time_ms)
        if len(rows):
            run.feed(rows[:, 0], rows[:, 2])
        if not self.isVisible() or (run.last_ms, len(run.liquidated_ms)) == self._drawn:
            return
        self._drawn = (run.last_ms, len(run.liquidated_ms))
        t, eq = run.series()
        if not len(t):
            return
        step = max(1, len(t) // 1500)  # a bounded number of points, whatever the run's length
        x = t[::step] / 1000.0
        marks = frame.charts.price.between(run.opened_ms, frame.time_ms)
        mstep = max(1, len(marks) // 1500)
        self.mark_curve.setData(marks[::mstep, 0] / 1000.0, marks[::mstep, 2])
        for k, curve in enumerate(self.equity_curves):
            curve.setData(x, eq[::step, k] * 100.0)
        lo = min([float(np.nanmin(marks[:, 2])) if len(marks) else run.ghosts[0].entry]
                 + [g.liquidation for g in run.ghosts if g.liquidation is not None])
        hi = max([float(np.nanmax(marks[:, 2])) if len(marks) else run.ghosts[0].entry]
                 + [g.liquidation for g in run.ghosts if g.liquidation is not None])
        pad = (hi - lo) * 0.08 or hi * 0.01
        self.price_plot.setYRange(lo - pad, hi + pad, padding=0)
        self.status.setText(self.summary())

    def summary(self) -> str:
        run = self.run
        if run is None:
            return ""
        t, eq = run.series()
        parts = []
        for k, g in enumerate(run.ghosts):
            colour = COLOURS[k % len(COLOURS)]
            done = run.liquidated_ms.get(g.leverage)
            if done is not None:
                parts.append(f"<span style='color:{colour}'><b>{fmt.leverage(g.leverage)}</b> ✖ liquidated "
                             f"{fmt.utc_time(done, with_date=False)}</span>")
            else:
                now = eq[-1, k] * 100 - 100 if len(t) else 0.0
                parts.append(f"<span style='color:{colour}'><b>{fmt.leverage(g.leverage)}</b> ✔ {now:+.1f} %</span>")
        alive = len(run.survivors())
        return f"{alive} of {len(run.ghosts)} survive · " + " · ".join(parts)
