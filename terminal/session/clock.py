"""The simulation clock: turns wall time into a target sim time; pure logic, no Qt.

Each frame the GUI calls ``until = clock.advance(wall_dt_s)`` and asks the feed for ticks with ``t < until``, at most
``clock.ticks_budget()`` of them, then tells the clock the time of the last tick it consumed (``observe``). At
speed ``"max"`` the target is unbounded and the budget alone limits a frame. ``step()`` asks for exactly one tick.
The ticks consumed never depend on the speed: only how many arrive per frame does.
"""
from __future__ import annotations

from typing import Literal

from terminal.feeds.base import UNBOUNDED_MS

Speed = Literal["pause", "1x", "10x", "100x", "1000x", "max"]
SPEEDS: dict[str, float | None] = {"pause": 0.0, "1x": 1.0, "10x": 10.0, "100x": 100.0, "1000x": 1000.0, "max": None}


class SimClock:
    def __init__(self, start_ms: int, *, speed: Speed = "pause", max_ticks_per_frame: int = 50_000,
                 max_wall_dt_s: float = 0.25) -> None:
        self._now = float(start_ms)
        self.max_ticks_per_frame = int(max_ticks_per_frame)
        self.max_wall_dt_s = float(max_wall_dt_s)  # a stalled frame does not make the market jump
        self._speed: str = "pause"
        self._step_pending = False
        self.speed = speed

    @property
    def speed(self) -> str:
        return self._speed

    @speed.setter
    def speed(self, value: str) -> None:
        if value not in SPEEDS:
            raise ValueError(f"unknown speed {value!r}; choose one of {', '.join(SPEEDS)}")
        self._speed = value

    @property
    def now_ms(self) -> int:
        return int(self._now)

    @property
    def paused(self) -> bool:
        return self._speed == "pause"

    def advance(self, wall_dt_s: float) -> int:
        """Target sim time after ``wall_dt_s`` seconds of wall time: consume ticks with ``t < target``."""
        self._step_pending = False
        factor = SPEEDS[self._speed]
        if factor is None:
            return UNBOUNDED_MS
        self._now += min(max(0.0, wall_dt_s), self.max_wall_dt_s) * 1000.0 * factor
        return int(self._now) + (1 if factor > 0 else 0)  # ticks at exactly now are due

    def ticks_budget(self) -> int:
        """Most ticks to consume in this frame: 1 after ``step()``, else ``max_ticks_per_frame``."""
        return 1 if self._step_pending else self.max_ticks_per_frame

    def step(self) -> int:
        """Ask for exactly one more tick (whatever its time); returns the read target. Pauses the clock."""
        self._speed = "pause"
        self._step_pending = True
        return UNBOUNDED_MS

    def observe(self, last_tick_ms: int) -> None:
        """Record the time of the last tick consumed (at ``max`` or after a step the clock follows the ticks)."""
        if self._step_pending or SPEEDS[self._speed] is None or last_tick_ms > self._now:
            self._now = float(last_tick_ms)
        self._step_pending = False

    def jump_to(self, ms: int) -> int:
        """Move sim time forward to ``ms`` (the engine then consumes every tick before it); returns the target."""
        if ms < self._now:
            raise ValueError("the clock only moves forward; seek the feed to go back")
        self._now = float(ms)
        self._step_pending = False
        return int(ms)
