"""Rewind controls: step back (``sim.back``: one tick, or one minute from its menu), go to any moment (``sim.goto``,
a time box), and "what if…" (a branch from a past moment with one decision changed, both outcomes side by side).

On the practice account a rewind asks first; what it undoes stays in the journal's history.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pyqtgraph as pg
from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.errors import InputError
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.lessons.outcomes import Change, Outcome, change_problem
from ui.services.lessons import LessonService
from ui.services.sessions import offscreen
from ui.style import theme

UTC_ZONE = QTimeZone.utc()


def to_qdt(ms: int) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(ms), UTC_ZONE)


class RewindBar(QToolBar):
    def __init__(self, service: LessonService, parent: QWidget | None = None) -> None:
        super().__init__("Rewind", parent)
        self.setObjectName("toolbar.rewind")
        self.service = service
        self.back = QToolButton()
        self.back.setObjectName("sim.back")
        self.back.setText("◀ Back")
        self.back.setToolTip("Step back one tick (the menu: one minute)")
        self.back.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.back_tick = QAction("Back one tick", self)
        self.back_tick.setObjectName("sim.backTick")
        self.back_tick.triggered.connect(self.back_one_tick)
        self.back_minute = QAction("Back one minute", self)
        self.back_minute.setObjectName("sim.backMinute")
        self.back_minute.triggered.connect(self.back_one_minute)
        self.back.addAction(self.back_tick)
        self.back.addAction(self.back_minute)
        self.back.clicked.connect(self.back_one_tick)
        self.addWidget(self.back)
        self.addWidget(QLabel(" Go to "))
        self.goto = QDateTimeEdit()
        self.goto.setObjectName("sim.goto")
        self.goto.setTimeZone(UTC_ZONE)
        self.goto.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        self.goto.setToolTip("Go to any moment of the session (Enter): the market and your actions replay exactly")
        self.goto.editingFinished.connect(self.go)
        self.addWidget(self.goto)
        self.go_button = QPushButton("Go")
        self.go_button.setObjectName("sim.gotoButton")
        self.go_button.clicked.connect(self.go)
        self.addWidget(self.go_button)
        self.what_if = QPushButton("What if…")
        self.what_if.setObjectName("sim.branch")
        self.what_if.setToolTip("Replay from a past moment with one decision changed, and compare")
        self.what_if.clicked.connect(self.open_branch)
        self.addWidget(self.what_if)
        self.dialog: BranchDialog | None = None
        service.rewound.connect(self._show_time)
        service.bridge.frame.connect(lambda _f: self._show_time(service.bridge.now_ms, only_if_idle=True))
        self._show_time(service.bridge.now_ms)

    def _show_time(self, ms: int, only_if_idle: bool = False) -> None:
        if only_if_idle and self.goto.hasFocus():
            return
        self.goto.blockSignals(True)
        self.goto.setDateTimeRange(to_qdt(self.service.start_ms), to_qdt(self.service.latest_ms))
        self.goto.setDateTime(to_qdt(ms))
        self.goto.blockSignals(False)

    def _confirm(self) -> bool:
        if not self.service.practice_account or offscreen():
            return True
        ask = QMessageBox.question(self, "Rewind the practice account",
                                   "Take the practice account back? What happened after that moment is undone "
                                   "(the journal and the report keep it as history).")
        return ask == QMessageBox.StandardButton.Yes

    def back_one_tick(self) -> None:
        if self._confirm():
            self.service.step_back(1)

    def back_one_minute(self) -> None:
        if self._confirm():
            self.service.back_minute()

    def go(self) -> None:
        t = min(max(int(self.goto.dateTime().toMSecsSinceEpoch()), self.service.start_ms), self.service.latest_ms)
        if t == self.service.bridge.now_ms:
            return
        if t < self.service.bridge.now_ms and not self._confirm():
            self._show_time(self.service.bridge.now_ms)
            return
        self.service.go_to(t)

    def open_branch(self) -> BranchDialog:
        if self.dialog is None:
            self.dialog = BranchDialog(self.service, self.window())
        self.dialog.reset_time()
        self.dialog.show()
        return self.dialog


class BranchDialog(QDialog):
    """From a past moment, one decision changed: both outcomes side by side (figures, equity, liquidation lines)."""

    def __init__(self, service: LessonService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branch.dialog")
        self.setWindowTitle("What if…")
        self.service = service
        form = QFormLayout()
        self.when = QDateTimeEdit()
        self.when.setObjectName("branch.from")
        self.when.setTimeZone(UTC_ZONE)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        self.kind = QComboBox()
        self.kind.setObjectName("branch.kind")
        for k, label in (("leverage", "Leverage"), ("size", "Size (contracts)"), ("stop", "Stop price"),
                         ("margin_mode", "Margin mode (isolated / cross)")):
            self.kind.addItem(label, k)
        self.value = QLineEdit("5")
        self.value.setObjectName("branch.value")
        form.addRow("From", self.when)
        form.addRow("Change", self.kind)
        form.addRow("To", self.value)
        self.run_button = QPushButton("Replay both")
        self.run_button.setObjectName("branch.run")
        self.run_button.clicked.connect(self.run)
        self.message = QLabel("")
        self.message.setObjectName("branch.message")
        grid = QGridLayout()
        self.actual = QLabel("")
        self.actual.setObjectName("branch.actual")
        self.what_if = QLabel("")
        self.what_if.setObjectName("branch.whatIf")
        grid.addWidget(QLabel("<b>As it happened</b>"), 0, 0)
        grid.addWidget(QLabel("<b>What if</b>"), 0, 1)
        grid.addWidget(self.actual, 1, 0)
        grid.addWidget(self.what_if, 1, 1)
        self.chart = pg.PlotWidget()
        self.chart.setObjectName("branch.chart")
        self.chart.setMinimumHeight(220)
        self.chart.addLegend()
        self.liq_chart = pg.PlotWidget()
        self.liq_chart.setObjectName("branch.liquidation")
        self.liq_chart.setMinimumHeight(160)
        self.liq_chart.addLegend()
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.run_button)
        lay.addWidget(self.message)
        lay.addLayout(grid)
        lay.addWidget(self.chart)
        lay.addWidget(self.liq_chart)
        self.outcomes: tuple[Outcome, Outcome] | None = None

    def reset_time(self) -> None:
        tl = self.service.timeline
        first = next((a.t_ms for a in tl.actions[:tl.applied] if a.name == "place_order"), None)
        self.when.setDateTime(to_qdt(first if first is not None else tl.start_ms))

    def run(self) -> tuple[Outcome, Outcome] | None:
        kind = str(self.kind.currentData())
        text = self.value.text().strip()
        value: float | str
        if kind == "margin_mode":
            if text not in ("isolated", "cross"):
                self.message.setText("Margin mode: type isolated or cross.")
                return None
            value = text
        else:
            try:
                value = float(text.replace(",", ""))
            except ValueError:
                self.message.setText(f"{self.kind.currentText()}: type a number.")
                return None
            if value <= 0:
                self.message.setText(f"{self.kind.currentText()}: a positive number.")
                return None
        t = int(self.when.dateTime().toMSecsSinceEpoch())
        change = Change(kind, value)  # type: ignore[arg-type]
        problem = change_problem(change, self.service.bridge.catalog[self.service.timeline.primary])
        if problem is not None:  # said here, in the trader's words: never a replay that silently ignored it
            self.message.setText(problem)
            return None
        try:
            actual, what_if = self.service.branch(t, change)
        except InputError as exc:  # e.g. no order after that moment: a replay identical to what happened
            self.message.setText(str(exc))
            return None
        self.outcomes = (actual, what_if)
        cur = self.service.bridge.catalog[self.service.timeline.primary].settle_currency
        self.actual.setText(_figures(actual, cur))
        self.what_if.setText(_figures(what_if, cur))
        self.message.setText(f"Replayed from {datetime.fromtimestamp(t / 1000, UTC):%Y-%m-%d %H:%M:%S} UTC.")
        self.chart.clear()
        self.liq_chart.clear()
        for o, color in ((actual, theme.LAST), (what_if, theme.AMBER)):
            if len(o.equity):
                self.chart.plot(o.equity[:, 0] / 1000, o.equity[:, 1], pen=pg.mkPen(color, width=1), name=o.label)
            if len(o.liquidation):
                liq = o.liquidation
                self.liq_chart.plot(liq[:, 0] / 1000, liq[:, 1], pen=pg.mkPen(color, width=1), name=f"{o.label}: liq.",
                                    connect="finite")
        if len(actual.liquidation):
            liq = actual.liquidation
            self.liq_chart.plot(liq[:, 0] / 1000, liq[:, 2], pen=pg.mkPen(theme.MARK, width=1), name="mark")
        return self.outcomes


def _figures(o: Outcome, cur: str) -> str:
    mpm = MINOR_PER_MAJOR[cur]
    d = 8 if cur == "XBT" else 2
    return (f"Margin balance {o.margin_balance_minor / mpm:,.{d}f} {cur}<br>"
            f"Wallet {o.wallet_balance_minor / mpm:,.{d}f} {cur}<br>"
            f"Realised PnL {o.realised_pnl_minor / mpm:+,.{d}f} {cur}<br>"
            f"Liquidations {o.liquidations}<br>Max drawdown {o.max_drawdown_pct:.2f} %")


__all__ = ["BranchDialog", "RewindBar"]
