"""The whole window: the object-name contract, tables and their actions, the store, and `shot`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

import ui
from ui.window.account_panel import ratio_level

ROOT = Path(__file__).resolve().parent.parent
NAMES = [
    "orderForm.symbol", "orderForm.buy", "orderForm.sell", "orderForm.orderType", "orderForm.size",
    "orderForm.sizeUnit", "orderForm.price", "orderForm.stopPrice", "orderForm.trigger", "orderForm.leverage",
    "orderForm.leverageInput", "orderForm.marginMode", "orderForm.postOnly", "orderForm.reduceOnly",
    "orderForm.timeInForce", "orderForm.cost", "orderForm.orderValue", "orderForm.estLiqPriceLong",
    "orderForm.estLiqPriceShort", "orderForm.message", "positions.table", "orders.table", "fills.table", "ledger.table",
    "account.walletBalance", "account.unrealisedPnl", "account.marginBalance", "account.positionMargin",
    "account.orderMargin", "account.availableBalance", "account.marginRatio", "chart.price", "chart.equity",
    "chart.liquidation", "sim.play", "sim.step", "sim.speed", "sim.source",
]


def test_create_main_window_builds_on_the_stored_account_without_an_event_loop(qtbot, tmp_path):
    win = ui.create_main_window(tmp_path)
    qtbot.addWidget(win)
    missing = [n for n in NAMES if win.findChild(object, n) is None]
    assert missing == []
    assert win.store is not None and "saved to" in win.saved_label.text()
    assert win.findChild(object, "account.walletBalance").text() == "1.0000 XBT"
    win.close()
    assert win.store is None  # closed, lock released: the account opens again
    again = ui.create_main_window(tmp_path)
    qtbot.addWidget(again)
    assert again.store is not None


def test_a_locked_account_falls_back_to_an_unsaved_session(qtbot, tmp_path):
    first = ui.create_main_window(tmp_path)
    qtbot.addWidget(first)
    second = ui.create_main_window(tmp_path)
    qtbot.addWidget(second)
    assert second.store is None and "Not saved" in second.saved_label.text()


def test_trades_reach_every_table_and_close_and_cancel_work(qtbot, window):
    size = window.findChild(QLineEdit, "orderForm.size")
    qtbot.keyClicks(size, "2000")
    qtbot.mouseClick(window.findChild(QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    t = window.tables
    assert t.positions.rowCount() == 1 and t.fills.rowCount() == 1
    assert t.ledger.rowCount() >= 3  # two deposits and a fee
    assert t.ledger.index(0, 1).data() == "Fee"  # newest first
    pos = t.positions.obj(0)
    t.closeLimit.emit(pos)
    assert t.orders.rowCount() == 1
    t.cancelOrder.emit(t.orders.obj(0))
    assert t.orders.rowCount() == 0
    t.closeMarket.emit(pos)
    assert t.positions.rowCount() == 0 and t.fills.rowCount() == 2
    assert window.findChild(object, "account.positionMargin").text() == "0.0000 XBT"


def test_export_csv_writes_the_table_as_shown(qtbot, window, tmp_path):
    window.bridge.publish()
    n = window.tables.ledger.export_csv(tmp_path / "ledger.csv")
    lines = (tmp_path / "ledger.csv").read_text().splitlines()
    assert n == 2 and lines[0].startswith("Time (UTC),Type") and "Deposit" in lines[1]


def test_reset_account_starts_again(qtbot, window):
    size = window.findChild(QLineEdit, "orderForm.size")
    qtbot.keyClicks(size, "2000")
    qtbot.mouseClick(window.findChild(QPushButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    assert window.reset_account(confirm=False)
    assert window.tables.positions.rowCount() == 0 and window.tables.fills.rowCount() == 0
    assert window.findChild(object, "account.walletBalance").text() == "1.0000 XBT"


def test_margin_ratio_gauge_levels():
    assert [ratio_level(r) for r in (0.1, 0.5, 0.79, 0.8, 1.0)] == ["ok", "warn", "warn", "danger", "danger"]


def test_restore_default_layout(window):
    window.tables_dock.hide()
    window.restore_default_layout()
    assert window.tables_dock.isVisible()


def test_shot_writes_a_png_after_a_script(tmp_path):
    script = tmp_path / "s.toml"
    script.write_text('duration_s = 120\n[feed]\nkind = "scenario"\nname = "flash-crash"\n'
                      '[[steps]]\nat_s = 10\naction = "order"\nside = "buy"\nqty = 1000\nleverage = 50\n')
    out = tmp_path / "shot.png"
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "shot", "--out", str(out), "--script", str(script),
                        "--size", "1200x800"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 800)  # exactly the size asked for


def test_shot_with_a_liquidation_keeps_the_size_and_bad_size_exits_2(tmp_path):
    script = tmp_path / "s.toml"
    script.write_text('duration_s = 1800\n[feed]\nkind = "scenario"\nname = "flash-crash"\n'
                      '[[steps]]\nat_s = 10\naction = "order"\nside = "buy"\nqty = 10000\nleverage = 100\n')
    out = tmp_path / "liq.png"
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "shot", "--out", str(out), "--script", str(script)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1600, 1000)
    r = subprocess.run([sys.executable, "-m", "ui.cli", "shot", "--out", str(out), "--size", "huge"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_terminal_never_imports_qt():
    code = ("import sys, terminal.session.trading_session, terminal.exchange.snapshot, terminal.domain.calc, "
            "terminal.session.runner, ui.cli;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')]; print(bad)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr


def test_jump_to_the_next_funding_pays_it(window):
    from terminal.domain.orders import OrderRequest

    bridge = window.bridge
    ex = bridge.session.exchange
    assert bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000)).accepted
    due = bridge.next_funding_ms()
    window.jump_to_funding()
    assert bridge.session.now_ms >= due
    (f,) = ex.funding
    assert f.time == due and f.qty == 1000
    assert window.findChild(QLabel, "orderForm.message").text() == "Jumped past the funding time."
