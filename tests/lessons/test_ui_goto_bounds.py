""""Go to" moves within the session — back to its start, forward to the furthest moment already played (or the
lesson's end) — and never simulates the future on the GUI thread: a date a year ahead typed in the box used to
freeze the window for minutes (a month took seconds), a year 9999 for days."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDateTimeEdit

from tests.lessons.test_ui_lessons import goto, start, w

YEAR_MS = 365 * 86_400_000


def test_go_to_the_far_future_stops_at_the_furthest_moment_played(qtbot: Any, window: Any) -> None:
    b = window.bridge
    t0 = b.now_ms
    b.jump_to(t0 + 120_000)  # two minutes played
    played = b.now_ms
    goto(qtbot, window, t0 + 60_000)  # back one minute
    assert b.now_ms == t0 + 60_000
    goto(qtbot, window, t0 + YEAR_MS)
    assert b.now_ms == played  # replayed to the present, not a year of market simulated
    box = w(window, QDateTimeEdit, "sim.goto")
    assert box.maximumDateTime().toMSecsSinceEpoch() == played
    goto(qtbot, window, 0)  # 1970: the session's start
    assert b.now_ms == t0


def test_in_a_lesson_go_to_reaches_the_lesson_end_and_no_further(qtbot: Any, window: Any) -> None:
    service = start(window, "trading-at-1x")
    end = service.lesson.start.end_ms
    goto(qtbot, window, end + YEAR_MS)
    assert window.bridge.now_ms <= end
