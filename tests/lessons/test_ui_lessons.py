"""Lessons, the journal, rewind / go to / branch and the classroom board, driven through the real widgets."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QLineEdit, QListWidget, QPushButton, QTableView, QToolButton

from tests.lessons.test_lesson_cli import EXAMPLES


def w(win: Any, cls: type, name: str) -> Any:
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def buy(qtbot: Any, win: Any, size: str) -> None:
    box = w(win, QLineEdit, "orderForm.size")
    box.clear()
    qtbot.keyClicks(box, size)
    qtbot.mouseClick(w(win, QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)


def start(win: Any, lesson_id: str) -> Any:
    w(win, QAction, f"lesson.start.{lesson_id}").trigger()
    return win.lessons.service


def state(win: Any) -> tuple[Any, ...]:
    s = win.bridge.session
    ex = s.exchange
    return (ex.now_ms, [(f.fill_id, f.time, f.price, f.qty) for f in ex.fills],
            {c: wl.balance for c, wl in ex.wallets.items()},
            [(p.symbol, p.qty, p.leverage, p.entry_value) for p in ex.positions.values() if p.qty],
            [(r.time, r.kind, r.amount_minor) for r in ex.ledger], {k: f.position for k, f in s.feeds.items()})


def goto(qtbot: Any, win: Any, t_ms: int) -> None:
    box = w(win, QDateTimeEdit, "sim.goto")
    from ui.lessons.rewind import to_qdt

    box.setDateTime(to_qdt(t_ms))
    qtbot.mouseClick(w(win, QPushButton, "sim.gotoButton"), Qt.MouseButton.LeftButton)


def test_a_lesson_ticks_its_checklist_and_ends_with_the_sessions_debrief(qtbot: Any, window: Any) -> None:
    service = start(window, "trading-at-1x")
    panel = w(window, object, "lesson.panel")
    t0 = service.lesson.start.start_ms
    assert w(window, QLabel, "lesson.title").text() == "Trading at 1x"
    checklist = w(window, QListWidget, "lesson.checklist")
    assert checklist.count() == 3 and checklist.item(0).text().startswith("○")
    window.bridge.jump_to(t0 + 60_000)
    w(window, object, "orderForm.leverageInput").setValue(1.0)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 120_000)
    assert checklist.item(0).text().startswith("✔")  # opened a long at 1x: ticked at once
    window.bridge.jump_to(service.lesson.start.end_ms)  # the time limit: the debrief appears
    assert service.verdict is not None and service.verdict["passed"], service.verdict["checks"]
    debrief = w(panel, object, "lesson.debrief")
    assert debrief.isVisible() and "Every check passed" in debrief.toPlainText()
    assert "1x" in debrief.toPlainText()


def test_journal_rows_notes_and_csv(qtbot: Any, window: Any, tmp_path: Path) -> None:
    service = start(window, "stop-loss-risk")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 300_000)
    assert window.bridge.orders.close("XBTUSD").accepted
    window.bridge.jump_to(t0 + 310_000)
    table = w(window, QTableView, "journal.table")
    model = table.model()
    assert model.rowCount() == 1
    note = model.index(0, model.columnCount() - 1)
    assert model.flags(note) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(note, "closed before the crash", Qt.ItemDataRole.EditRole)
    window.lessons.journal.export_to(tmp_path / "j.csv")
    rows = list(csv.DictReader((tmp_path / "j.csv").open(encoding="utf-8")))
    assert rows[0]["note"] == "closed before the crash" and rows[0]["money_unit"] == "XBT"
    assert rows[0]["coach_warnings_ignored"] == "leverage no-stop"  # 10x, above the beginner limit, and no stop


def test_go_to_and_back_through_the_widgets_is_identical(qtbot: Any, window: Any) -> None:
    service = start(window, "changing-leverage")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 300_000)
    assert window.bridge.orders.set_leverage("XBTUSD", 3).accepted
    window.bridge.jump_to(t0 + 2_400_000)  # through the crash
    first = state(window)
    goto(qtbot, window, t0 + 200_000)
    assert window.bridge.session.now_ms <= t0 + 200_000
    assert window.bridge.session.exchange.positions["XBTUSD"].leverage == 10
    assert w(window, object, "positions.table").model().rowCount() == 1
    goto(qtbot, window, first[0])
    assert state(window) == first
    qtbot.mouseClick(w(window, QToolButton, "sim.back"), Qt.MouseButton.LeftButton)  # one tick back
    assert window.bridge.session.feeds["XBTUSD"].position == first[5]["XBTUSD"] - 1
    goto(qtbot, window, first[0])
    assert state(window) == first


def test_what_if_compares_both_outcomes_side_by_side(qtbot: Any, window: Any) -> None:
    service = start(window, "changing-leverage")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 300_000)
    assert window.bridge.orders.set_leverage("XBTUSD", 3).accepted
    window.bridge.jump_to(t0 + 2_400_000)
    before = state(window)
    qtbot.mouseClick(w(window, QPushButton, "sim.branch"), Qt.MouseButton.LeftButton)
    dialog = window.lessons.rewind.dialog
    kind = w(dialog, QComboBox, "branch.kind")
    kind.setCurrentIndex(kind.findData("leverage"))
    value = w(dialog, QLineEdit, "branch.value")
    value.setText("25")
    qtbot.mouseClick(w(dialog, QPushButton, "branch.run"), Qt.MouseButton.LeftButton)
    actual, what_if = dialog.outcomes
    assert actual.liquidations == 0 and what_if.liquidations == 1
    assert "Liquidations 0" in w(dialog, QLabel, "branch.actual").text()
    assert "Liquidations 1" in w(dialog, QLabel, "branch.whatIf").text()
    assert state(window) == before  # the live session is untouched


def test_classroom_board_from_the_gui(qtbot: Any, window: Any, tmp_path: Path) -> None:
    service = start(window, "trading-at-1x")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    w(window, object, "orderForm.leverageInput").setValue(1.0)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 600_000)
    mine = tmp_path / "ada.ltsession.json"
    window.lessons.export_session(mine, "Ada")
    body = json.loads(mine.read_text(encoding="utf-8"))
    assert body["actions"] and body["trainee"] == "Ada"
    from terminal.app.lesson_commands import lesson_session

    bob = tmp_path / "bob.ltsession.json"
    lesson_session("trading-at-1x", EXAMPLES / "trading-at-1x.reckless.toml", "Bob", bob)
    dialog = window.lessons.open_classroom()
    dialog.add_files([bob, mine])
    w(dialog, QLineEdit, "classroom.out").setText(str(tmp_path / "board.html"))
    qtbot.mouseClick(w(dialog, QPushButton, "classroom.merge"), Qt.MouseButton.LeftButton)
    doc = (tmp_path / "board.html").read_text(encoding="utf-8")
    for section in ("ranking", "checks", "equity", "debriefs", "integrity"):
        assert f'<section id="{section}">' in doc
    assert dialog.summary is not None and dialog.summary["ranking"][0]["trainee"] == "Ada"


def test_exporting_with_a_name_the_board_cannot_show_says_so_and_writes_nothing(qtbot: Any, window: Any,
                                                                               tmp_path: Path) -> None:
    start(window, "trading-at-1x")
    mine = tmp_path / "long.ltsession.json"
    window.lessons.export_session(mine, "A" * 200)
    assert not mine.exists()
    assert "at most 64 characters" in w(window, QLabel, "orderForm.message").text()


def test_leaving_a_lesson_brings_the_practice_session_back(qtbot: Any, window: Any) -> None:
    practice = window.bridge.session
    start(window, "isolated-vs-cross")
    assert window.bridge.session is not practice
    w(window, QPushButton, "lesson.leave").click()
    assert window.bridge.session is practice


def test_a_rewound_round_trip_stays_in_the_journal_marked_undone(qtbot: Any, window: Any) -> None:
    service = start(window, "stop-loss-risk")
    t0 = service.lesson.start.start_ms
    window.bridge.jump_to(t0 + 60_000)
    buy(qtbot, window, "10000")
    window.bridge.jump_to(t0 + 300_000)
    assert window.bridge.orders.close("XBTUSD").accepted
    window.bridge.jump_to(t0 + 310_000)
    goto(qtbot, window, t0 + 200_000)  # the position is open again; the closed trip was undone
    model = w(window, QTableView, "journal.table").model()
    sides = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert sides == ["long", "long — undone"]
    assert "Undone by a rewind" in w(window, QLabel, "journal.undone").text()
