"""A recorded price file (File → Open BitMEX quote / trade dump…) is refused while the symbol has a position or a
resting order: it plays at its own prices, so a 10x long at 50,000 found itself at December 2018's 4,000 and was
liquidated on the spot, without a word (the README: nothing moves under an open position)."""
from __future__ import annotations

from pathlib import Path

from tests.test_market_replay import quote_dump
from ui.market.install import open_dump


def test_a_dump_is_refused_under_a_position_and_the_position_is_untouched(window, tmp_path: Path):
    b = window.bridge
    quote_dump(tmp_path / "q.csv.gz")
    b.jump_to(b.session.now_ms + 60_000)
    assert b.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 5_000)
    why = open_dump(window, str(tmp_path / "q.csv.gz"))
    assert why is not None and "XBTUSD has an open position" in why and "Close the position first." in why
    b.jump_to(b.session.now_ms + 5_000)
    snap = b.last.snapshot
    assert snap.position("XBTUSD").size == 10_000 and snap.markets["XBTUSD"].last > 40_000
    assert not b.session.exchange.liquidations and b.source_for("XBTUSD").kind == "synthetic"


def test_a_dump_is_refused_under_a_resting_order_and_opens_once_flat(window, tmp_path: Path):
    b = window.bridge
    quote_dump(tmp_path / "q.csv.gz")
    b.jump_to(b.session.now_ms + 60_000)
    last = b.last.snapshot.markets["XBTUSD"].last
    ack = b.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": round(last - 500)})
    assert ack.accepted
    why = open_dump(window, str(tmp_path / "q.csv.gz"))
    assert why is not None and "1 open order" in why and "Cancel the orders first." in why
    assert b.orders.cancel(ack.order_id).accepted
    assert open_dump(window, str(tmp_path / "q.csv.gz")) is None
    assert b.source_for("XBTUSD").kind == "quotes"
