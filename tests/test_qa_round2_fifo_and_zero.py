"""A FIFO offered as a BitMEX dump is refused at once (open() on it blocked the window forever), and a fill with no
slippage reports 0.0 bps, never -0.0."""
from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest

from terminal.market.matcher import slippage_bps
from ui.market.install import dump_kind


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_a_dump_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "quotes.csv"
    os.mkfifo(fifo)
    result: list[object] = []
    t = threading.Thread(target=lambda: result.append(dump_kind(str(fifo))), daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive(), "dump_kind blocked on a FIFO"
    assert result == [None]


@pytest.mark.parametrize("direction", [1, -1])
def test_no_slippage_is_plus_zero(direction: int) -> None:
    bps = slippage_bps(direction, 50_000.0, 50_000.0)
    assert bps == 0.0 and math.copysign(1.0, bps) == 1.0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_run_refuses_a_fifo_as_its_price_file_at_once(tmp_path: Path) -> None:
    """`run` on a script whose price file is a FIFO exits 2 with one line, instead of waiting in open() forever."""
    import subprocess
    import sys

    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    script = tmp_path / "s.toml"
    script.write_text('seed = 1\nduration_s = 60\n[feed]\nkind = "trades"\nsymbol = "XBTUSD"\npath = "prices.csv"\n',
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ui.cli", "run", str(script)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "prices.csv" in lines[0] and "not a regular file" in lines[0], proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_as_a_scenario_file_is_refused_at_once(tmp_path: Path) -> None:
    from terminal.domain.errors import InputError
    from terminal.feeds.scenario import load_scenario

    fifo = tmp_path / "crash.toml"
    os.mkfifo(fifo)
    result: list[object] = []

    def load() -> None:
        try:
            load_scenario(fifo)
        except InputError as exc:
            result.append(str(exc))

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive(), "load_scenario blocked on a FIFO"
    assert result and "not a regular file" in str(result[0])
