"""A failed save is shown, retried and resumed (issue 15: one disk-full error used to stop all saving for the
rest of the session, while the window went on saying "filled" as if it were stored).

The disk fills up two ways: SQLite's page limit (``PRAGMA max_page_count``: the very SQLITE_FULL a full disk
gives), and — as root, where mounting works — a real 3 MB tmpfs filled to the last byte.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def open_window(qtbot, data_dir: Path):  # type: ignore[no-untyped-def]
    from ui.window.main_window import build_main_window

    win = build_main_window(data_dir)
    qtbot.addWidget(win)
    win.show()
    return win


def trade_until_a_save_fails(win, limit: int = 600) -> int:  # type: ignore[no-untyped-def]
    b = win.bridge
    for i in range(limit):
        b.orders.place({"symbol": b.symbol, "side": "buy" if i % 2 else "sell", "qty": 100, "type": "market"})
        b.publish()
        if "Not saved yet" in win.saved_label.text():
            return i
    raise AssertionError("the disk never filled up")


def stored_fill_ids(data_dir: Path) -> set[int]:
    db = sqlite3.connect(f"file:{data_dir / 'accounts' / 'practice.sqlite'}?mode=ro", uri=True)
    try:
        return {r[0] for r in db.execute("SELECT fill_id FROM fills")}
    finally:
        db.close()


def check_failure_shown_then_resumed(win, data_dir: Path, free_space: Callable[[], None]) -> None:  # type: ignore[no-untyped-def]
    b = win.bridge
    store = b.store
    trade_until_a_save_fails(win)
    for i in range(5):  # trading goes on while the disk is full; every frame retries
        b.orders.place({"symbol": b.symbol, "side": "buy" if i % 2 else "sell", "qty": 100, "type": "market"})
        b.publish()
    assert b.store is store  # the store is kept, not dropped for the rest of the session
    fills = [f.fill_id for f in b.session.exchange.fills]
    on_disk = stored_fill_ids(data_dir)
    unsaved = [f for f in fills if f not in on_disk]
    assert len(unsaved) >= 5
    text = win.saved_label.text()
    assert "Not saved yet" in text and f"{len(unsaved)} fill" in text and "retrying" in text, text
    assert f"#{unsaved[0]}" in text and f"#{unsaved[-1]}" in text  # which ones
    free_space()
    b.publish()  # the next frame's retry succeeds
    assert "Not saved" not in win.saved_label.text(), win.saved_label.text()
    assert stored_fill_ids(data_dir) >= set(fills)  # nothing lost


def test_disk_full_by_sqlite_page_limit(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, tmp_path)
    db = win.bridge.store.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 2}")
    check_failure_shown_then_resumed(win, tmp_path, lambda: db.execute("PRAGMA max_page_count = 1073741823"))


def test_disk_full_on_a_real_small_filesystem(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                                           capture_output=True, check=False).returncode:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        win = open_window(qtbot, mnt / "data")
        win.bridge.publish()
        filler = mnt / "filler"
        with open(filler, "wb") as f:  # every byte that is left
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        for _ in range(200):  # the last few hundred bytes too
            try:
                with open(mnt / f"crumb{_}", "wb") as c:
                    c.write(b"\0" * 512)
            except OSError:
                break

        def free() -> None:
            for p in mnt.iterdir():
                if p.name == "filler" or p.name.startswith("crumb"):
                    p.unlink()

        check_failure_shown_then_resumed(win, mnt / "data", free)
        win.close()
        win.bridge.close_store()
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def answer_quit_dialog(button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` in the quit dialog once it is up (a real QMessageBox, run modally by closeEvent)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        for b in box.buttons():
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError([b.text() for b in box.buttons()])

    QTimer.singleShot(0, click)


def test_quitting_while_saves_fail_asks_first_and_can_save_after_all(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, tmp_path)
    win.ask_before_losing = True
    db = win.bridge.store.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 2}")
    trade_until_a_save_fails(win)
    fills = {f.fill_id for f in win.bridge.session.exchange.fills}
    seen: list[str] = []
    answer_quit_dialog("Cancel", seen)
    assert win.close() is False  # the trader chose to stay: nothing closed, the store still open
    assert seen and "Not saved yet" in seen[0] and "loses" in seen[0], seen
    assert win.isVisible() and win.bridge.store is not None
    db.execute("PRAGMA max_page_count = 1073741823")  # room again: the quit saves first and asks nothing
    assert win.close() is True
    assert stored_fill_ids(tmp_path) >= fills and len(seen) == 1


def test_quit_anyway_closes_and_the_stored_account_stays_readable(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, tmp_path)
    win.ask_before_losing = True
    db = win.bridge.store.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 2}")
    trade_until_a_save_fails(win)
    seen: list[str] = []
    answer_quit_dialog("Quit anyway", seen)
    assert win.close() is True and len(seen) == 1
    assert stored_fill_ids(tmp_path)  # what was saved before the disk filled is still there
