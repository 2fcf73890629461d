"""``leverage-terminal shot``: play a script headless, then render the main window offscreen to a PNG.

Without ``data_dir`` the script is played into a fresh :class:`TradingSession` tick by tick (so the price, equity
and liquidation charts hold the whole session); with ``data_dir`` it is played into the stored account
(``play_into_store``) and the window opens on that account.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

SAMPLE_MS = 1_000


def play_session(script_path: Path):  # type: ignore[no-untyped-def]
    """Play a TOML session script into a TradingSession (same feed, seed and steps as ``run``)."""
    from terminal.feeds import make_feed
    from terminal.history import RingBuffer
    from terminal.money import to_minor
    from terminal.runner import apply_step, session_window
    from terminal.script import load_script
    from terminal.session import PRICE_HISTORY, TradingSession

    script = load_script(script_path)
    symbol = script.feed.resolved_symbol()
    from terminal.instruments import default_catalog

    feed = make_feed(script.feed, default_catalog()[symbol], seed=script.seed, start_ms=script.start_ms)
    start, end = session_window(script, feed)
    wallets = {cur: to_minor(cur, amount) for cur, amount in script.account.items()}
    session = TradingSession.new(seed=script.seed, start_ms=start, wallets_minor=wallets)
    session.feed_specs[symbol] = script.feed.model_copy(update={"symbol": symbol})
    session.feeds[symbol] = feed
    session.feed_origin[symbol] = (script.seed, script.start_ms)
    session.prices[symbol] = RingBuffer(PRICE_HISTORY, 4)
    steps = sorted(enumerate(script.steps), key=lambda p: (p[1].at_s, p[0]))
    times = [start + int(round(s.at_s * 1000)) for _, s in steps]
    ex, k, t = session.exchange, 0, start
    while True:
        target = min(end, t + SAMPLE_MS, times[k] if k < len(steps) else end)
        session.advance(target, primary=symbol)
        if ex.now_ms < target:
            ex.now_ms = target
        t = target
        while k < len(steps) and times[k] <= t:
            apply_step(ex, steps[k][1], symbol)
            k += 1
            session.history.sample(ex)
        if t >= end:
            break
    session.history.sample(ex)
    return session, symbol


def take_shot(out: Path, *, script: Path | None = None, size: tuple[int, int] = (1600, 1000),
              data_dir: Path | None = None) -> Path:
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;qt.multimedia.*=false")  # Qt's chatter is not ours
    import tempfile

    from PySide6.QtCore import QSettings, qInstallMessageHandler

    def quiet(mode, context, message):  # type: ignore[no-untyped-def]
        if "propagateSizeHints" not in message:  # the offscreen plugin says this for every dock
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(quiet)
    from PySide6.QtWidgets import QApplication

    # a screenshot shows the default layout, never the one this user left in their settings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="lt-shot-"))

    from ui.main_window import build_window, ensure_app, open_store

    ensure_app()
    store = None
    note = None
    if data_dir is not None:
        if script is not None:
            from terminal.accounts import play_into_store
            from terminal.script import load_script

            play_into_store(load_script(script), Path(script).parent, Path(data_dir))
        store, session, note = open_store(Path(data_dir))
        symbol = None
    elif script is not None:
        session, symbol = play_session(Path(script))
    else:
        from ui.main_window import fresh_session

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
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
        win.bridge.publish()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not win.grab().save(str(out), "PNG"):
        from terminal.errors import TerminalError

        raise TerminalError(f"cannot write {out}")
    win.close()
    sys.stdout.write(f"{out}\n")
    return out
