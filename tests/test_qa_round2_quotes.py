"""A BitMEX quote dump with an impossible row is refused at its line, like a trade dump: an infinite or absurd
price, a size past int64, a year outside 1970-2099 or a garbled fraction of a second (they played a garbage
mark of 336,000 on a 4,000 market, or crashed with 'this is a bug')."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from terminal.domain.errors import InputError
from terminal.domain.instruments import default_catalog
from terminal.feeds.quotes import QuotesFeed

HEADER = "timestamp,symbol,bidSize,bidPrice,askPrice,askSize\n"
GOOD = "2018-12-05D00:00:00.000000000,XBTUSD,100,4000.0,4000.5,100\n"
LATER = "2018-12-05D00:00:02.000000000,XBTUSD,100,4000.0,4000.5,100\n"


@pytest.mark.parametrize("row, words", [
    ("2018-12-05D00:00:01.000000000,XBTUSD,100,4000.0,inf,100", "outside what XBTUSD trades at"),
    ("2018-12-05D00:00:01.000000000,XBTUSD,100,4000.0,1e300,100", "outside what XBTUSD trades at"),
    ("2018-12-05D00:00:01.000000000,XBTUSD,100,1e-300,4000.0,100", "outside what XBTUSD trades at"),
    ("2018-12-05D00:00:01.000000000,XBTUSD,99999999999999999999999,4000.0,4000.5,100", "maximum order size"),
    ("9999-12-05D00:00:01.000000000,XBTUSD,100,4000.0,4000.5,100", "year must be 1970 to 2099"),
    ("2018-12-05D00:00:01.-1,XBTUSD,100,4000.0,4000.5,100", "timestamp must look like"),
])
def test_an_impossible_quote_row_is_refused_at_its_line(tmp_path: Path, row: str, words: str):
    path = tmp_path / "q.csv"
    path.write_text(HEADER + GOOD + row + "\n" + LATER)
    with pytest.raises(InputError) as err:
        QuotesFeed(default_catalog()["XBTUSD"], path)
    assert err.value.line == 3 and words in str(err.value)


def test_run_names_the_line_of_a_quote_with_an_infinite_ask_and_exits_2(tmp_path: Path):
    (tmp_path / "q.csv").write_text(HEADER + GOOD + "2018-12-05D00:00:01.000000000,XBTUSD,100,4000.0,inf,100\n" + LATER)
    (tmp_path / "s.toml").write_text('seed = 1\nduration_s = 60\n[account]\nXBT = 1.0\n'
                                     '[feed]\nkind = "quotes"\npath = "q.csv"\nsymbol = "XBTUSD"\n')
    out = subprocess.run([sys.executable, "-m", "ui.cli", "run", str(tmp_path / "s.toml")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip().endswith("q.csv:3: price is outside what XBTUSD trades at (0.1 to 1e+06): bid 4000, ask inf")
    assert "Traceback" not in out.stderr and "bug" not in out.stderr
