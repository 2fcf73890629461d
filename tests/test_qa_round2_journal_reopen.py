"""The Journal dock of an account with a past starts from its round trips so far: reopened, it was empty, and
closing the long the account was reopened with showed a phantom 'short' of the same size that never closed."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QTableView

import ui


def _rows(win) -> list[list[str]]:
    m = win.findChild(QTableView, "journal.table").model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_a_reopened_account_closes_its_open_trip_in_the_journal(qtbot, tmp_path: Path):
    win = ui.create_main_window(tmp_path)
    qtbot.addWidget(win)
    b = win.bridge
    b.jump_to(b.session.now_ms + 30_000)
    assert b.orders.place({"symbol": "XBTUSD", "side": "sell", "qty": 2_000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 10_000)
    assert b.orders.close("XBTUSD").accepted  # one closed round trip
    assert b.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 30_000)
    before = _rows(win)
    win.close()

    win2 = ui.create_main_window(tmp_path)
    qtbot.addWidget(win2)
    b2 = win2.bridge
    rows = _rows(win2)
    assert [r[:3] for r in rows] == [r[:3] for r in before] == [["1", "XBTUSD", "short"], ["2", "XBTUSD", "long"]]
    b2.jump_to(b2.session.now_ms + 10_000)
    assert b2.orders.close("XBTUSD").accepted
    b2.jump_to(b2.session.now_ms + 10_000)
    rows = _rows(win2)
    assert len(rows) == 2 and rows[1][2] == "long" and rows[1][4] not in ("", "–")  # closed: an exit price
    win2.close()
