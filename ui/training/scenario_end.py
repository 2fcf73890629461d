"""A scenario that has played to its end says so: the clock pauses (no more fills on a frozen price while the
room thinks the market still runs) and a banner over the charts offers the three next steps — replay the
scenario, continue on the synthetic market from the current price, or export the session report."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from terminal.feeds.spec import FeedSpec
from ui.style import theme


def scenario_over(session: Any, symbol: str) -> bool:
    """True when ``symbol`` plays a scenario and its feed has no ticks left."""
    spec = session.feed_specs.get(symbol)
    feed = session.feeds.get(symbol)
    if spec is None or spec.kind != "scenario" or feed is None:
        return False
    done = getattr(feed, "exhausted", False)
    return bool(done() if callable(done) else done)


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

    def on_frame(self, _frame: object) -> None:
        bridge = self.win.bridge
        session = bridge.session
        feed = session.feeds.get(bridge.symbol)
        if not scenario_over(session, bridge.symbol):
            if self.banner.isVisible():
                self.banner.hide()
            self._shown_for = None
            return
        if self._shown_for is feed:
            return
        self._shown_for = feed
        if bridge.running:
            bridge.set_speed("pause")
        spec = session.feed_specs[bridge.symbol]
        progress = self.win.training.timeline.progress()
        self.banner.popup(progress.scenario.title if progress is not None else str(spec.name))
        self.win.form.say("Scenario over: the clock is paused.", "input")
