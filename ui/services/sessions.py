"""Where the window's session comes from: the default practice session (an unsaved account: 1 XBT and 10,000 USDT
at the default start), the stored account of a data folder (``open_store``), and whether Qt draws offscreen
(tests, ``shot``)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from terminal.domain.defaults import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR
from terminal.session.trading_session import TradingSession


def fresh_session() -> TradingSession:
    return TradingSession.new(seed=0, start_ms=DEFAULT_START_MS, wallets_minor=dict(DEFAULT_WALLETS_MINOR))


def offscreen() -> bool:
    app = QApplication.instance()
    name = app.platformName() if isinstance(app, QApplication) else os.environ.get("QT_QPA_PLATFORM", "")
    return name in ("offscreen", "minimal")


def open_store(data_dir: Path) -> tuple[Any, TradingSession, str | None]:
    """(store or None, session, note): the stored account, or an unsaved session and why."""
    try:
        from terminal.store.account_store import AccountStore, StoreError
    except ImportError:
        return None, fresh_session(), "Not saved: the account store is not available"
    store = None
    try:
        store = AccountStore.open(Path(data_dir))
        session = store.load_session()
        note = "; ".join(getattr(store, "warnings", []) or []) or None
        return store, session, note
    except StoreError as exc:
        if store is not None:
            store.close()
        if getattr(exc, "kind", "") == "corrupt" and not offscreen():
            ask = QMessageBox.question(
                None, "Practice account",
                f"{exc}\n\nKeep a copy of the damaged file and start this account afresh?")
            if ask == QMessageBox.StandardButton.Yes:
                try:
                    from terminal.store.account_store import active_account

                    kept = AccountStore.quarantine(Path(data_dir), active_account(Path(data_dir)))
                    store = AccountStore.open(Path(data_dir))
                    return store, store.load_session(), f"Started afresh; the damaged file is kept as {kept}"
                except StoreError as again:
                    exc = again
        if not offscreen():
            QMessageBox.warning(None, "Practice account", f"{exc}\n\nThis session will not be saved.")
        return None, fresh_session(), f"Not saved: {exc}"
