"""Named practice accounts through the real window and store: create, switch, reset, delete, auto-reset."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from terminal.domain.orders import OrderRequest
from terminal.store.account_store import list_accounts
from ui import create_main_window


def wallet_text(win) -> str:
    return win.findChild(QLabel, "account.walletBalance").text()


def test_create_switch_reset_delete(qtbot, tmp_path):
    win = create_main_window(tmp_path)
    qtbot.addWidget(win)
    acts = win.accounts
    assert win.store is not None and win.store.name == "practice"
    assert wallet_text(win).startswith("1.0000")
    acts.create("trainee-1", {"XBT": 50_000_000, "USDT": 0})
    assert win.store.name == "trainee-1" and win.bridge.store is win.store
    assert wallet_text(win).startswith("0.5000")
    assert sorted(list_accounts(tmp_path)) == ["practice", "trainee-1"]
    assert win.bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=100)).accepted
    acts.switch("practice")
    assert win.store.name == "practice" and wallet_text(win).startswith("1.0000")
    acts.switch("trainee-1")
    assert win.bridge.session.exchange.positions["XBTUSD"].qty == 100  # came back as it was left
    acts.reset({"XBT": 200_000_000, "USDT": 0})
    assert wallet_text(win).startswith("2.0000")
    pos = win.bridge.session.exchange.positions.get("XBTUSD")
    assert pos is None or pos.qty == 0
    acts.delete("trainee-1")  # refused: it is open
    assert "trainee-1" in list_accounts(tmp_path)
    acts.switch("practice")
    acts.delete("trainee-1")
    assert list_accounts(tmp_path) == ["practice"]
    win.close()


def test_reset_after_liquidation_option(qtbot, tmp_path):
    from terminal.feeds.spec import FeedSpec

    win = create_main_window(tmp_path)
    qtbot.addWidget(win)
    acts = win.accounts
    acts.set_reset_after_liquidation(True)
    bridge = win.bridge
    bridge.set_source(FeedSpec(kind="scenario", name="flash-crash", symbol="XBTUSD", price=50_000))
    ex = bridge.session.exchange
    bridge.orders.set_leverage("XBTUSD", 100)
    assert bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=10_000)).accepted
    bridge.clock.speed = "max"
    for _ in range(40):
        bridge.tick(0.016)
        if not bridge.session.exchange.positions.get("XBTUSD") or bridge.session.exchange.positions["XBTUSD"].qty == 0:
            break
    new_ex = bridge.session.exchange
    assert new_ex is not ex  # a fresh account after the liquidation
    assert not new_ex.liquidations and new_ex.wallets["XBT"].balance == 100_000_000
    acts.set_reset_after_liquidation(False)
    win.close()
