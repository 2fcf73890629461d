"""The session report's price chart marks each entry, exit and liquidation (the shipped flash-crash demo: a 25x
long liquidated by the crash, then a 5x long with a limit sell and a stop)."""
from __future__ import annotations

import re
from pathlib import Path

from terminal.app.report import write_report
from terminal.app.stored_account import play_into_store
from terminal.session.script import load_script

DEMO = Path(__file__).resolve().parents[1] / "resources" / "scripts" / "flash-crash-demo.toml"


def test_the_report_draws_the_price_with_entries_exits_and_liquidations(tmp_path):
    play_into_store(load_script(DEMO), DEMO.parent, tmp_path)
    out = tmp_path / "report.html"
    write_report(tmp_path, out)
    doc = out.read_text(encoding="utf-8")
    section = re.search(r'<section id="price">(.*?)</section>', doc, re.S)
    assert section is not None
    svg = section.group(1)
    assert svg.count("<title>entry:") >= 2  # the 25x long and the 5x long
    assert svg.count("<title>liquidated:") == 1  # the crash liquidates the 25x long
    assert "<polyline" in svg and "XBTUSD price" in svg
    assert doc.index('id="price"') < doc.index('id="equity"')  # first thing after the summary
