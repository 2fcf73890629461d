"""A scenario that has played to its end says so: the clock pauses (no more fills on a frozen price while the
room thinks the market still runs) and a banner over the charts offers the three next steps — replay the
scenario, continue on the synthetic market from the current price, or export the session report."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from terminal.feeds.spec import FeedSpec
from terminal.session.frame import Frame
from ui.style import theme


def scenario_over(frame: Frame | None) -> bool:
    """True when the frame's symbol plays a scenario and its feed has no ticks left."""
    if frame is None:
        return False
    spec = frame.source.spec
    return spec is not None and spec.kind == "scenario" and frame.source.exhausted


class ScenarioEndBanner(QFrame):
    """The banner (a child of the charts, centred at the top); hidden until a scenario ends."""

    def __init__(self, win: Any, parent: QWidget) -> None:
        super().__init__(parent)
        self.win = win
        self.setObjectName("scenario.endPanel")
        self.setStyleSheet(f"QFrame#scenario\\.endPanel {{ background: rgba(10,13,17,240); border: 2px solid {theme.AMBER};"
                           " border-radius: 10px; }")
        self.text = QLabel("")
        self.text.setObjectName("scenario.endBanner")
        f = self.text.font()
        f.setPointSizeF(f.pointSizeF() + 4)
        f.setBold(True)
        self.text.setFont(f)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.replay = QPushButton("Replay")
        self.replay.setObjectName("scenario.replay")
        self.replay.setToolTip("Play the scenario again from its start, from the current price (the account stays)")
        self.synthetic = QPushButton("Continue on synthetic")
        self.synthetic.setObjectName("scenario.continueSynthetic")
        self.synthetic.setToolTip("Switch to the synthetic market, starting at the current price")
        self.report = QPushButton("Report…")
        self.report.setObjectName("scenario.report")
        self.report.setToolTip("Export the session report (HTML)")
        buttons = QHBoxLayout()
        for b in (self.replay, self.synthetic, self.report):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 12, 18, 12)
        lay.addWidget(self.text)
        lay.addLayout(buttons)
        self.replay.clicked.connect(self._replay)
        self.synthetic.clicked.connect(self._synthetic)
        self.report.clicked.connect(lambda: self.win.training.export_report())
        parent.installEventFilter(self)
        self.hide()

    def popup(self, title: str) -> None:
        self.text.setText(f"Scenario over — “{title}” has played to its end.\nReplay / continue on synthetic / report")
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        p = self.parentWidget()
        if p is not None:
            self.adjustSize()
            self.move(max(0, (p.width() - self.width()) // 2), 40)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.place()
        return False

    def _replay(self) -> None:
        self.hide()
        if self.win.training.timeline.replay_from(0):
            self.win.bridge.set_speed(self.win.toolbar.speed.currentText())

    def _synthetic(self) -> None:
        self.hide()
        bridge = self.win.bridge
        bridge.set_source(FeedSpec(kind="synthetic", symbol=bridge.symbol))  # rebased to the current price
        self.win.toolbar._on_symbol(bridge.symbol)  # the toolbar names the source in use


class ScenarioEnd(QObject):
    """Watches the frames: pauses and shows the banner once when the scenario on screen runs out."""

    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.banner = ScenarioEndBanner(win, win.charts)
        self._shown_for: object = None
        win.bridge.frame.connect(self.on_frame)
        win.bridge.sessionChanged.connect(lambda *_: self.banner.hide())
        win.bridge.symbolChanged.connect(lambda *_: self.banner.hide())

    def on_frame(self, frame: Frame) -> None:
        bridge = self.win.bridge
        if not scenario_over(frame):
            if self.banner.isVisible():
                self.banner.hide()
            self._shown_for = None
            return
        run = (frame.symbol, frame.source.spec, frame.source.started_ms)  # this play of the scenario
        if self._shown_for == run:
            return
        self._shown_for = run
        if bridge.running:
            bridge.set_speed("pause")
        spec = frame.source.spec
        progress = self.win.training.timeline.progress()
        self.banner.popup(progress.scenario.title if progress is not None else str(spec.name if spec is not None else ""))
        self.win.form.say("Scenario over: the clock is paused.", "input")
