"""What if… with a value no trader could enter is refused in a trader's words, never replayed as if it were
taken (the engine refused it silently and the dialog showed the actual outcome as the what-if) and never a crash
(a size of nan or inf raised from int())."""
from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal.domain.instruments import default_catalog
from terminal.lessons.timeline import Change, change_problem
from tests.lessons.test_ui_lessons import buy, start
from ui.lessons.rewind import to_qdt

XBT = default_catalog()["XBTUSD"]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_leverage_is_accepted_exactly_within_the_instrument_range(v: float) -> None:
    ok = change_problem(Change("leverage", v), XBT) is None
    assert ok == (math.isfinite(v) and 1 <= v <= XBT.max_leverage)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_size_is_accepted_exactly_when_it_is_an_order_the_exchange_takes(v: float) -> None:
    ok = change_problem(Change("size", v), XBT) is None
    assert ok == (math.isfinite(v) and v == int(v) and int(v) % XBT.lot_size == 0
                  and XBT.min_order_qty <= v <= XBT.max_order_qty)


@pytest.mark.parametrize("kind,value,says", [
    ("size", "nan", "positive number"), ("size", "inf", "positive number"), ("size", "1e30", "between"),
    ("size", "150", "multiple of 100"), ("leverage", "1000", "1x to 100x"), ("leverage", "0.5", "1x to 100x"),
    ("stop", "0.05", "tick"), ("stop", "1e30", "tick"), ("stop", "nan", "positive number"),
])
def test_the_dialog_says_why_and_replays_nothing(qtbot: Any, window: Any, kind: str, value: str, says: str) -> None:
    service = start(window, "changing-leverage")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 300_000)
    before = (window.bridge.now_ms, len(window.bridge.session.exchange.fills))
    dlg = window.findChild(object, "toolbar.rewind").open_branch()
    dlg.when.setDateTime(to_qdt(t0 + 30_000))
    dlg.kind.setCurrentIndex([dlg.kind.itemData(i) for i in range(dlg.kind.count())].index(kind))
    dlg.value.setText(value)
    assert dlg.run() is None
    assert says in dlg.message.text() and dlg.what_if.text() == ""
    assert (window.bridge.now_ms, len(window.bridge.session.exchange.fills)) == before
