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


def _dump(n: int) -> bytes:
    from datetime import UTC, datetime

    t0 = 1_543_968_000_000
    rows = [HEADER.strip()]
    for i in range(n):
        ms = t0 + 50 * i
        stamp = datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dD%H:%M:%S.") + f"{ms % 1000:03d}000000"
        bid = 4000 + (i % 40) * 0.5
        rows.append(f"{stamp},XBTUSD,{1000 + i % 7},{bid:.1f},{bid + 0.5:.1f},{2000 + i % 5}")
        if i % 3 == 0:
            rows.append(f"{stamp},ETHUSD,10,100.05,100.1,12")
        if i % 11 == 0:
            rows.append(f"{stamp},XBTUSD,,,4001.0,10")  # an empty side: skipped
        if i % 13 == 0:
            rows.append("")
    return ("\n".join(rows) + "\n").encode()


def test_a_large_quote_dump_is_read_column_wise_with_the_same_result_as_row_by_row(monkeypatch):
    """A day of quotes is millions of rows: read row by row in Python it froze the window for seconds per million
    (9 s for 65 MB); well-formed rows are now read column-wise, and only a file with a bad row goes row by row
    (to name the line)."""
    import csv

    import numpy as np

    import terminal.feeds.quotes as quotes

    data = _dump(20_000)
    rows_read = []
    real_reader = csv.reader

    class Counting:
        def __init__(self, it):
            self.it = iter(real_reader(it))

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self.it)
            rows_read.append(row)
            return row

    monkeypatch.setattr(quotes.csv, "reader", Counting)
    fast = quotes.parse_quotes(data, "q.csv", "XBTUSD", default_catalog()["XBTUSD"])
    assert len(rows_read) <= 1  # the header only
    monkeypatch.setattr(quotes, "_fast_quotes", lambda *a: None)
    slow = quotes.parse_quotes(data, "q.csv", "XBTUSD", default_catalog()["XBTUSD"])
    assert fast.t_ms.size == 20_000
    for a, b in zip(fast, slow, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_a_bad_row_deep_in_a_large_dump_is_still_named_by_its_line(tmp_path: Path):
    data = _dump(3_000).decode().splitlines()
    k = 2_500
    data[k] = data[k].replace(",XBTUSD,", ",XBTUSD,", 1).rsplit(",", 2)[0] + ",nan,100"
    (tmp_path / "q.csv").write_text("\n".join(data) + "\n")
    with pytest.raises(InputError) as err:
        QuotesFeed(default_catalog()["XBTUSD"], tmp_path / "q.csv")
    assert err.value.line == k + 1
