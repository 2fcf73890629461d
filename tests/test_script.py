"""Session scripts: defaults, validation, and errors that name the field and the line."""
from __future__ import annotations

from pathlib import Path

import pytest

from terminal.domain.errors import InputError
from terminal.feeds.spec import FeedSpec
from terminal.session.script import Script, load_script, parse_script

GOOD = '''seed = 7
start = "2024-03-01T00:00:00Z"
duration_s = 21600
[account]
XBT = 1.0
USDT = 10000
[feed]
kind = "synthetic"
symbol = "XBTUSD"
price = 50000
tick_interval_ms = 100
[[steps]]
at_s = 60
action = "order"
symbol = "XBTUSD"
side = "buy"
qty = 10000
type = "market"
leverage = 10
order_ref = "entry"
[[steps]]
at_s = 120
action = "order"
side = "Sell"
qty = 10000
type = "stop_market"
stop_price = 48000
trigger = "mark"
reduce_only = true
[[steps]]
at_s = 600
action = "cancel"
order_ref = "entry"
'''


def test_full_script_parses(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(GOOD)
    s = load_script(p)
    assert s.seed == 7 and s.start_ms == 1_709_251_200_000 and s.end_ms == s.start_ms + 21_600_000
    assert s.account == {"XBT": 1.0, "USDT": 10000.0}
    assert s.feed.kind == "synthetic" and s.feed.price == 50000
    assert [st.action for st in s.steps] == ["order", "order", "cancel"]
    assert s.steps[1].side == "sell" and s.steps[1].trigger == "mark" and s.steps[1].reduce_only


def test_defaults():
    s = parse_script("")
    assert s.seed == 0 and s.duration_s == 3600 and s.account == {"XBT": 1.0, "USDT": 10000.0}
    assert s.feed == FeedSpec() and s.feed.resolved_symbol() == "XBTUSD" and s.steps == []
    assert parse_script("[account]\nUSDT = 5\n").account == {"USDT": 5.0}
    assert FeedSpec(kind="scenario", name="flash-crash").resolved_symbol() == "XBTUSD"
    assert Script.model_json_schema()["properties"]["steps"]


def test_relative_feed_path_resolves_against_script_folder(tmp_path):
    p = tmp_path / "sub" / "s.toml"
    p.parent.mkdir()
    p.write_text('[feed]\nkind = "trades"\npath = "data/x.csv.gz"\n')
    assert Path(load_script(p).feed.path) == (tmp_path / "sub" / "data" / "x.csv.gz").resolve()


@pytest.mark.parametrize("old,new,line,words", [
    ("qty = 10000\ntype = \"stop", "qyt = 10000\ntype = \"stop", 25, "unknown field 'qyt' in [[steps]] #2"),
    ("at_s = 600", "at_s = 100", 31, "time order"),
    ("at_s = 600", "at_s = 30000", 31, "after the end"),
    ("stop_price = 48000\n", "", 21, "stop_price"),
    ('kind = "synthetic"', 'kind = "synthetc"', 8, "kind in [feed]"),
    ("tick_interval_ms = 100", "tick_interval_ms = 0", 11, "tick_interval_ms in [feed]"),
    ("seed = 7", "seed = \"seven\"", 1, "seed"),
    ("USDT = 10000", "USDT = -1", 6, "USDT"),
    ('type = "market"', 'type = "iceberg"', 18, "type in [[steps]] #1"),
    ("duration_s = 21600", "duraton_s = 21600", 3, "unknown field 'duraton_s'"),
    ("leverage = 10", "leverage = 1000", 19, "leverage"),
])
def test_errors_name_field_and_line(tmp_path, old, new, line, words):
    assert old in GOOD
    p = tmp_path / "bad.toml"
    p.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_script(p)
    assert err.value.path == str(p)
    assert err.value.line == line, str(err.value)
    assert words in str(err.value), str(err.value)


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        parse_script("seed = = 1\n", "x.toml")
    assert err.value.line == 1
    with pytest.raises(InputError):
        load_script(tmp_path / "missing.toml")
