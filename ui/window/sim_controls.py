"""The toolbar: symbol and its last / mark / index, funding, and the simulation controls
(play/pause, step, speed, price source, follow, reset account)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QStyle, QToolBar, QToolButton, QWidget

from terminal.feeds import list_scenarios
from terminal.feeds.spec import FeedSpec
from ui.services.bridge import Frame, SessionBridge
from ui.style import format as fmt
from ui.style import theme

SPEEDS = ["1x", "10x", "100x", "1000x", "max"]
FUNDING_TIP = (
    "Funding: the rate longs pay shorts (shorts pay longs when it is negative) on the position's value at the next "
    "funding time, shown with the time left. It is fixed: it was set by the 8-hour window that ended at the last "
    "funding.\nPredicted: what the window in progress points to so far; it becomes the rate paid at the funding "
    "after the next one, and moves until the next funding fixes it."
)


class SimToolbar(QToolBar):
    resetRequested = Signal()
    followRequested = Signal(bool)

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None) -> None:
        super().__init__("Market and simulation", parent)
        self.setObjectName("toolbar.sim")
        self.setMovable(False)
        self.bridge = bridge
        self.symbol = self._label("", "big", "toolbar.symbol")
        self.addWidget(self.symbol)
        self.addSeparator()
        self.readouts: dict[str, QLabel] = {}
        for key, title, colour in (("last", "Last", theme.TEXT), ("mark", "Mark", theme.MARK),
                                   ("index", "Index", theme.MUTED)):
            self.addWidget(self._label(title, "caption"))
            lab = self._label(fmt.DASH, "value", f"toolbar.{key}")
            lab.setFont(theme.mono_font(1, bold=key == "last"))
            lab.setStyleSheet(f"color: {colour}")
            lab.setMinimumWidth(84)
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.readouts[key] = lab
            self.addWidget(lab)
        self.addSeparator()
        self.addWidget(self._label("Funding", "caption"))
        self.funding = self._label(fmt.DASH, "value", "toolbar.funding")
        self.funding.setFont(theme.mono_font())
        self.addWidget(self.funding)
        self.predicted_funding = self._label("", "caption", "toolbar.predictedFunding")
        self.predicted_funding.setFont(theme.mono_font())
        self.addWidget(self.predicted_funding)
        for lab in (self.funding, self.predicted_funding):
            lab.setToolTip(FUNDING_TIP)
        self.clock = self._label("", "caption", "toolbar.clock")
        self.clock.setFont(theme.mono_font())
        self.addSeparator()
        self.addWidget(self.clock)
        self.addSeparator()

        self.play = QToolButton()
        self.play.setObjectName("sim.play")
        self.play.setCheckable(True)
        self.play.setToolTip("Play / pause the simulated clock (Space)")
        self.step = QToolButton()
        self.step.setObjectName("sim.step")
        self.step.setText("Step")
        self.step.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.step.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.step.setToolTip("One more tick, then pause")
        self.speed = QComboBox()
        self.speed.setObjectName("sim.speed")
        self.speed.addItems(SPEEDS)
        self.speed.setCurrentText("10x")
        self.speed.setToolTip("Simulated seconds per wall-clock second")
        self.source = QComboBox()
        self.source.setObjectName("sim.source")
        self._sources: list[FeedSpec | None] = [None]
        self.source.addItem("Synthetic market")
        for sc in list_scenarios():
            self.source.addItem(f"Scenario: {sc.title}")
            self.source.setItemData(self.source.count() - 1, sc.description.strip(), Qt.ItemDataRole.ToolTipRole)
            self._sources.append(FeedSpec(kind="scenario", name=sc.name))
        # the simulation controls are a toolbar of their own: beside the market read-outs on a wide screen, on a
        # second row on a narrow one (``ui.window.toolbar_fit``), never cut off behind an overflow arrow
        self.sim_bar = QToolBar("Simulation", parent)
        self.sim_bar.setObjectName("toolbar.simControls")
        self.sim_bar.setMovable(False)
        for w in (self.play, self.step, self.speed, self.source):
            self.sim_bar.addWidget(w)
        self.follow = QToolButton()
        self.follow.setObjectName("sim.follow")
        self.follow.setText("Follow")
        self.follow.setCheckable(True)
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the charts on the latest 30 minutes")
        self.sim_bar.addWidget(self.follow)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.sim_bar.addWidget(spacer)
        self.reset = QToolButton()
        self.reset.setObjectName("sim.reset")
        self.reset.setText("Reset account…")
        self.sim_bar.addWidget(self.reset)

        self.play.toggled.connect(self._on_play)
        self.step.clicked.connect(bridge.step)
        self.speed.currentTextChanged.connect(lambda s: bridge.set_speed(s) if bridge.running else None)
        self.source.currentIndexChanged.connect(self._on_source)
        self.follow.toggled.connect(self.followRequested.emit)
        self.reset.clicked.connect(self.resetRequested.emit)
        bridge.speedChanged.connect(self._on_speed)
        bridge.frame.connect(self.update_frame)
        bridge.symbolChanged.connect(self._on_symbol)
        bridge.sessionChanged.connect(lambda *_: self._on_symbol(bridge.symbol))  # a new account: its own source
        self._on_symbol(bridge.symbol)
        self._on_speed(bridge.speed)

    def _label(self, text: str, role: str, name: str = "") -> QLabel:
        lab = QLabel(text)
        lab.setProperty("role", role)
        if name:
            lab.setObjectName(name)
        return lab

    def _on_play(self, on: bool) -> None:
        self.bridge.set_speed(self.speed.currentText() if on else "pause")

    def _on_speed(self, speed: str) -> None:
        running = speed != "pause"
        self.play.blockSignals(True)
        self.play.setChecked(running)
        self.play.blockSignals(False)
        self.play.setText("Pause" if running else "Play")
        if running and self.speed.currentText() != speed:  # the box always names the speed the clock runs at
            self.speed.blockSignals(True)
            self.speed.setCurrentText(speed)
            self.speed.blockSignals(False)
        icon = QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))

    def _on_source(self, i: int) -> None:
        spec = self._sources[i] or FeedSpec(kind="synthetic")
        self.bridge.set_source(spec.model_copy(update={"symbol": self.bridge.symbol}))

    def _on_symbol(self, symbol: str) -> None:
        self.symbol.setText(symbol)
        spec = self.bridge.source_for(symbol)
        idx = 0
        if spec is not None and spec.kind == "scenario":
            idx = next((k for k, s in enumerate(self._sources) if s is not None and s.name == spec.name), 0)
        self.source.blockSignals(True)
        self.source.setCurrentIndex(idx)
        self.source.blockSignals(False)

    def update_frame(self, frame: Frame) -> None:
        inst = frame.instrument
        m = frame.market
        if m is None:
            return
        for key in ("last", "mark", "index"):
            text = fmt.price(inst, getattr(m, key))
            if self.readouts[key].text() != text:
                self.readouts[key].setText(text)
        if m.next_funding_ms is not None:
            left = fmt.countdown(m.next_funding_ms - frame.snapshot.time_ms)
            self.funding.setText(f"{m.funding_rate * 100:.4f} % in {left}")
            predicted = frame.predicted_funding_rate
            self.predicted_funding.setText("" if predicted is None else f"· predicted {predicted * 100:.4f} %")
        else:
            self.funding.setText("none (dated future)")
            self.predicted_funding.setText("")
        self.clock.setText(fmt.utc_time(frame.snapshot.time_ms) + " UTC")
