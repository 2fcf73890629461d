"""The scenario timeline: a second toolbar row while a scenario plays — a progress bar split into the scenario's
phases (calm, build-up, crash, aftermath…) with the key moment marked, "Replay from phase ▾", and the trainer's
auto-slow switch that drops the clock to 1x shortly before the key moment (so a 100x crash does not pass in 3 s)
and puts the previous speed back once the key phase is over.

Replaying from a phase keeps the account and the price: the scenario is entered at that phase, rebased to the
current price (``terminal.session.source_switch.continue_source``), so nothing moves under an open position.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QSizePolicy, QToolBar, QToolButton, QWidget

from terminal.feeds.scenario import Phase, Scenario, load_scenario
from terminal.feeds.spec import FeedSpec
from terminal.session.frame import Frame
from ui.style import theme

SLOW_BEFORE_S = 45.0  # the auto-slow switch drops to 1x this long (simulated) before the key moment
SLOW_SPEED = "1x"


@dataclass(frozen=True)
class Progress:
    scenario: Scenario
    elapsed_s: float  # since the scenario's start (its origin)

    @property
    def fraction(self) -> float:
        return max(0.0, min(1.0, self.elapsed_s / self.scenario.duration_s))

    def phase_index(self) -> int:
        phases = self.scenario.timeline()
        return max(i for i, p in enumerate(phases) if p.at_s <= max(0.0, self.elapsed_s))

    def key(self) -> tuple[int, Phase] | None:
        return next(((i, p) for i, p in enumerate(self.scenario.timeline()) if p.key), None)


def scenario_progress(frame: Frame | None) -> Progress | None:
    """Where the scenario on the frame's symbol is (None when the source is not a scenario)."""
    if frame is None:
        return None
    spec, origin = frame.source.spec, frame.source.started_ms
    if spec is None or spec.kind != "scenario" or not spec.name or origin is None:
        return None
    try:
        sc = load_scenario(spec.name)
    except Exception:  # a scenario file that vanished: no timeline, never a crash
        return None
    return Progress(sc, (frame.time_ms - origin) / 1000.0)


def phase_edges(durations: list[float], label_widths: list[int], width: float) -> list[float]:
    """x of each phase's edges: as wide as its time share, but never narrower than its name (a three-minute crash
    in a two-hour scenario still reads "crash"); the long phases give up the room."""
    total = sum(durations) or 1.0
    want = [max(d / total * width, lw) for d, lw in zip(durations, label_widths, strict=True)]
    excess = sum(want) - width
    if excess > 0:
        slack = [max(0.0, wv - lw) for wv, lw in zip(want, label_widths, strict=True)]
        room = sum(slack)
        want = [wv - (s / room * excess if room > 0 else excess / len(want)) for wv, s in zip(want, slack, strict=True)]
    edges = [0.0]
    for wv in want:
        edges.append(edges[-1] + wv)
    return edges


