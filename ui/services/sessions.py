"""The default practice session (an unsaved account: 1 XBT and 10,000 USDT at the default start) and whether Qt
draws offscreen (tests, ``shot``)."""
from __future__ import annotations

import os

from PySide6.QtWidgets import QApplication

from terminal.session.trading_session import TradingSession
from terminal.store.account_store import DEFAULT_START_MS, DEFAULT_WALLETS_MINOR


def fresh_session() -> TradingSession:
    return TradingSession.new(seed=0, start_ms=DEFAULT_START_MS, wallets_minor=dict(DEFAULT_WALLETS_MINOR))


def offscreen() -> bool:
    app = QApplication.instance()
    name = app.platformName() if isinstance(app, QApplication) else os.environ.get("QT_QPA_PLATFORM", "")
    return name in ("offscreen", "minimal")
