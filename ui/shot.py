"""``leverage-terminal shot``: play a script headless, then render the main window offscreen to a PNG.

Without ``data_dir`` the script is played into a fresh :class:`TradingSession` tick by tick (so the price, equity
and liquidation charts hold the whole session); with ``data_dir`` it is played into the stored account
(``play_into_store``) and the window opens on that account.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def play_session(script_path: Path):  # type: ignore[no-untyped-def]
    """Play a TOML session script into a fresh TradingSession (same feed, seed and steps as ``run``)."""
    from terminal.session.playback import new_session_for, play_into_session
    from terminal.session.script import load_script
    from terminal.session.trading_session import PRICE_HISTORY

    script = load_script(script_path)
    session = new_session_for(script)
    play_into_session(script, session, Path(script_path).parent, PRICE_HISTORY)
    return session, script.feed.resolved_symbol()


def take_shot(out: Path, *, script: Path | None = None, size: tuple[int, int] = (1600, 1000), presenter: bool = False,
              data_dir: Path | None = None) -> Path:
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;qt.multimedia.*=false")  # Qt's chatter is not ours
    import tempfile

    from PySide6.QtCore import QSettings, qInstallMessageHandler

    from terminal.domain.errors import TerminalError

    def quiet(mode, context, message):  # type: ignore[no-untyped-def]
        if "propagateSizeHints" not in message:  # the offscreen plugin says this for every dock
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(quiet)
    from PySide6.QtWidgets import QApplication

    # a screenshot shows the default layout, never the one this user left in their settings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    throwaway = tempfile.mkdtemp(prefix="lt-shot-")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):  # QSettings(org, app) is native
        QSettings.setPath(fmt, QSettings.Scope.UserScope, throwaway)

    from ui.window.main_window import build_window, ensure_app, open_store

    ensure_app()
    store = None
    note = None
    if data_dir is not None:
        if script is not None:
            from terminal.app.stored_account import play_into_store
            from terminal.session.script import load_script

            play_into_store(load_script(script), Path(script).parent, Path(data_dir))
        store, session, note = open_store(Path(data_dir))
        symbol = None
    elif script is not None:
        session, symbol = play_session(Path(script))
    else:
        from ui.window.main_window import fresh_session

        session, symbol = fresh_session(), None
    win = build_window(session, store=store, symbol=symbol, status_note=note)
    if script is None:  # no session to show: the half hour of market a freshly launched terminal opens on
        from ui.app import warm_up

        warm_up(win)
    win.resize(*size)
    win.show()
    QApplication.processEvents()
    if size[0] >= 1500:  # room for the training docks beside the charts (dock sizes need a shown window)
        win.training.show_for_shot()
    if presenter:  # what a room sees (F9): scaled for this window size, SIMULATION marker, last action
        win.training.presenter.set_on(True)
        win.resize(*size)
        QApplication.processEvents()
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
        win.bridge.publish()
    out = Path(out)
    try:  # the window is closed whatever happens: left open, Qt's teardown crashed the process (exit 139)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TerminalError(f"cannot write {out}: {exc.strerror or exc}") from None
        if not win.grab().save(str(out), "PNG"):
            why = "the folder is read-only" if not os.access(out.parent, os.W_OK) else "the image could not be saved"
            raise TerminalError(f"cannot write {out}: {why}")
    finally:
        win.close()
    sys.stdout.write(f"{out}\n")
    return out
