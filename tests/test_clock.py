"""The sim clock: speeds, steps, jumps; the ticks consumed do not depend on speed."""
from __future__ import annotations

import pytest

from terminal.domain.instruments import default_catalog
from terminal.feeds import UNBOUNDED_MS, SyntheticFeed, TickBatch
from terminal.session.clock import SPEEDS, SimClock

START = 1_709_251_200_000


def test_speeds_scale_wall_time():
    for speed, factor in [("1x", 1), ("10x", 10), ("100x", 100), ("1000x", 1000)]:
        c = SimClock(START, speed=speed)
        c.advance(0.1)
        assert c.now_ms == START + 100 * factor
    c = SimClock(START)
    assert c.paused and c.advance(0.5) == START and c.now_ms == START
    assert set(SPEEDS) == {"pause", "1x", "10x", "100x", "1000x", "max"}
    with pytest.raises(ValueError):
        c.speed = "2x"


def test_stalled_frame_is_clamped_and_max_uses_budget():
    c = SimClock(START, speed="1x", max_wall_dt_s=0.25)
    c.advance(10.0)
    assert c.now_ms == START + 250
    c.speed = "max"
    assert c.advance(0.016) == UNBOUNDED_MS and c.ticks_budget() == c.max_ticks_per_frame
    c.observe(START + 99_000)
    assert c.now_ms == START + 99_000


def test_step_and_jump():
    c = SimClock(START, speed="10x")
    assert c.step() == UNBOUNDED_MS and c.ticks_budget() == 1 and c.paused
    c.observe(START + 100)
    assert c.now_ms == START + 100 and c.ticks_budget() > 1
    assert c.jump_to(START + 60_000) == START + 60_000 and c.now_ms == START + 60_000
    with pytest.raises(ValueError):
        c.jump_to(START)


def _run(speed, frames, dt_s):
    inst = default_catalog()["XBTUSD"]
    feed = SyntheticFeed(inst, seed=2, start_ms=START)
    clock = SimClock(START, speed=speed, max_ticks_per_frame=700)
    parts = []
    while sum(len(p) for p in parts) < 5000:
        b = feed.read(clock.advance(dt_s), clock.ticks_budget())
        if len(b):
            clock.observe(int(b.t_ms[-1]))
            parts.append(b)
    return TickBatch.concat(parts).slice(0, 5000)


def test_ticks_do_not_depend_on_speed():
    a = _run("10x", 0, 0.016)
    b = _run("1000x", 0, 0.05)
    c = _run("max", 0, 0.016)
    assert a.last.tobytes() == b.last.tobytes() == c.last.tobytes()
    assert a.t_ms.tobytes() == c.t_ms.tobytes()
