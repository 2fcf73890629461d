"""Stored state is validated on load (issue 15): a position of 1e300 contracts is damage, not a trade."""
from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from terminal.store.account_store import AccountStore, StoreError
from terminal.store.validate import check_exchange
from tests.helpers import batch, exchange


def traded():  # type: ignore[no-untyped-def]
    ex = exchange()
    ex.step("XBTUSD", batch([50_000.0], t0=3_600_000))
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000}).accepted
    assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 100, "type": "limit", "price": 60_000.0}).accepted
    return ex


def test_a_real_account_passes() -> None:
    check_exchange(traded())


@pytest.mark.parametrize("damage, says", [
    (lambda ex: setattr(ex.positions["XBTUSD"], "qty", 10**300), "size"),
    (lambda ex: setattr(ex.positions["XBTUSD"], "qty", 1e300), "size"),
    (lambda ex: setattr(ex.positions["XBTUSD"], "qty", 150), "lot size"),
    (lambda ex: setattr(ex.positions["XBTUSD"], "leverage", math.nan), "leverage"),
    (lambda ex: setattr(ex.positions["XBTUSD"], "leverage", 1e6), "leverage"),
    (lambda ex: setattr(ex.wallets["XBT"], "balance", -5), "XBT wallet"),
    (lambda ex: setattr(ex.wallets["USDT"], "balance", 1.5), "USDT wallet"),
    (lambda ex: setattr(next(iter(ex.orders.values())), "price", 0.0), "price"),
    (lambda ex: setattr(next(iter(ex.orders.values())), "qty", True), "size"),
    (lambda ex: setattr(ex.markets["XBTUSD"], "mark", 1e300), "mark"),
    (lambda ex: setattr(ex, "now_ms", 10**17), "clock"),
])
def test_impossible_values_are_refused_naming_the_field(damage, says: str) -> None:  # type: ignore[no-untyped-def]
    ex = traded()
    damage(ex)
    with pytest.raises(ValueError, match=says):
        check_exchange(ex)


def test_a_stored_position_of_1e300_contracts_is_damage_kept_aside(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        s.ensure_feed("XBTUSD")
        s.advance(s.now_ms + 60_000, primary="XBTUSD")
        assert s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000}).accepted
        store.record(s, s.exchange.drain_events())
    path = tmp_path / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    rows = db.execute("SELECT symbol, json FROM positions").fetchall()
    assert rows, "the position is stored in its own table"
    for sym, js in rows:
        pos = json.loads(js)
        pos["qty"] = 1e300
        db.execute("UPDATE positions SET json = ? WHERE symbol = ?", (json.dumps(pos), sym))
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged") as e, AccountStore.open(tmp_path) as store:
        store.load_session()
    assert e.value.kind == "corrupt" and "size" in str(e.value)
    assert path.read_bytes() == before  # never traded on, never rewritten
    kept = AccountStore.quarantine(tmp_path, "practice")  # what the window's "keep a copy" does
    assert kept.read_bytes() == before
    with AccountStore.open(tmp_path) as store:
        assert store.load_session().exchange.positions == {}
