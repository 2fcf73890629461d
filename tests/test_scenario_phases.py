"""Scenario phases (the trainer's timeline): declared in the TOML, validated with the file's line, and the entry
price of a phase follows the segments' compounded moves."""
from __future__ import annotations

import itertools
import math

import pytest

from terminal.domain.errors import InputError
from terminal.feeds.scenario import list_scenarios, load_scenario, parse_scenario

BASE = '''name = "t"
title = "T"
description = "d"
price = 100
duration_s = 600

[[segments]]
duration_s = 300
move_pct = -10

[[segments]]
duration_s = 300
move_pct = 5
'''


def test_every_shipped_scenario_has_a_timeline_with_one_key_moment():
    for sc in list_scenarios():
        phases = sc.timeline()
        assert phases[0].at_s == 0 and len(phases) >= 3, sc.name
        assert sum(p.key for p in phases) == 1, sc.name
        assert all(b.at_s > a.at_s for a, b in itertools.pairwise(phases)), sc.name
        assert phases[-1].at_s < sc.duration_s


def test_flash_crash_names_its_crash_as_the_key_moment_at_20_minutes():
    sc = load_scenario("flash-crash")
    key = next(p for p in sc.timeline() if p.key)
    assert (key.name, key.at_s) == ("crash", 1200)


def test_phases_default_to_the_segments_and_the_steepest_is_key():
    sc = parse_scenario(BASE, "t.toml")
    assert [(p.name, p.at_s, p.key) for p in sc.timeline()] == [("phase 1", 0, True), ("phase 2", 300, False)]


def test_factor_at_compounds_the_segment_moves():
    """-10 % then +5 %: the index ends at 0.9 × 1.05 = 0.945 of the start; halfway through the first segment it is
    exp(ln(0.9) / 2) = √0.9 (the path interpolates in log space)."""
    sc = parse_scenario(BASE, "t.toml")
    assert math.isclose(sc.factor_at(600), 0.945)
    assert math.isclose(sc.factor_at(300), 0.9)
    assert math.isclose(sc.factor_at(150), math.sqrt(0.9))
    assert sc.factor_at(0) == 1.0


@pytest.mark.parametrize("phases, message, line", [
    ('[[phases]]\nname = "a"\nat_s = 10\n', "first phase starts at at_s = 0", None),
    ('[[phases]]\nname = "a"\nat_s = 0\n[[phases]]\nname = "b"\nat_s = 0\n', "must increase", None),
    ('[[phases]]\nname = "a"\nat_s = 0\n[[phases]]\nname = "b"\nat_s = 900\n', "before duration_s", None),
    ('[[phases]]\nname = "a"\nat_s = 0\nkey = true\n[[phases]]\nname = "b"\nat_s = 9\nkey = true\n', "at most one",
     None),
    ('[[phases]]\nname = "a"\nat_s = -1\n', "[[phases]] #1 at_s", 17),
    ('[[phases]]\nname = "a"\nat_s = 0\nwhen = 3\n', "unknown field 'when'", None),
])
def test_bad_phases_are_refused_in_one_line(phases, message, line):
    with pytest.raises(InputError) as err:
        parse_scenario(BASE + "\n" + phases, "t.toml")
    assert message in str(err.value)
    assert "t.toml" in str(err.value)
    if line is not None:
        assert f":{line}" in str(err.value)
