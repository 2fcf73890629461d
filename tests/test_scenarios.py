"""Scenario files and the paths they play."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from terminal.domain.errors import InputError
from terminal.domain.instruments import default_catalog
from terminal.feeds import UNBOUNDED_MS, ScenarioFeed, funding_times, list_scenarios, load_scenario
from terminal.feeds.scenario import parse_scenario

START = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)


def _play(name, symbol="XBTUSD", seed=1, dt=1000):
    inst = default_catalog()[symbol]
    feed = ScenarioFeed(load_scenario(name), inst, seed=seed, start_ms=START, tick_interval_ms=dt)
    b = feed.read(UNBOUNDED_MS, 10**8)
    assert feed.exhausted
    return inst, b


def test_shipped_scenarios_are_valid_and_described():
    names = {s.name for s in list_scenarios()}
    assert {"flash-crash", "short-squeeze", "funding-spike", "slow-bleed", "sideways-chop"} <= names
    for s in list_scenarios():
        assert s.title and len(s.description) > 80 and s.price > 0 and s.duration_s > 0


def test_flash_crash_liquidates_100x_not_2x():
    _, b = _play("flash-crash")
    drop = b.index.min() / b.index[0] - 1
    assert -0.23 < drop < -0.18
    assert b.mark.min() / b.mark[0] - 1 < -0.18  # mark follows index down
    # within minutes: from the last pre-crash high to the low in under 10 min
    low = int(np.argmin(b.index))
    assert (b.t_ms[low] - b.t_ms[0]) < 30 * 60_000
    assert b.index[-1] > b.index.min() * 1.05  # partial recovery
    # 100x isolated long liquidates near -0.5 %, 2x near -49 %
    assert b.mark.min() < b.mark[0] * (1 - 0.005) and b.mark.min() > b.mark[0] * (1 - 0.49)


def test_short_squeeze_up_15_percent():
    _, b = _play("short-squeeze")
    assert 0.13 < b.index.max() / b.index[0] - 1 < 0.18
    assert b.funding_rate[: 1500].min() < 0  # shorts were being paid


def test_funding_spike_pinned_at_cap_for_several_fundings():
    inst, b = _play("funding-spike", dt=5000)
    at = funding_times(int(b.t_ms[0]), int(b.t_ms[-1]) + 1)
    idx = np.searchsorted(b.t_ms, at, side="right") - 1
    pinned = np.isclose(b.funding_rate[idx], inst.funding_cap)
    assert pinned.sum() >= 3
    assert np.all(np.abs(b.funding_rate) <= inst.funding_cap + 1e-15)


def test_scenario_on_other_instrument_uses_its_price():
    inst, b = _play("slow-bleed", symbol="ETHUSD", dt=5000)
    assert b.index[0] == pytest.approx(inst.typical_price)
    assert -0.16 < b.index[-1] / b.index[0] - 1 < -0.09
    _, chop = _play("sideways-chop", dt=5000)
    assert abs(chop.index[-1] / chop.index[0] - 1) < 0.03


def test_scenario_is_deterministic_and_seeded():
    _, a = _play("flash-crash", seed=3)
    _, b = _play("flash-crash", seed=3)
    _, c = _play("flash-crash", seed=4)
    assert a.last.tobytes() == b.last.tobytes()
    assert a.last.tobytes() != c.last.tobytes()


def test_malformed_scenario_names_line():
    text = 'name = "x"\ntitle = "X"\ndescription = "d"\nprice = 1\nduration_s = 60\n\n[[segments]]\n' \
           'duration_s = 10\n\n[[segments]]\nduration_s = 10\nmove_pct = "lots"\n'
    with pytest.raises(InputError) as err:
        parse_scenario(text, "x.toml")
    assert err.value.line == 12 and "move_pct" in str(err.value)
    with pytest.raises(InputError) as err:
        parse_scenario(text.replace('move_pct = "lots"', "mvoe_pct = 1"), "x.toml")
    assert err.value.line == 12 and "unknown field 'mvoe_pct'" in str(err.value)
    with pytest.raises(InputError) as err:
        parse_scenario(text.replace("price = 1", "price = -1"), "x.toml")
    assert err.value.line == 4
    with pytest.raises(InputError):
        load_scenario("no-such-scenario")
