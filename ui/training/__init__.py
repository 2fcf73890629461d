"""Training features on top of the terminal window: calculator, liquidation explainer, leverage → liquidation
curve, risk coach, presenter mode, hotkeys, alerts, scenario picker and the session report — and the "Training"
menu that reaches them. :func:`install_training` adds them to a :class:`ui.window.main_window.MainWindow`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QFrame, QScrollArea

from ui.services.bridge import Frame
from ui.training.alerts import Alerts
from ui.training.calculator_dialog import CalculatorDialog
from ui.training.coach import CoachSettingsDialog, RiskCoach
from ui.training.explainer import ChartNote, LiquidationExplainer
from ui.training.ghosts import GhostPanel
from ui.training.hotkeys import Hotkeys
from ui.training.leverage_curve import LeverageCurve
from ui.training.presenter import PresenterMode
from ui.training.report_export import export_report
from ui.training.scenario_end import ScenarioEnd
from ui.training.scenario_picker import ScenarioPicker
from ui.training.timeline import TimelineBar


class Training:
    def __init__(self, win: Any) -> None:
        self.win = win
        self.calculator: CalculatorDialog | None = None
        self.picker: ScenarioPicker | None = None
        self.presenter = PresenterMode(win)
        self.alerts = Alerts(win)
        self.hotkeys = Hotkeys(win, self.presenter.show_action)
        self.coach = RiskCoach(win.form)
        win.form.extras.addWidget(self.coach)
        self.curve = LeverageCurve()
        self.curve_dock = self._dock("dock.curve", "Leverage → liquidation", self.curve)
        self.explainer = LiquidationExplainer()
        self.explainer_dock = self._dock("dock.explainer", "Liquidation explained", self.explainer)
        win.tabifyDockWidget(self.curve_dock, self.explainer_dock)
        self.curve_dock.hide()
        self.explainer_dock.hide()
        self.ghosts = GhostPanel(win)  # leverage side by side: ghosts at 2x … 100x on the same stake and entry
        self.ghosts_dock = self._dock("dock.ghosts", "Leverage side by side", self.ghosts)
        self.ghosts_dock.hide()
        self.note = ChartNote(win.charts.price.getPlotItem())
        self.timeline = TimelineBar(win)  # a second toolbar row while a scenario plays
        win.addToolBarBreak()
        win.addToolBar(self.timeline)
        self.scenario_end = ScenarioEnd(win)
        self.actions: dict[str, QAction] = {}
        self._menu()
        self._wire()

    # ---------------------------------------------------------------- building
    def _dock(self, name: str, title: str, widget: Any) -> QDockWidget:
        d = QDockWidget(title, self.win)
        d.setObjectName(name)
        scroll = QScrollArea(d)  # a small screen scrolls the panel instead of growing the window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        scroll.setMinimumHeight(160)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        d.setWidget(scroll)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        d.setMinimumWidth(max(380, widget.minimumSizeHint().width() + 24))  # room for the vertical scroll bar
        self.win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d)
        return d

    def _action(self, name: str, text: str, slot: Any = None, *, checkable: bool = False, checked: bool = False,
                keys: tuple[str, ...] = ()) -> QAction:
        a = QAction(text, self.win)
        a.setObjectName(f"training.{name}")
        a.setCheckable(checkable)
        if checkable:
            a.setChecked(checked)
            if slot is not None:
                a.toggled.connect(slot)
        elif slot is not None:
            a.triggered.connect(lambda _=False: slot())
        if keys:
            a.setShortcuts([QKeySequence(k) for k in keys])
        self.win.addAction(a)
        self.actions[name] = a
        return a

    def _menu(self) -> None:
        m = self.win.menuBar().addMenu("&Training")
        m.setObjectName("menu.training")
        m.addAction(self._action("calculator", "Calculator…", self.open_calculator, keys=("Ctrl+K",)))
        curve = self.curve_dock.toggleViewAction()
        curve.setObjectName("training.curve")
        curve.setText("Leverage → liquidation curve")
        curve.setShortcut(QKeySequence("Ctrl+L"))
        self.actions["curve"] = curve
        m.addAction(curve)
        ghosts = self.ghosts_dock.toggleViewAction()
        ghosts.setObjectName("training.ghosts")
        ghosts.setText("Leverage side by side (ghosts)")
        self.actions["ghosts"] = ghosts
        m.addAction(ghosts)
        explained = self.explainer_dock.toggleViewAction()
        explained.setObjectName("training.explainer")
        explained.setText("Last liquidation explained")
        m.addAction(explained)
        m.addSeparator()
        m.addAction(self._action("coach", "Risk coach", self.coach.set_enabled, checkable=True, checked=True))
        m.addAction(self._action("coachSettings", "Risk coach settings…", self.open_coach_settings))
        m.addSeparator()
        m.addAction(self._action("presenter", "Presenter mode", self.presenter.set_on, checkable=True, keys=("F9",)))
        self.actions["presenter"].setObjectName("action.presenterMode")  # the contract name (F9)
        m.addAction(self._action("hotkeys", "Hotkeys…", self.hotkeys.toggle_help, keys=("F1", "?")))
        m.addAction(self._action("mute", "Mute alerts", self.alerts.set_muted, checkable=True))
        m.addSeparator()
        m.addAction(self._action("scenarios", "Scenarios…", self.open_scenarios))
        m.addAction(self._action("report", "Export session report…", self.export_report))

    def _wire(self) -> None:
        win, form = self.win, self.win.form
        win.bridge.frame.connect(self._on_frame)
        for sig in (form.size_box.textEdited, form.size_unit.currentIndexChanged, form.order_type.currentIndexChanged,
                    form.price.valueChanged, form.leverage.previewed, form.leverage.committed):
            sig.connect(lambda *_: self.update_curve())
        win.bridge.symbolChanged.connect(lambda _s: self.update_curve())
        win.bridge.sessionChanged.connect(lambda *_: self.update_curve())  # another account: its own position
        self.curve_dock.visibilityChanged.connect(lambda on: self.update_curve() if on else None)
        self.explainer.dismissed.connect(self.explainer_dock.hide)
        form.placed.connect(lambda _oid: self.presenter.show_action(form.message.text()))

    def after_layout(self) -> None:
        """After the saved layout is restored: an explainer with nothing to explain stays hidden."""
        if self.explainer.record is None:
            self.explainer_dock.hide()

    # ---------------------------------------------------------------- per frame
    def _on_frame(self, frame: Frame) -> None:
        for rec in frame.liquidations:
            self.explain(rec)
        if frame.ticks and self.curve_dock.isVisible():
            self.update_curve()

    def explain(self, rec: Any) -> None:
        inst = self.win.bridge.catalog[rec.symbol]
        self.explainer.show_record(inst, rec)
        self.explainer_dock.show()
        self.explainer_dock.raise_()
        if rec.symbol == self.win.bridge.symbol:
            self.note.show(inst, rec)

    def update_curve(self) -> None:
        if not self.curve_dock.isVisible() and self.curve.inst is not None:
            return
        form = self.win.form
        d = form.draft()
        qty = d.qty if not isinstance(d, str) else 0
        frame = self.win.bridge.last
        pos = frame.position(form.inst.symbol) if frame is not None else None
        direction, entry = None, form.entry_estimate(None if isinstance(d, str) else d)
        if pos is not None:
            direction = 1 if pos.size > 0 else -1
            entry = pos.entry_price
            qty = abs(pos.size)
        self.curve.set_inputs(form.inst, direction, qty, entry, form.leverage.value)

    # ---------------------------------------------------------------- menu actions
    def open_calculator(self) -> CalculatorDialog:
        form = self.win.form
        if self.calculator is None:
            self.calculator = CalculatorDialog(self.win.bridge.catalog, self.win)
        d = form.draft()
        entry = form.entry_estimate(None if isinstance(d, str) else d)
        inst = form.inst
        self.calculator.set_inputs(symbol=inst.symbol, side="buy", qty=d.qty if not isinstance(d, str) else 1000,
                                   entry=entry, exit_price=inst.round_price(entry * 1.02),
                                   leverage=form.leverage.value)
        self.calculator.show()
        self.calculator.raise_()
        return self.calculator

    def open_coach_settings(self) -> None:
        dlg = CoachSettingsDialog(self.coach.settings, self.win)
        if dlg.exec():
            s = dlg.result_settings()
            self.coach.set_settings(s)
            self.actions["coach"].setChecked(s.enabled)

    def open_scenarios(self) -> ScenarioPicker:
        self.picker = ScenarioPicker(self.win)
        self.picker.show()
        return self.picker

    def export_report(self, path: Path | str | None = None) -> Path | None:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self.win, "Export session report", "session-report.html",
                                                    "HTML report (*.html)")
            if not chosen:
                return None
            path = chosen
        try:
            out = export_report(self.win, Path(path))
        except Exception as exc:  # a disk error is said in words, never a crash
            self.win.form.say(f"Report not written: {exc}", "reject")
            return None
        self.win.form.say(f"Report written to {out} (and the ledger as CSV beside it).", "ok")
        self.presenter.show_action("Session report exported")
        return out

    def show_for_shot(self) -> None:
        """For ``shot``: the curve beside the charts and, after a liquidation, its explanation."""
        frame = self.win.bridge.last
        liquidations = frame.history.liquidations if frame is not None else ()
        self.curve_dock.show()
        if liquidations:
            self.explain(liquidations[-1])
            self.win.splitDockWidget(self.curve_dock, self.explainer_dock, Qt.Orientation.Vertical)
            self.explainer_dock.show()
        wide = max(440, self.explainer.minimumSizeHint().width() + 24) if liquidations else 440
        self.win.resizeDocks([self.curve_dock], [wide], Qt.Orientation.Horizontal)
        self.update_curve()


def install_training(win: Any) -> Training:
    return Training(win)
