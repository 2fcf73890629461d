"""Switching (or creating) an account when the data folder cannot remember the active one is refused in the
form's message and changes nothing: the window kept no store (the old one closed, the new one open and locked
but not shown) and a StoreError escaped to the error box."""
from __future__ import annotations

from pathlib import Path

import ui
from terminal.store.accounts import active_account


def test_a_switch_that_cannot_remember_the_active_account_leaves_the_window_on_its_account(qtbot, tmp_path: Path):
    win = ui.create_main_window(tmp_path)
    qtbot.addWidget(win)
    before = win.account_service.name
    blocker = tmp_path / "active.txt"  # something in the way of active.txt: it cannot be replaced
    blocker.unlink(missing_ok=True)
    blocker.mkdir()
    (blocker / "keep").write_text("x")
    with qtbot.captureExceptions() as raised:
        win.accounts.create("alice", {"XBT": 100_000_000})
    assert raised == []
    assert "Could not remember the active account" in win.form.message.text()
    assert win.account_service.name == before and win.bridge.store is not None
    win.bridge.jump_to(win.bridge.session.now_ms + 5_000)
    win.bridge.save()  # the account on screen still saves
    assert not win.bridge.save_failing
    assert active_account(tmp_path) == before
    win.close()
