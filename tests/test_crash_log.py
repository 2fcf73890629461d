"""A native crash leaves a log in the data folder; the next launch finds it, keeps it and says so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from terminal.app.crash_log import arm, crash_log_path, crash_notice, disarm, take_previous_crash

ROOT = Path(__file__).resolve().parents[1]


def test_a_segfault_is_written_to_the_data_folder_and_reported_once(tmp_path: Path) -> None:
    code = ("import faulthandler, sys; from terminal.app.crash_log import arm; "
            f"arm({str(tmp_path)!r}); faulthandler._sigsegv()")
    p = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                       text=True, check=False)
    assert p.returncode != 0  # it really died
    log = crash_log_path(tmp_path)
    assert "Fatal Python error: Segmentation fault" in log.read_text()
    kept = take_previous_crash(tmp_path)
    assert kept is not None and kept.name.startswith("crash-") and "Segmentation fault" in kept.read_text()
    assert str(kept) in crash_notice(kept)
    assert take_previous_crash(tmp_path) is None  # said once


def test_a_clean_session_leaves_nothing(tmp_path: Path) -> None:
    assert arm(tmp_path) == crash_log_path(tmp_path)
    disarm()
    assert not crash_log_path(tmp_path).exists()
    assert take_previous_crash(tmp_path) is None


def test_a_read_only_data_folder_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "logs").write_text("a file where the folder should be")
    assert arm(tmp_path) is None
    assert take_previous_crash(tmp_path) is None


def test_the_window_offers_the_log(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox, QWidget

    from ui.app import offer_crash_log

    kept = tmp_path / "crash-1.log"
    kept.write_text("Fatal Python error: Segmentation fault")
    win = QWidget()
    qtbot.addWidget(win)
    offer_crash_log(win, kept)
    box = win.findChild(QMessageBox, "crash.notice")
    assert box is not None and box.isVisible() and str(kept) in box.text()
    assert any(b.text() == "Show the crash log" for b in box.buttons())
    box.close()


def test_a_planted_symlink_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "logs").mkdir()
    crash_log_path(tmp_path).symlink_to(victim)
    assert arm(tmp_path) == crash_log_path(tmp_path)
    disarm()
    assert victim.read_text() == "precious"
