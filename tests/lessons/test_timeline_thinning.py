"""Rewind's in-memory checkpoints stay few however old the session is (a 1,000-hour practice account must not
grow memory by the hour), and a go-to into the past never has to replay more than a small share of that past."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.lessons.timeline import AGE_SHARE, DENSE_MS, EVERY_MS, HOUR_MS, THIN_EVERY, thinned


def play(hours: int) -> list[int]:
    """Checkpoint times as the timeline makes them: one a minute, thinned every THIN_EVERY checkpoints."""
    times: list[int] = []
    for k in range(hours * 3_600_000 // EVERY_MS + 1):
        now = k * EVERY_MS
        times.append(now)
        if len(times) and (k + 1) % THIN_EVERY == 0:
            times = [times[i] for i in thinned(times, now - DENSE_MS)]
    return times


def test_the_count_grows_with_the_log_of_the_age_not_with_the_hours():
    counts = {h: len(play(h)) for h in (100, 1000)}
    dense = DENSE_MS // EVERY_MS
    assert counts[1000] - dense < 300  # one an hour would keep ~1,000
    assert counts[1000] - counts[100] < 2 * AGE_SHARE * 2.31  # ~ AGE_SHARE × ln(10) more for ten times the age


def test_the_recent_hours_keep_every_checkpoint():
    times = play(50)
    end = times[-1]
    recent = [t for t in times if t >= end - DENSE_MS + THIN_EVERY * EVERY_MS]
    assert recent == list(range(recent[0], end + 1, EVERY_MS))


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=7, max_value=400))
def test_any_past_moment_is_near_a_kept_checkpoint(hours):
    """Going to any past moment replays from the checkpoint before it: never more than twice a stretch
    (max(an hour, 1/32 of the moment's age)) plus the thinning lag."""
    times = play(hours)
    end = times[-1]
    assert times[0] == 0
    for before, after in itertools.pairwise(times):
        age = end - after
        allowed = 2 * max(HOUR_MS, age // AGE_SHARE) + THIN_EVERY * EVERY_MS
        assert after - before <= allowed, (before, after, age)
