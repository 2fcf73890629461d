"""Leverage side by side through the real window: ghosts at 2x, 10x, 25x, 100x opened before the flash crash —
the crash liquidates all but 2x, the chart draws each ghost's equity and liquidation line, and the account is
untouched (no order, no fill, no ledger row)."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def test_ghosts_show_who_survives_the_flash_crash_without_touching_the_account(qtbot, window):
    w(window, QComboBox, "sim.source").setCurrentText("Scenario: Flash crash")
    w(window, QAction, "training.ghosts").trigger()
    assert window.training.ghosts_dock.isVisible()
    ex = window.bridge.session.exchange
    ledger, fills = len(ex.ledger), len(ex.fills)
    w(window, QPushButton, "ghosts.openLong").click()
    panel = window.training.ghosts
    assert [g.leverage for g in panel.run.ghosts] == [2, 10, 25, 100]
    assert len(panel.liq_lines) == 4 and len(panel.equity_curves) == 4
    window.bridge.jump_to(window.bridge.session.now_ms + 26 * 60_000)  # through the crash and capitulation
    assert [g.leverage for g in panel.run.survivors()] == [2.0]
    status = w(window, QLabel, "ghosts.status").text()
    assert "1 of 4 survive" in status and "100x</b> ✖ liquidated" in status
    x, y = panel.equity_curves[3].getData()
    assert len(x) > 100 and y[-1] == 0.0  # the 100x ghost's equity ends at nothing
    assert (len(ex.ledger), len(ex.fills)) == (ledger, fills) and not ex.orders  # the account never saw a ghost
    w(window, QPushButton, "ghosts.clear").click()
    assert panel.run is None and not panel.liq_lines
