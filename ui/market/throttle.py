"""How often the ladder and the tape redraw while the clock runs: about 12 times a second, not every frame.

Nobody reads a ladder at 30-60 Hz (BitMEX's own screen throttles it), and redrawing 41 ladder rows and the tape at
30 Hz each was most of what the market views cost. What the trader must see at once is never held back:

* a frame that is not the running clock's (an order placed, a step, a jump, a switch) draws at once;
* a frame whose account changed (your order rests, amends, fills) draws at once, so your fill and your order's mark
  show on the frame that booked them;
* a liquidation print, yours or the crowd's, or a print of yours draws the tape at once (see :class:`TapeWatch`).

Otherwise a view draws every ``EVERY`` live frames (12 Hz at 60 fps), and at least every ``MAX_WAIT_S`` of wall time
when frames come slower, so a print is on screen within ~100 ms. The ladder and the tape draw on different frames
(their ``phase``), so no frame pays for both.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from terminal.market.views import CROWD_LIQUIDATION, YOUR_LIQUIDATION, YOURS
from terminal.session.frame import Frame

EVERY = 5  # live frames between redraws: 12 Hz at 60 fps
MAX_WAIT_S = 0.083  # ... and never longer than this between redraws on a slow machine (wall time)
MUST_SHOW = frozenset((YOURS, YOUR_LIQUIDATION, CROWD_LIQUIDATION))


class Throttle:
    """Whether a view draws this frame. ``clock`` is wall time in seconds (injectable for tests)."""

    def __init__(self, phase: int = 0, every: int = EVERY, max_wait_s: float = MAX_WAIT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.max_wait_s = max_wait_s
        self.clock = clock
        self._frame = phase % every  # live frames seen, offset by the phase
        self._drawn = -float("inf")  # wall time of the last draw

    def due(self, frame: Frame, urgent: bool = False) -> bool:
        if urgent or not frame.live or frame.changed or frame.reset or frame.fills or frame.liquidations:
            return self._draw()
        self._frame = (self._frame + 1) % self.every
        if self._frame == 0 or self.clock() - self._drawn >= self.max_wait_s:
            return self._draw()
        return False

    def _draw(self) -> bool:
        self._drawn = self.clock()
        return True


class TapeWatch:
    """Sees every frame's new prints, drawn or not: a liquidation or a print of yours makes the tape draw at once
    (with only the last 60 prints in a frame, waiting could let it scroll past unseen)."""

    def __init__(self) -> None:
        self.count = -1
        self.symbol = ""

    def urgent(self, frame: Frame) -> bool:
        tape = frame.tape
        if tape is None:
            return False
        count = int(getattr(tape, "count", 0))
        fresh = count - self.count if self.count >= 0 and frame.symbol == self.symbol else count
        self.count, self.symbol = count, frame.symbol
        if fresh <= 0:
            return False
        kind = tape.prints.kind  # type: ignore[attr-defined]
        return not MUST_SHOW.isdisjoint(kind[max(kind.size - fresh, 0):].tolist())
