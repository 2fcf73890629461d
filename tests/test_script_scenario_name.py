"""A script whose ``[feed] name`` is not a shipped scenario fails like every other bad field: one line that names
the script and the line of ``name`` (``s.toml:9: name in [feed]: unknown scenario …``), exit 2 from ``run``."""
from __future__ import annotations

from pathlib import Path

import pytest

from terminal.domain.errors import InputError
from terminal.session.script import parse_script
from ui.cli import main

SCRIPT = """seed = 7
start = "2024-03-01T00:00:00Z"
duration_s = 600
[account]
XBT = 1.0
[feed]
kind = "scenario"
{symbol}
name = "{name}"
price = 50000
"""


@pytest.mark.parametrize("symbol", ["", 'symbol = "XBTUSD"'])
@pytest.mark.parametrize("name", ["flash-crahs", "../../etc/passwd"])
def test_an_unknown_scenario_names_the_script_and_the_line(symbol: str, name: str) -> None:
    text = SCRIPT.format(symbol=symbol, name=name)
    with pytest.raises(InputError) as info:
        parse_script(text, "s.toml")
    err = info.value
    assert err.path == "s.toml" and err.line == 9, str(err)
    assert "unknown scenario" in str(err) and "flash-crash" in str(err)  # says which ones there are


def test_run_says_it_in_one_line_with_exit_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "s.toml"
    p.write_text(SCRIPT.format(symbol='symbol = "XBTUSD"', name="nope"))
    assert main(["run", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{p}:9: name in [feed]" in err, err
