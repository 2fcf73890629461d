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
