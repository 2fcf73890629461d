"""A rewind on the stored practice account keeps what it undid (issue 14: "keeps the discarded stretch in the
history — the journal and report still show it"): in the account file, in the same transaction as the rewound
present, so a restart, a report and a failing disk lose none of it. A reset starts the account afresh."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ui.cli import main


def open_window(qtbot: Any, data_dir: Path) -> Any:
    from ui.window.main_window import build_main_window

    win = build_main_window(data_dir)
    qtbot.addWidget(win)
    win.show()
    return win


def trade(win: Any, n: int) -> int:
    """``n`` market buys a minute apart; returns the time before the second one."""
    b = win.bridge
    marks = []
    for _ in range(n):
        b.session.advance(b.session.now_ms + 60_000)
        b.publish()
        marks.append(b.session.now_ms)
        assert b.orders.place({"symbol": b.symbol, "side": "buy", "qty": 100, "type": "market"}).accepted
        b.publish()
    b.session.advance(b.session.now_ms + 120_000)
    b.publish()
    return marks[1] - 1


def stored(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"file:{data_dir / 'accounts' / 'practice.sqlite'}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def undone_fill_ids(data_dir: Path) -> list[int]:
    return [f["fill_id"] for (text,) in stored(data_dir, "SELECT json FROM undone ORDER BY seq")
            for f in json.loads(text)["fills"]]


def test_a_rewind_keeps_the_undone_fills_in_the_file_the_journal_and_the_report(qtbot: Any, tmp_path: Path,
                                                                                  capsys: Any) -> None:
    win = open_window(qtbot, tmp_path)
    before = trade(win, 3)
    prices = {f.fill_id: f.price for f in win.bridge.session.exchange.fills}
    assert sorted(r[0] for r in stored(tmp_path, "SELECT fill_id FROM fills")) == [1, 2, 3]
    win.lessons.service.go_to(before)
    # saved as soon as the rewind returns: the present has one fill, the two undone ones are kept beside it
    assert [r[0] for r in stored(tmp_path, "SELECT fill_id FROM fills")] == [1]
    assert undone_fill_ids(tmp_path) == [2, 3]
    label = win.findChild(object, "journal.undone").text()
    assert "1 stretch" in label and "2 fill" in label, label
    win.close()

    again = open_window(qtbot, tmp_path)  # a restart: the journal still says what was undone
    assert len(again.lessons.service.undone) == 1
    assert "2 fill" in again.findChild(object, "journal.undone").text()
    again.close()
    out = tmp_path / "r.html"
    assert main(["--data-dir", str(tmp_path), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="undone"' in page and "2 fill(s)" in page
    for fid in (2, 3):
        assert f"{prices[fid]}" in page.split('id="undone"')[1]


def test_rewinds_add_up_and_a_reset_starts_afresh(qtbot: Any, tmp_path: Path) -> None:
    win = open_window(qtbot, tmp_path)
    before = trade(win, 3)
    win.lessons.service.go_to(before)
    second = trade(win, 2)  # fills 2 and 3 again (new ones), then back before the second of them
    win.lessons.service.go_to(second)
    assert len(stored(tmp_path, "SELECT seq FROM undone")) == 2
    assert win.reset_account(confirm=False)
    assert stored(tmp_path, "SELECT seq FROM undone") == []
    assert win.lessons.service.undone == []


def test_a_rewind_saved_on_a_full_disk_keeps_the_undone_stretch_for_the_retry(qtbot: Any, tmp_path: Path) -> None:
    win = open_window(qtbot, tmp_path)
    before = trade(win, 3)
    db = win.bridge.store.db
    db.execute("PRAGMA query_only = 1")  # every write fails, as on a disk that turned read-only
    win.lessons.service.go_to(before)
    assert win.bridge.save_failing
    assert sorted(r[0] for r in stored(tmp_path, "SELECT fill_id FROM fills")) == [1, 2, 3]  # nothing half-applied
    db.execute("PRAGMA query_only = 0")
    win.bridge.publish()  # the next frame's retry
    assert not win.bridge.save_failing
    assert [r[0] for r in stored(tmp_path, "SELECT fill_id FROM fills")] == [1]
    assert undone_fill_ids(tmp_path) == [2, 3]
