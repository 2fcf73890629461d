"""The one object between the engine and the widgets: it owns the frame timer and the session.

Per frame: ``clock.advance`` → ``session.advance(until, budget, primary=symbol)`` → drain events →
``store.record`` (if a store is attached) → ONE ``frame`` signal carrying the snapshot. User actions go
through :meth:`act`, which runs the action and publishes a frame at once, so every change reaches the screen
by the same path. Frames from the running clock carry ``live=True``: the charts may spread their repaints
over two of those (each chart at 30 Hz), never over a user action's frame.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from terminal.exchange.snapshot import Snapshot, take_snapshot
from terminal.feeds.spec import FeedSpec
from terminal.session.clock import SimClock
from terminal.session.source_switch import continue_source
from terminal.session.trading_session import TradingSession

T = TypeVar("T")
FRAME_MS = 16
JUMP_SAMPLE_MS = 1_000  # a jump ahead advances the session this much at a time (its history samples once a second)


@dataclass
class Frame:
    snapshot: Snapshot
    events: list[tuple[str, object]] = field(default_factory=list)
    ticks: int = 0
    live: bool = False  # published by the running clock (``tick``), not by a user action, step or rebind


class SessionBridge(QObject):
    frame = Signal(object)  # Frame: the one per-frame signal
    sessionChanged = Signal(object)  # TradingSession: after a reset / reload, widgets rebind
    symbolChanged = Signal(str)
    speedChanged = Signal(str)
    storeError = Signal(str)

    def __init__(self, session: TradingSession, symbol: str = "XBTUSD", store: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.symbol = symbol
        self.clock = SimClock(session.now_ms, max_ticks_per_frame=20_000)
        self.last: Frame | None = None
        self._wall = time.perf_counter()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self._prime(symbol)
        self.publish()

    # ---------------------------------------------------------------- session
    def _prime(self, symbol: str) -> None:
        """Make sure ``symbol`` has a feed and at least one price, so the form can price an order."""
        self.session.ensure_feed(symbol)
        if symbol not in self.session.exchange.markets:
            self.session.advance(self.session.now_ms + 1, 1, primary=symbol)
        self.clock = SimClock(max(self.clock.now_ms, self.session.now_ms), speed=self.clock.speed,  # type: ignore[arg-type]
                              max_ticks_per_frame=self.clock.max_ticks_per_frame)

    def set_session(self, session: TradingSession) -> None:
        self.session = session
        self.clock = SimClock(session.now_ms, speed=self.clock.speed,  # type: ignore[arg-type]
                              max_ticks_per_frame=self.clock.max_ticks_per_frame)
        self._prime(self.symbol)
        self.sessionChanged.emit(session)
        self.publish()

    def set_symbol(self, symbol: str) -> None:
        if symbol == self.symbol:
            return
        self.symbol = symbol
        self._prime(symbol)
        self.symbolChanged.emit(symbol)
        self.publish()

    def set_source(self, spec: FeedSpec) -> None:
        continue_source(self.session, self.symbol, spec)  # starts now at the current price: no jump under a position
        self._prime(self.symbol)
        self.publish()

    # ---------------------------------------------------------------- clock
    @property
    def running(self) -> bool:
        return not self.clock.paused

    def set_speed(self, speed: str) -> None:
        self.clock.speed = speed
        self._wall = time.perf_counter()
        if speed == "pause":
            self.timer.stop()
        elif not self.timer.isActive():
            self.timer.start()
        self.speedChanged.emit(speed)

    def step(self) -> Frame:
        """Exactly one more tick of the symbol on screen; pauses the clock."""
        until = self.clock.step()
        self.timer.stop()
        self.speedChanged.emit("pause")
        return self._advance(until, self.clock.ticks_budget())

    def jump_to(self, t_ms: int) -> Frame:
        """Play every tick up to ``t_ms`` at once (the engine sees each one), then publish one frame."""
        if t_ms <= self.session.now_ms:
            return self.publish()
        until = self.clock.jump_to(max(t_ms, self.clock.now_ms))
        ticks = 0
        while self.session.now_ms < t_ms - 1:  # a second at a time: the charts keep a point a second of the jump
            n = self.session.advance(min(until, self.session.now_ms + JUMP_SAMPLE_MS), 1 << 20, primary=self.symbol)
            ticks += n
            if n == 0 and self.session.now_ms + JUMP_SAMPLE_MS >= until:
                break
        return self.publish(ticks)

    def next_funding_ms(self) -> int | None:
        m = self.session.exchange.next_funding_ms.get(self.symbol)
        return None if m is None else int(m)

    # ---------------------------------------------------------------- the frame
    def tick(self, wall_dt_s: float | None = None) -> Frame:
        """One frame: advance the engine by the clock, then publish. Tests and the bench call it directly."""
        now = time.perf_counter()
        dt = now - self._wall if wall_dt_s is None else wall_dt_s
        self._wall = now
        budget = self.clock.ticks_budget()
        return self._advance(self.clock.advance(dt), budget, live=True)

    def _advance(self, until: int, budget: int, live: bool = False) -> Frame:
        n = self.session.advance(until, budget, primary=self.symbol)
        batch = self.session.last_batches.get(self.symbol)
        if batch is not None and len(batch):
            self.clock.observe(int(batch.t_ms[-1]))
        return self.publish(n, live)

    def publish(self, ticks: int = 0, live: bool = False) -> Frame:
        events = self.session.exchange.drain_events()
        if self.store is not None:  # every frame: the clock and feed positions are state too (cheap when idle)
            try:
                self.store.record(self.session, events)
            except Exception as exc:  # a failing disk must not stop the market; say so once
                self.store = None
                self.storeError.emit(f"Not saved: {exc}")
        frame = Frame(take_snapshot(self.session.exchange), events, ticks, live)
        self.last = frame
        self.frame.emit(frame)
        return frame

    def act(self, action: Callable[[], T]) -> T:
        """Run a user action against the exchange and publish the result in the same frame."""
        result = action()
        self.publish()
        return result