class PhaseBar(QWidget):
    """The progress bar: one block per phase (its name inside), the played part filled, the key phase outlined."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline.bar")
        self.progress: Progress | None = None
        self.setMinimumSize(240, 26)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        """Room for every phase's name (with some to spare for the long phases), in the current type."""
        names = self.phase_names() or ["calm", "build-up", "crash ⚡", "aftermath"]
        fm = self.fontMetrics()
        need = sum(fm.horizontalAdvance(n) + 10 for n in names)
        return QSize(max(520, int(need * 1.6)), max(26, fm.height() + 10))

    def minimumSizeHint(self) -> QSize:
        names = self.phase_names() or ["calm"]
        fm = self.fontMetrics()
        return QSize(max(240, sum(fm.horizontalAdvance(n) + 10 for n in names)), max(26, fm.height() + 10))

    def set_progress(self, p: Progress | None) -> None:
        old = self.progress
        self.progress = p
        if (old is None) != (p is None) or (old is not None and p is not None and old.scenario.name != p.scenario.name):
            self.updateGeometry()  # another scenario: other names to make room for
        if old is None or p is None or old.scenario is not p.scenario or int(old.fraction * 2000) != int(p.fraction * 2000):
            self.update()

    def phase_names(self) -> list[str]:
        return [] if self.progress is None else [p.name for p in self.progress.scenario.timeline()]

    def paintEvent(self, event: Any) -> None:
        p = self.progress
        if p is None:
            return
        sc = p.scenario
        phases = sc.timeline()
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        w, h = self.width() - 1, self.height() - 1
        bounds = [ph.at_s for ph in phases] + [sc.duration_s]
        font = QFont(self.font())
        qp.setFont(font)
        fm = qp.fontMetrics()
        edges = phase_edges([bounds[i + 1] - bounds[i] for i in range(len(phases))],
                            [fm.horizontalAdvance(ph.name + (" ⚡" if ph.key else "")) + 10 for ph in phases], w)
        i_now = p.phase_index()
        span = max(bounds[i_now + 1] - bounds[i_now], 1e-9)
        now_x = edges[i_now] + (edges[i_now + 1] - edges[i_now]) * min(1.0, (p.elapsed_s - bounds[i_now]) / span)
        for i, ph in enumerate(phases):
            x0, x1 = edges[i], edges[i + 1]
            rect = QRectF(x0, 0, x1 - x0, h)
            qp.fillRect(rect, QColor(theme.BASE))
            played = QRectF(x0, 0, max(0.0, min(x1, now_x) - x0), h)
            if played.width() > 0:
                qp.fillRect(played, QColor("#24405e") if not ph.key else QColor("#5a2e14"))
            qp.setPen(QPen(QColor(theme.LIQ if ph.key else theme.GRID), 2 if ph.key else 1))
            qp.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
            label = fm.elidedText(ph.name + (" ⚡" if ph.key else ""), Qt.TextElideMode.ElideRight, int(rect.width()) - 6)
            qp.setPen(QColor(theme.TEXT if x0 <= now_x else theme.MUTED))
            qp.drawText(rect.adjusted(3, 0, -3, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)
        qp.setPen(QPen(QColor(theme.AMBER), 3))
        qp.drawLine(int(now_x), 0, int(now_x), h)
        qp.end()


class TimelineBar(QToolBar):
    """The toolbar row shown while a scenario plays."""

    replayRequested = Signal(int)  # phase index

    def __init__(self, win: Any) -> None:
        super().__init__("Scenario timeline", win)
        self.setObjectName("toolbar.timeline")
        self.setMovable(False)
        self.win = win
        self.title = QLabel("")
        self.title.setObjectName("timeline.title")
        self.title.setProperty("role", "caption")
        self.bar = PhaseBar()
        self.phase = QLabel("")
        self.phase.setObjectName("timeline.phase")
        self.replay = QToolButton()
        self.replay.setObjectName("timeline.replay")
        self.replay.setText("Replay from phase")
        self.replay.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.replay.setToolTip("Play the scenario again from a phase, from the current price (the account stays)")
        self.menu = QMenu(self.replay)
        self.replay.setMenu(self.menu)
        self.auto_slow = QCheckBox("Slow before the key moment")
        self.auto_slow.setObjectName("timeline.autoSlow")
        self.auto_slow.setToolTip(f"Drop the clock to {SLOW_SPEED} {SLOW_BEFORE_S:.0f} simulated seconds before the key "
                                  "moment, and go back to the previous speed after it")
        for wdg in (self.title, self.bar, self.phase, self.replay, self.auto_slow):
            self.addWidget(wdg)
        self._menu_for: str | None = None
        self._restore_speed: str | None = None
        self._slowed_key: tuple[str, int] | None = None  # (scenario, origin) the slow-down happened for
        win.bridge.frame.connect(self.on_frame)
        win.bridge.sessionChanged.connect(lambda *_: self.refresh())
        win.bridge.symbolChanged.connect(lambda *_: self.refresh())
        self.replayRequested.connect(self.replay_from)
        self.hide()

    # ---------------------------------------------------------------- per frame
    def progress(self) -> Progress | None:
        return scenario_progress(self.win.bridge.last)

    def refresh(self) -> None:
        self.on_frame(None)

    def on_frame(self, _frame: object) -> None:
        p = self.progress()
        self.setVisible(p is not None)
        self.bar.set_progress(p)
        if p is None:
            self._menu_for = None
            return
        sc = p.scenario
        if self._menu_for != sc.name:
            self._menu_for = sc.name
            self.title.setText(sc.title)
            self.menu.clear()
            for i, ph in enumerate(sc.timeline()):
                act = self.menu.addAction(f"{i + 1}. {ph.name}" + ("  (key moment)" if ph.key else ""))
                act.setObjectName(f"timeline.replay{i}")
                act.triggered.connect(lambda _=False, i=i: self.replayRequested.emit(i))
        ph = sc.timeline()[p.phase_index()]
        left = max(0.0, sc.duration_s - p.elapsed_s)
        text = f"{ph.name} · {int(left // 60):d}:{int(left % 60):02d} left"
        if self.phase.text() != text:
            self.phase.setText(text)
        self._auto_slow(p)

    def _auto_slow(self, p: Progress) -> None:
        key = p.key()
        bridge = self.win.bridge
        if key is None:
            return
        i, ph = key
        phases = p.scenario.timeline()
        end = phases[i + 1].at_s if i + 1 < len(phases) else p.scenario.duration_s
        last = bridge.last
        origin = (last.source.started_ms if last is not None else None) or 0
        tag = (p.scenario.name, origin)
        if (self.auto_slow.isChecked() and bridge.running and self._slowed_key != tag
                and ph.at_s - SLOW_BEFORE_S <= p.elapsed_s < end and bridge.speed not in ("pause", SLOW_SPEED)):
            self._slowed_key = tag
            self._restore_speed = bridge.speed
            bridge.set_speed(SLOW_SPEED)
            self.win.form.say(f"Slowed to {SLOW_SPEED}: “{ph.name}” is next.", "input")
            self.win.training.presenter.show_action(f"Slowed to {SLOW_SPEED} — {ph.name} is next")
        elif self._restore_speed is not None and p.elapsed_s >= end and self._slowed_key == tag:
            speed, self._restore_speed = self._restore_speed, None
            if bridge.running:
                bridge.set_speed(speed)
                self.win.form.say(f"Key moment over: back to {speed}.", "ok")

    # ---------------------------------------------------------------- replay
    def replay_from(self, index: int) -> bool:
        """Enter the scenario at phase ``index``, from the current price; the account stays as it is."""
        p = self.progress()
        bridge = self.win.bridge
        spec = bridge.source_for(bridge.symbol)
        if p is None or spec is None or spec.name is None:
            return False
        phases = p.scenario.timeline()
        ph = phases[max(0, min(index, len(phases) - 1))]
        fresh = FeedSpec(kind="scenario", name=spec.name, symbol=bridge.symbol)
        self._slowed_key = None
        self._restore_speed = None
        bridge.replay_source(fresh, offset_ms=int(ph.at_s * 1000), price_factor=p.scenario.factor_at(ph.at_s))
        self.refresh()
        self.win.form.say(f"Replaying “{p.scenario.title}” from “{ph.name}” at the current price.", "ok")
        self.win.training.presenter.show_action(f"Replay from: {ph.name}")
        return True
