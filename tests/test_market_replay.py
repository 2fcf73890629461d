"""Replaying recorded BitMEX history through the order book: the touch is the recording's, depth behind it the
profile's, the tape the recorded trades — and the trader's orders never move the recorded prices."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from terminal.feeds.replay import write_trade_dump
from terminal.market.tape import RECORDED
from terminal.session.runner import run_script
from terminal.session.script import parse_script

T0 = 1_543_968_000_000  # 2018-12-05T00:00:00Z


def _stamp(ms: int) -> str:
    from datetime import UTC, datetime

    d = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return d.strftime("%Y-%m-%dD%H:%M:%S.") + f"{ms % 1000:03d}000000"


def quote_dump(path: Path, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """A quote every 500 ms; bid walks 4,000 → 4,030 in half-dollar steps, ask one tick above, 250,000 on each
    side (an XBTUSD book of December 2018)."""
    bid = 4000.0 + np.floor(np.arange(n) / 10) * 0.5
    lines = ["timestamp,symbol,bidSize,bidPrice,askPrice,askSize"]
    for i in range(n):
        lines.append(f"{_stamp(T0 + 500 * i)},XBTUSD,250000,{bid[i]:.1f},{bid[i] + 0.5:.1f},250000")
        lines.append(f"{_stamp(T0 + 500 * i)},ETHUSD,1000,100.0,100.05,1000")
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return bid, bid + 0.5


def test_a_quote_replay_fills_at_the_recorded_touch_then_walks_the_profile_and_moves_nothing(tmp_path: Path):
    bid, ask = quote_dump(tmp_path / "q.csv.gz")
    script = f"""
seed = 1
duration_s = 250
[account]
XBT = 100.0
[feed]
kind = "quotes"
path = "{tmp_path / 'q.csv.gz'}"
symbol = "XBTUSD"
[[steps]]
at_s = 10
action = "order"
side = "buy"
qty = 200000
leverage = 10
[[steps]]
at_s = 20
action = "order"
side = "buy"
qty = 1000000
"""
    report = json.loads(json.dumps(run_script(parse_script(script))))
    small, big = report["fills"]
    k = 10_000 // 500 - 1  # the last quote before 10 s is in force when the step runs
    assert small["price"] == ask[k] and small["levels"] == 1 and small["intended_price"] == ask[k]
    assert big["levels"] > 1 and big["price"] > big["intended_price"] == ask[39]
    # the recorded prices carry on as recorded: the last is the recorded mid, whatever was bought
    e = 250_000 // 500 - 1  # the last quote of the session
    final = report["final"]["markets"]["XBTUSD"]["last"]
    assert abs(final - (bid[e] + ask[e]) / 2) <= 0.051  # the mid on the tick
    assert report["stats"]["market"]["recorded"] == ["XBTUSD"]
    books = report["final"]["books"]["XBTUSD"]
    assert books["bids"][0][0] == bid[e] and books["asks"][0][0] == ask[e]


def test_in_a_quote_replay_a_limit_inside_the_spread_waits_for_a_seller_not_for_the_mid(tmp_path: Path):
    """A quote dump's "last" is the recorded mid, which no trade made. A buy resting inside a wide recorded spread
    (above the mid) fills when a seller comes — a sell print after it arrived —, not at once because the mid is
    below it (QA); a buy joining the recorded best bid waits behind the recorded 200,000 contracts there."""
    lines = ["timestamp,symbol,bidSize,bidPrice,askPrice,askSize"]
    lines += [f"{_stamp(T0 + 500 * i)},XBTUSD,200000,5000.0,5005.0,150000" for i in range(1200)]
    (tmp_path / "wide.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = f"""
seed = 1
duration_s = 590
[account]
XBT = 10.0
[feed]
kind = "quotes"
path = "{tmp_path / 'wide.csv'}"
symbol = "XBTUSD"
[[steps]]
at_s = 20
action = "order"
side = "buy"
qty = 1000
type = "limit"
price = 5004.0
[[steps]]
at_s = 20
action = "order"
side = "buy"
qty = 1000
type = "limit"
price = 5000.0
"""
    report = json.loads(json.dumps(run_script(parse_script(script))))
    placed = T0 + 20_000
    inside = [f for f in report["fills"] if f["order_id"] == 1]
    assert inside and inside[0]["liquidity"] == "maker" and inside[0]["price"] == 5004.0
    from datetime import datetime

    at = datetime.fromisoformat(inside[0]["time"].replace("Z", "+00:00")).timestamp() * 1000
    assert at > placed  # not on the tick it arrived, when the mid already stood below it
    at_bid = [f for f in report["fills"] if f["order_id"] == 2]
    assert sum(f["qty"] for f in at_bid) <= 1000


def test_a_trade_replay_puts_the_recorded_trades_on_the_tape(tmp_path: Path):
    from terminal.domain.instruments import default_catalog
    from terminal.exchange.engine import EngineConfig, Exchange
    from terminal.feeds import TradesFeed
    from terminal.market.matcher import install
    from terminal.market.venue import MarketSim
    from terminal.session.market_setup import configure_feed

    n = 300
    t = T0 + np.arange(n, dtype=np.int64) * 1000
    price = 4000.0 + np.round(np.sin(np.arange(n) / 9) * 20) / 2
    size = (np.arange(n) % 7 + 1) * 100
    write_trade_dump(tmp_path / "t.csv", t, price, size)
    cat = default_catalog()
    feed = TradesFeed(cat["XBTUSD"], tmp_path / "t.csv")
    ex = Exchange(cat, EngineConfig(), now_ms=T0)
    ex.deposit("XBT", 10**8)
    mk = MarketSim(cat, seed=1)
    install(ex, mk)
    configure_feed(mk, feed)
    while not feed.exhausted:
        ex.step("XBTUSD", feed.read(1 << 62, 64))
    tape = mk.books["XBTUSD"].tape.view()
    assert (tape.kind == RECORDED).all() and tape.t_ms.size == n
    assert np.array_equal(tape.price, price) and np.array_equal(tape.size, size)


def test_the_window_opens_a_quote_dump_and_says_orders_cannot_move_it(qtbot, window, tmp_path: Path):
    from PySide6.QtWidgets import QLabel

    from ui.market.install import open_dump

    quote_dump(tmp_path / "q.csv.gz")
    assert open_dump(window, str(tmp_path / "q.csv.gz")) is None
    window.bridge.jump_to(window.bridge.session.now_ms + 20_000)
    notice = window.findChild(QLabel, "book.notice")
    assert notice.isVisible() and "cannot move" in notice.text()
    assert window.bridge.fill_model == "realistic"
    bad = tmp_path / "x.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    assert "Not a BitMEX" in (open_dump(window, str(bad)) or "")
