"""Script loading is linear and reads exactly what TOML says.

Issue 15: 4,000 steps took 30 s because every step's line was searched for from the top of the text (n² work).
Lines are now located only for the one error reported, and plain ``[[steps]]`` tails are read by a regex fast
path — which must give the very data ``tomllib`` gives, or step aside for it.
"""
from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.domain.errors import InputError
from terminal.session import script as script_mod
from terminal.session.script import _read_plain_steps, parse_script

HEAD = 'seed = 1\nduration_s = 100000\n[feed]\nkind = "synthetic"\nsymbol = "XBTUSD"\n'
STEP = '[[steps]]\nat_s = {t}\naction = "order"\nside = "buy"\nqty = 100\n'


def big(n: int) -> str:
    return HEAD + "".join(STEP.format(t=i) for i in range(n))


def test_valid_steps_never_search_for_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting the work instead of timing it: no line look-up per step (a look-up reads the whole text)."""
    calls = []
    real = script_mod.locate_table_line
    monkeypatch.setattr(script_mod, "locate_table_line", lambda *a: calls.append(a) or real(*a))
    script = parse_script(big(3000), "s.toml")
    assert len(script.steps) == 3000 and calls == []


def test_an_error_deep_in_a_long_script_still_names_its_line() -> None:
    text = big(2000).replace("at_s = 1500\n", "at_s = 1500\nqty_unit = \"lots\"\n")
    with pytest.raises(InputError, match="qty_unit") as e:
        parse_script(text, "s.toml")
    line = text.splitlines().index('qty_unit = "lots"') + 1
    assert e.value.line == line
    text = big(2000).replace("at_s = 1700\n", "at_s = 2.5\n")
    with pytest.raises(InputError, match="time order") as e:
        parse_script(text, "s.toml")
    assert e.value.line == text.splitlines().index("at_s = 2.5") + 1


def test_the_fast_path_is_taken_for_plain_long_scripts() -> None:
    text = big(500)
    assert _read_plain_steps(text) == tomllib.loads(text)


keys = st.sampled_from(["at_s", "qty", "note", "side", "price", "reduce_only", "x-y", "k_2"])
values = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "1e5", "-0", "+3", "01", "1.", ".5", "1_000", "1e", "inf", "nan", "0x10",
                     '"a # b"', '"tab\there"', '"q\\"x"', "'lit'", '""', "[1, 2]", "{a = 1}", "2024-03-01", '"é€"']),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8).map(lambda t: '"' + t + '"'),
)
line = st.one_of(
    st.tuples(keys, values, st.sampled_from(["", " # c", "  ", "\t#x", "\r"])).map(lambda kv: f"{kv[0]} = {kv[1]}{kv[2]}"),
    st.sampled_from(["[[steps]]", "[[ steps ]] # n", "", "# only a comment", "   ", "[feed]", "[[steps]] x", "at_s=1"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, max_size=30))
def test_fast_path_agrees_with_tomllib_or_steps_aside(lines: list[str]) -> None:
    text = HEAD + "# " + "p" * 4096 + "\n[[steps]]\n" + "\n".join(lines) + "\n"
    try:
        expected: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        expected = "error"
    got = _read_plain_steps(text)
    if got is not None:
        assert got == expected
