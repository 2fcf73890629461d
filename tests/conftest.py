"""Shared test set-up: Qt runs offscreen, and window layouts go to a throw-away settings folder."""
from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest

_SETTINGS_DIR = tempfile.mkdtemp(prefix="lt-qsettings-")


def _isolate_qsettings() -> None:
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # headless-only environments never build a window
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, _SETTINGS_DIR)


_isolate_qsettings()


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test starts from no saved layout: a window closed by one test saves its docks, and the next test's window
    must not open in that layout (a screen-size test would then measure the previous test's leftovers)."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:
        return
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture
def session():
    """A fresh in-memory practice session: 1 XBT and 10,000 USDT at 2024-03-01T00:00Z."""
    from ui.window.main_window import fresh_session

    return fresh_session()


@pytest.fixture
def window(qtbot, session):
    """The whole terminal window on an unsaved session, paused, registered with qtbot."""
    from ui.window.main_window import build_window

    win = build_window(session)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win
