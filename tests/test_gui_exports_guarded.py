"""Files the window writes (session report, table CSV, journal CSV, lesson pack) never go over the user's data: a
path inside the account folder, or an account database moved elsewhere, is refused in words and left byte-identical
— the command line's --out guard, now in the window too (QA: the window's exports skipped it)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from terminal.domain.errors import TerminalError
from terminal.lessons.library import shipped_lessons


def open_window(qtbot: Any, data_dir: Path) -> Any:
    from ui.window.main_window import build_main_window

    win = build_main_window(data_dir)
    qtbot.addWidget(win)
    win.show()
    win.bridge.orders.place({"symbol": win.bridge.symbol, "side": "buy", "qty": 100, "type": "market"})
    win.bridge.publish()
    return win


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def stored(qtbot: Any, tmp_path: Path) -> tuple[Any, Path, Path]:
    data_dir = tmp_path / "data"
    win = open_window(qtbot, data_dir)
    db = data_dir / "accounts" / "practice.sqlite"
    assert db.exists()
    copy = tmp_path / "elsewhere" / "backup.sqlite"  # an account database the user keeps outside the data folder
    copy.parent.mkdir()
    win.bridge.save()
    shutil.copy(db, copy)
    return win, db, copy


def message(win: Any) -> str:
    return str(win.findChild(QLabel, "orderForm.message").text())


def test_the_report_is_not_written_over_an_account_or_into_the_accounts_folder(stored: tuple[Any, Path, Path]) -> None:
    win, db, copy = stored
    before = digest(copy)
    assert win.training.export_report(copy) is None
    assert digest(copy) == before and "database" in message(win)
    assert win.training.export_report(db.parent / "report.html") is None
    assert not (db.parent / "report.html").exists() and "accounts folder" in message(win)


def test_a_table_csv_is_not_written_over_an_account(stored: tuple[Any, Path, Path]) -> None:
    win, _db, copy = stored
    before = digest(copy)
    table = win.tables.fills_view
    assert table.export_to(copy) is False
    assert digest(copy) == before and "database" in table.export_error
    ok = copy.parent / "fills.csv"
    assert table.export_to(ok) is True and ok.read_text(encoding="utf-8").startswith(table.formatted.columns[0].title)


def test_a_lesson_pack_and_the_journal_are_not_written_over_an_account(stored: tuple[Any, Path, Path]) -> None:
    win, _db, copy = stored
    before = digest(copy)
    with pytest.raises(TerminalError, match="database"):
        win.lessons.service.export_pack(shipped_lessons()[0], copy)
    assert digest(copy) == before
    panel = win.lessons.journal
    assert panel.export_to(copy) is False and "database" in panel.export_error
    assert digest(copy) == before
