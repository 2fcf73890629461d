"""``leverage-terminal`` (no sub-command): the desktop app on the stored practice account."""
from __future__ import annotations

import ctypes.util
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from resources import RESOURCES_DIR

XCB_LIBS = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}
ICON = RESOURCES_DIR / "icons" / "app.svg"  # RESOURCES_DIR: also right inside a PyInstaller bundle


def missing_xcb() -> list[str]:
    """Debian package names of the X11 libraries Qt's xcb plugin needs and cannot find."""
    if not sys.platform.startswith("linux"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return []
    if not platform and os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return []
    return [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]


def install_excepthook() -> None:
    """Show uncaught exceptions in a dialog (and on stderr) instead of dying silently."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(text)
        if isinstance(exc, KeyboardInterrupt):
            QApplication.quit()
            return
        app = QApplication.instance()
        if not isinstance(app, QApplication) or app.platformName() in ("offscreen", "minimal"):
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Leverage Terminal — unexpected error",
                          f"{kind.__name__}: {exc}\n\nThe terminal keeps running; the account is saved every frame.")
        box.setDetailedText(text)
        box.exec()

    sys.excepthook = hook


def no_display() -> bool:
    """On Linux with no X11 or Wayland display and no platform chosen, Qt would abort."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


def run_gui(data_dir: Path) -> int:
    if no_display():
        sys.stderr.write("leverage-terminal: no display to open a window on (DISPLAY is not set); run it in a "
                         "desktop session, under xvfb-run, or render a screenshot with `leverage-terminal shot`\n")
        return 1
    missing = missing_xcb()
    if missing:
        pkgs = " ".join(missing)
        sys.stderr.write(f"leverage-terminal: Qt needs {pkgs} to open a window on X11: "
                         f"sudo apt-get install {pkgs}\n")
        return 1
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from terminal.app.crash_log import arm, disarm, take_previous_crash
    from ui.window.main_window import build_main_window, ensure_app

    app = ensure_app()
    app.setWindowIcon(QIcon(str(ICON)))
    install_excepthook()
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    crashed = take_previous_crash(Path(data_dir))
    arm(Path(data_dir))  # a native crash from here on is written to DATA_DIR/logs/crash.log
    try:
        win = build_main_window(Path(data_dir))
        warm_up(win)
        win.show()
        if crashed is not None:
            offer_crash_log(win, crashed)
        start_clock(win)
        return int(QApplication.exec())
    finally:
        disarm()


def offer_crash_log(win, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Say that the last session crashed, and offer to open what faulthandler wrote (never blocks the window)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from terminal.app.crash_log import crash_notice

    sys.stderr.write(f"leverage-terminal: the last session crashed; details in {path}\n")
    box = QMessageBox(QMessageBox.Icon.Warning, "Leverage Terminal — last session crashed", crash_notice(path),
                      QMessageBox.StandardButton.Close, win)
    box.setObjectName("crash.notice")
    show = box.addButton("Show the crash log", QMessageBox.ButtonRole.ActionRole)
    show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
    box.setModal(False)
    box.show()


def start_clock(win) -> None:  # type: ignore[no-untyped-def]
    """A terminal opens on a live market at 1x; the toolbar's speed box says so."""
    win.bridge.set_speed("1x")


WARM_UP_MS = 30 * 60_000


def warm_up(win) -> None:  # type: ignore[no-untyped-def]
    """A brand-new account opens on half an hour of market history, so the charts are not empty."""
    win.bridge.warm_up(WARM_UP_MS)
