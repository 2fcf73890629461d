"""Every shipped lesson judges a compliant and a reckless scripted session as a trainer would."""
from __future__ import annotations

from pathlib import Path

import pytest

from terminal.domain.errors import InputError
from terminal.lessons.library import find_lesson, lessons_dir, shipped_lessons
from terminal.lessons.model import parse_lesson
from terminal.lessons.player import check_script

EXAMPLES = lessons_dir() / "examples"

#: lesson → the checks the reckless session must fail (every other check may pass or fail)
RECKLESS_FAILS = {
    "leverage-amplifies": {"long-10x", "not-liquidated"},
    "margin-vs-leverage": {"isolated-long", "added-margin", "not-liquidated"},
    "isolated-vs-cross": {"two-cross", "not-liquidated"},
    "liquidation-at-100x": {"margin-2pct", "drawdown-3pct"},
    "stop-loss-risk": {"stop-rested", "risk-3pct", "not-liquidated"},
    "funding-perpetuals": {"closed-before-funding"},
    "slippage-thin-alt": {"alt-limit"},
    "changing-leverage": {"lowered", "not-liquidated"},
    "trading-at-1x": {"long-1x", "only-1x", "not-liquidated"},
}


def test_at_least_eight_lessons_follow_the_guide() -> None:
    ids = [lesson.id for lesson in shipped_lessons()]
    assert len(ids) >= 8
    assert set(RECKLESS_FAILS) <= set(ids)


@pytest.mark.parametrize("lesson_id", sorted(RECKLESS_FAILS))
def test_compliant_session_passes_every_check(lesson_id: str) -> None:
    v = check_script(find_lesson(lesson_id), EXAMPLES / f"{lesson_id}.compliant.toml")
    assert v["passed"], [c for c in v["checks"] if not c["passed"]]
    assert all(c["passed"] for c in v["checks"])
    assert v["debrief"]["text"] and "{" not in v["debrief"]["text"]


@pytest.mark.parametrize("lesson_id", sorted(RECKLESS_FAILS))
def test_reckless_session_fails_the_lessons_point(lesson_id: str) -> None:
    v = check_script(find_lesson(lesson_id), EXAMPLES / f"{lesson_id}.reckless.toml")
    failed = {c["id"] for c in v["checks"] if not c["passed"]}
    assert not v["passed"]
    assert RECKLESS_FAILS[lesson_id] <= failed, failed


def test_same_steps_same_verdict() -> None:
    lesson = find_lesson("stop-loss-risk")
    a = check_script(lesson, EXAMPLES / "stop-loss-risk.compliant.toml")
    b = check_script(lesson, EXAMPLES / "stop-loss-risk.compliant.toml")
    assert a == b


def test_stop_loss_debrief_quotes_the_sessions_risk() -> None:
    """10,000 XBTUSD bought near 49,966.5 with a stop at 49,000: the loss at the stop is
    10,000 × (1/49,000 − 1/49,966.5) XBT ≈ 0.003947 XBT — 0.39–0.40 % of the 1 XBT account."""
    v = check_script(find_lesson("stop-loss-risk"), EXAMPLES / "stop-loss-risk.compliant.toml")
    trip = v["debrief"]["round_trips"][0]
    entry = trip["entry_price"]
    risk = 10_000 * (1 / 49_000 - 1 / entry)
    assert v["debrief"]["numbers"]["worst_risk_pct"] == pytest.approx(risk * 100, abs=0.01)
    assert trip["stop_at_entry"] == 49_000
    assert trip["leverage"] == 5 and trip["margin_mode"] == "isolated"


LESSON = """id = "x"
title = "t"
idea = "i"
brief = "b"
objective = "o"
[[checks]]
id = "a"
kind = "not_liquidated"
label = "ok"
[[checks]]
id = "b"
kind = "risk_at_stop"
label = "risk"
{extra}
"""


def test_a_check_missing_its_parameter_names_the_line() -> None:
    with pytest.raises(InputError) as e:
        parse_lesson(LESSON.format(extra=""), "l.toml")
    assert e.value.line == 10 and "risk_at_stop needs max_pct" in str(e.value)


def test_an_unknown_field_names_the_field_and_line() -> None:
    with pytest.raises(InputError) as e:
        parse_lesson(LESSON.format(extra="max_pc = 3"), "l.toml")
    assert str(e.value) == "l.toml:14: unknown field 'max_pc' in [[checks]] #2"


def test_the_debrief_may_quote_only_known_numbers() -> None:
    text = LESSON.format(extra="max_pct = 3") + '[debrief]\ntext = "You made {profit}"\n'
    with pytest.raises(InputError) as e:
        parse_lesson(text, "l.toml")
    assert e.value.line == 16 and "unknown metric {profit}" in str(e.value)


def test_a_step_after_the_time_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    script = tmp_path / "s.toml"
    script.write_text('[[steps]]\nat_s = 60\naction = "cancel_all"\n[[steps]]\nat_s = 99999\naction = "cancel_all"\n')
    with pytest.raises(InputError) as e:
        check_script(find_lesson("stop-loss-risk"), script)
    assert e.value.line == 5 and "time limit" in str(e.value)


def test_an_engine_bracket_stop_counts_as_a_resting_stop(tmp_path: Path) -> None:
    script = tmp_path / "s.toml"
    script.write_text('[[steps]]\nat_s = 60\naction = "order"\nside = "buy"\nqty = 10000\nleverage = 5\nsl = 49000\n')
    v = check_script(find_lesson("stop-loss-risk"), script)
    assert v["passed"], v["checks"]
