"""The one object between the session and the widgets: it owns the frame timer, the session and its store.

Widgets get two narrow things from it and nothing else:

- ``frame`` — ONE signal per GUI frame carrying an immutable :class:`terminal.session.frame.Frame` (account
  figures, positions, orders, what was booked since the previous frame, chart series, market read-outs, clock);
- ``orders`` — the :class:`terminal.session.order_service.OrderService`: every trader action, answered with a typed
  acknowledgement; each action publishes a frame at once, so every change reaches the screen by the same path.

Per frame: ``clock.advance`` → ``session.advance(until, budget, primary=symbol)`` → drain the engine's events →
``store.record`` (if a store is attached) → build the frame → emit it. Frames from the running clock carry
``live=True``: the charts may spread their repaints over two of those (each chart at 30 Hz), never over a user
action's frame. The clock, the symbol on screen, the price source and the store are the bridge's own controls.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from terminal.domain.instruments import Catalog
from terminal.feeds.spec import FeedSpec
from terminal.session.clock import SimClock
from terminal.session.frame import ClockState, Frame, FrameBuilder
from terminal.session.order_service import Acknowledgement, OrderService
from terminal.session.trading_session import TradingSession
from ui.services.out_guard import remember_data_dir

__all__ = ["FRAME_MS", "Frame", "SessionBridge"]
FRAME_MS = 16
JUMP_SAMPLE_MS = 1_000  # a jump ahead advances the session this much at a time (its history samples once a second)


def unsaved_note(fill_ids: list[int], exc: BaseException) -> str:
    """The status bar's line while saves fail: how many fills (and which) exist only in memory, and why."""
    why = str(exc).split(":")[0].split(". ")[0].strip() or type(exc).__name__
    if not fill_ids:
        what = "the latest changes"
    elif len(fill_ids) == 1:
        what = f"1 fill (#{fill_ids[0]})"
    else:
        what = f"{len(fill_ids)} fills (#{fill_ids[0]} … #{fill_ids[-1]})"
    return f"Not saved yet: {what} — {why}; retrying every frame"


