"""A note typed in the Journal survives a rewind: the journal is restored as it was at the checkpoint before the
moment, so ◀ Back one tick wiped the note typed a minute after the round trip (the trainee's own words, gone)."""
from __future__ import annotations

from PySide6.QtWidgets import QTableView


def _round_trip(b) -> None:
    assert b.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 30_000)
    assert b.orders.close("XBTUSD").accepted
    b.jump_to(b.session.now_ms + 5_000)


def _notes(model) -> list[str]:
    col = model.columnCount() - 1
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_a_rewind_keeps_the_notes_typed_in_the_journal(window, tmp_path):
    b, svc = window.bridge, window.lessons.service
    b.jump_to(b.session.now_ms + 30_000)
    opened = b.session.now_ms
    _round_trip(b)
    b.jump_to(b.session.now_ms + 120_000)
    model = window.findChild(QTableView, "journal.table").model()
    assert model.setData(model.index(0, model.columnCount() - 1), "too big for the stop")
    svc.step_back(1)
    assert _notes(model) == ["too big for the stop"]
    svc.go_to(opened - 10_000)  # before the entry: the trip is undone, and shown undone with its note
    assert _notes(model) == ["too big for the stop"]
    b.jump_to(b.session.now_ms + 200_000)  # played again as the first time: the same trip, the same note
    assert _notes(model)[0] == "too big for the stop"
    svc.export_journal(tmp_path / "j.csv")
    assert "too big for the stop" in (tmp_path / "j.csv").read_text(encoding="utf-8")


def test_a_journal_note_is_kept_in_the_account_file_and_a_reset_forgets_it(qtbot, tmp_path):
    """Notes lived only in memory: quit, and the trainee's words were gone."""
    import ui

    win = ui.create_main_window(tmp_path)
    qtbot.addWidget(win)
    b = win.bridge
    b.jump_to(b.session.now_ms + 30_000)
    _round_trip(b)
    model = win.findChild(QTableView, "journal.table").model()
    assert model.setData(model.index(0, model.columnCount() - 1), "entrée trop grosse")
    win.close()
    win2 = ui.create_main_window(tmp_path)
    qtbot.addWidget(win2)
    assert _notes(win2.findChild(QTableView, "journal.table").model()) == ["entrée trop grosse"]
    win2.reset_account(confirm=False)
    assert win2.bridge.store.journal_notes() == {}
    win2.close()