class SessionBridge(QObject):
    frame = Signal(object)  # Frame: the one per-frame signal
    sessionChanged = Signal(object)  # Frame: the first of another account (reset / switch / reload), ``reset`` set
    symbolChanged = Signal(str)
    speedChanged = Signal(str)
    storeError = Signal(str)

    def __init__(self, session: TradingSession, symbol: str | None = None, store: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: Any = None
        self.store = store
        self._save_failed = False  # the last save failed: retry every frame (see _save)
        self._save_note = ""
        self._saves_held = 0  # > 0 inside saves_held()
        self.session = session
        if symbol is None:  # the symbol the session already trades (a played script's), else XBTUSD
            symbol = next(iter(session.feeds), "XBTUSD")
        self.symbol = symbol
        self.clock = SimClock(session.now_ms, max_ticks_per_frame=20_000)
        self.last: Frame | None = None
        self.frames = FrameBuilder()
        self.orders = OrderService.of(session, after=self._after_action)
        self._wall = time.perf_counter()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self._prime(symbol)
        self.publish()

    # ---------------------------------------------------------------- read-only facts for widgets
    @property
    def catalog(self) -> Catalog:
        """The instruments of this session (static reference data)."""
        return self.session.catalog

    @property
    def now_ms(self) -> int:
        return self.session.now_ms

    @property
    def speed(self) -> str:
        return self.clock.speed

    @property
    def running(self) -> bool:
        return not self.clock.paused

    @property
    def fill_model(self) -> str | None:
        """How orders fill ("ideal" | "realistic" | "stressed"), None when the session has no market simulation."""
        market = getattr(self.session, "market", None)
        return None if market is None else str(market.fill_model)

    def set_fill_model(self, model: str) -> None:
        """Switch the fill model of this session (the status bar's switch), then publish."""
        if getattr(self.session, "market", None) is not None:
            self.session.set_fill_model(model)
            self.publish()

    def source_for(self, symbol: str) -> FeedSpec | None:
        """Where ``symbol``'s prices come from (None: the default synthetic market, not yet started)."""
        return self.session.feed_specs.get(symbol)

    # ---------------------------------------------------------------- session
    def _prime(self, symbol: str) -> None:
        """Make sure ``symbol`` has a feed and at least one price, so the form can price an order."""
        self.session.ensure_feed(symbol)
        if not self.session.has_price(symbol):
            self.session.advance(self.session.now_ms + 1, 1, primary=symbol)
        self.clock = SimClock(max(self.clock.now_ms, self.session.now_ms), speed=self.clock.speed,  # type: ignore[arg-type]
                              max_ticks_per_frame=self.clock.max_ticks_per_frame)

    def set_session(self, session: TradingSession) -> None:
        self.session = session
        self.orders.bind_session(session)
        self.clock = SimClock(session.now_ms, speed=self.clock.speed,  # type: ignore[arg-type]
                              max_ticks_per_frame=self.clock.max_ticks_per_frame)
        self._prime(self.symbol)
        frame = self.publish()  # first the new account's frame (``reset`` set), then the rebind signal
        self.sessionChanged.emit(frame)

    def set_symbol(self, symbol: str) -> None:
        if symbol == self.symbol:
            return
        self.symbol = symbol
        self._prime(symbol)
        self.publish()
        self.symbolChanged.emit(symbol)

    def set_source(self, spec: FeedSpec) -> None:
        self.session.switch_source(self.symbol, spec)  # starts now at the current price: no jump under a position
        self._prime(self.symbol)
        self.publish()

    def replay_source(self, spec: FeedSpec, *, offset_ms: int = 0, price_factor: float = 1.0) -> Frame:
        """Make ``spec`` the source of the symbol on screen from the current price, entered ``offset_ms`` into it
        (a scenario replayed from a later phase; ``price_factor``: its price there relative to its start)."""
        self.session.switch_source(self.symbol, spec, offset_ms=offset_ms, price_factor=price_factor)
        return self.publish()

    def warm_up(self, span_ms: int) -> bool:
        """A brand-new account opens on ``span_ms`` of market history (a sample a minute for the equity chart),
        so the charts are not empty; an account that has traded or run is left alone. Returns whether it ran."""
        session = self.session
        if not session.untouched:
            return False
        start = session.now_ms
        ticks = 0
        for minute in range(1, span_ms // 60_000 + 1):
            ticks += session.advance(start + minute * 60_000, primary=self.symbol)
        self.clock.jump_to(session.now_ms)
        self.publish(ticks)  # a frame with ticks: the read-outs re-price at the new market
        return True

    # ---------------------------------------------------------------- store
    def save(self, into: Any = None) -> None:
        """Write the account now: to its own store (``into`` None), or in full to another store (a report's)."""
        target = self.store if into is None else into
        if target is not None:
            target.record(self.session, self.session.drain_events() if into is None else [])

    @contextmanager
    def saves_held(self) -> Iterator[None]:
        """Frames published inside are not saved (a rewind saves once it is over, with what it undid)."""
        self._saves_held += 1
        try:
            yield
        finally:
            self._saves_held -= 1

    @property
    def save_failing(self) -> bool:
        """The last save did not go through (a full or read-only disk): some of the account is only in memory."""
        return self._save_failed

    @property
    def save_note(self) -> str:
        """What the status bar says about the failing save (which fills are not on disk), else ""."""
        return self._save_note

    def retry_save(self) -> bool:
        """Try the failed save again now (before a quit); True when everything is on disk."""
        if self.store is not None and self._save_failed:
            self._save(self.session.drain_events())
        return not self._save_failed

    @property
    def store(self) -> Any:
        """The account store the session is saved to (None: an unsaved session, or a lesson)."""
        return self._store

    @store.setter
    def store(self, store: Any) -> None:
        self._store = store
        if store is not None and getattr(store, "data_dir", None) is not None:
            remember_data_dir(Path(store.data_dir))  # exports from the window stay out of its accounts

    def close_store(self) -> None:
        """On quit: publish the last state, save, close the store (the account opens again elsewhere)."""
        if self.store is None:
            return
        try:
            self.publish()
            if self.store is not None:
                if not self._save_failed:  # a failing disk was said in the status bar; closing must still work
                    self.save()
                self.store.close()
        finally:
            self.store = None

    # ---------------------------------------------------------------- clock
    def stop(self) -> None:
        """Stop the frame timer (the window is closing); the clock keeps its speed setting."""
        self.timer.stop()

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

    def jump_by(self, ms: int) -> Frame:
        return self.jump_to(self.session.now_ms + ms)

    def next_funding_ms(self) -> int | None:
        return self.session.next_funding_ms(self.symbol)

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
        events = self.session.drain_events()
        if self.store is not None and not self._saves_held:  # every frame: clock and feeds are state too (cheap idle)
            self._save(events)
        frame = self.frames.build(self.session, self.symbol, clock=ClockState(self.session.now_ms, self.clock.speed),
                                  changed=bool(events), ticks=ticks, live=live)
        self.last = frame
        self.frame.emit(frame)
        return frame

    def _save(self, events: list[tuple[str, object]]) -> None:
        """Save the frame. A failing disk must not stop the market: the store keeps what it could not write and
        every frame retries; the status bar says which fills are not on disk yet, until a save goes through."""
        store = self.store
        try:
            if self._save_failed and hasattr(store, "retry_after_error"):
                store.retry_after_error()
            store.record(self.session, events)
        except Exception as exc:
            self._save_failed = True
            ids = store.unsaved_fill_ids(self.session) if hasattr(store, "unsaved_fill_ids") else []
            note = unsaved_note(ids, exc)
            if note != self._save_note:
                self._save_note = note
                self.storeError.emit(note)
            return
        if self._save_failed:
            self._save_failed, self._save_note = False, ""
            self.storeError.emit("")  # saved again: the status bar goes back to where the account is saved

    def publish_all(self) -> Frame:
        """A frame with ``reset`` set: every view starts over from the frame's history (views built after the
        bridge's first frame, e.g. the window's, get the fills and ledger rows booked before they existed)."""
        self.frames.restart()
        return self.publish()

    def _after_action(self, _ack: Acknowledgement) -> None:
        self.publish()
