"""The frame: an immutable picture per GUI frame whose events are exactly what was booked since the previous one."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from terminal.session.frame import ClockState, FrameBuilder, RejectionView
from terminal.session.trading_session import TradingSession

START = 1_709_251_200_000  # 2024-03-01T00:00Z
CLOCK = ClockState(START, "pause")


def _session(seed: int = 0) -> TradingSession:
    s = TradingSession.new(seed=seed, start_ms=START, wallets_minor={"XBT": 100_000_000, "USDT": 10_000_000_000})
    s.ensure_feed("XBTUSD")
    s.advance(START + 60_000, primary="XBTUSD")
    return s


def test_first_frame_starts_over_and_later_frames_carry_only_what_is_new():
    s = _session()
    ex = s.exchange
    b = FrameBuilder()
    first = b.build(s, "XBTUSD", clock=CLOCK)
    assert first.reset and first.seq == 1 and first.fills == () and first.ledger == ()
    assert len(first.history.ledger) == len(ex.ledger) == 2  # the two deposits: history, not news
    assert not b.build(s, "XBTUSD", clock=CLOCK).reset

    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"})
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 10**9, "type": "market"})  # refused: too big
    news = b.build(s, "XBTUSD", clock=CLOCK)
    assert not news.reset and news.changed
    assert news.fills == tuple(ex.fills) and len(news.fills) >= 1
    assert news.ledger == tuple(ex.ledger[2:]) and {r.kind for r in news.ledger} == {"fee"}
    assert news.rejections == (RejectionView(ex.now_ms, "order", ex.rejections[-1]["reason"]),)
    quiet = b.build(s, "XBTUSD", clock=CLOCK)
    assert quiet.fills == () and quiet.ledger == () and quiet.rejections == () and not quiet.changed
    assert quiet.seq == news.seq + 1


def test_history_is_a_fixed_prefix_and_the_frame_is_frozen():
    s = _session()
    ex = s.exchange
    frame = FrameBuilder().build(s, "XBTUSD", clock=CLOCK)
    n = len(frame.history.ledger)
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 500, "type": "market"})
    assert len(ex.ledger) > n and len(frame.history.ledger) == n  # later bookings do not leak into an old frame
    assert list(frame.history.ledger) == ex.ledger[:n] and frame.history.ledger[-1] is ex.ledger[n - 1]
    assert frame.history.ledger[0:1] == ex.ledger[0:1]
    with pytest.raises(IndexError):
        frame.history.ledger[n]
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.fills = ()  # type: ignore[misc]


def test_another_account_or_a_restart_makes_a_reset_frame():
    s = _session()
    b = FrameBuilder()
    b.build(s, "XBTUSD", clock=CLOCK)
    s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"})
    other = _session(seed=1)
    switched = b.build(other, "XBTUSD", clock=CLOCK)
    assert switched.reset and switched.fills == () and len(switched.history.fills) == 0
    other.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "market"})
    assert len(b.build(other, "XBTUSD", clock=CLOCK).fills) >= 1
    b.restart()
    again = b.build(other, "XBTUSD", clock=CLOCK)
    assert again.reset and again.fills == () and len(again.history.fills) == len(other.exchange.fills)


def test_read_outs_of_the_symbol_on_screen():
    s = _session()
    ex = s.exchange
    ex.set_leverage("XBTUSD", 25)
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000, "type": "market"})
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit",
                    "price": round(ex.markets["XBTUSD"].last - 1000)})
    f = FrameBuilder().build(s, "XBTUSD", clock=ClockState(s.now_ms, "10x"))
    assert f.symbol == "XBTUSD" and f.instrument.symbol == "XBTUSD" and f.time_ms == s.now_ms
    assert f.setting.leverage == 25 and not f.setting.cross and f.clock.running
    assert f.market is not None and f.market.last == ex.markets["XBTUSD"].last
    assert f.wallet is not None and f.wallet.currency == "XBT"
    pos = f.position()
    assert pos is not None and pos.size == 1000 and pos.leverage == 25
    (order,) = f.orders
    assert f.order(order.order_id) == order and f.order(order.order_id + 99) is None
    assert f.source.spec is not None and f.source.spec.kind == "synthetic" and f.source.started_ms == START
    assert not f.source.exhausted


def test_chart_series_are_time_windows_of_the_history_as_it_was():
    s = _session()
    f = FrameBuilder().build(s, "XBTUSD", clock=CLOCK)
    price = f.charts.price
    rows = price.rows()
    assert len(rows) == len(price) == len(s.prices["XBTUSD"]) and price.columns == 4
    assert np.all(np.diff(rows[:, 0]) >= 0)  # time-ordered
    t0, t1 = rows[10, 0], rows[20, 0]
    window = price.between(t0, t1)
    assert window[0, 0] == t0 and window[-1, 0] == t1 and len(window) <= 11 + 2 and not window.flags.writeable
    count = price.count
    s.advance(s.now_ms + 5_000, primary="XBTUSD")
    assert price.count == count and len(price.rows()) == count  # later ticks are the next frame's
    assert price.last() is not None and price.last()[0] == rows[-1, 0]
    empty = f.charts.liquidation  # no position yet: no liquidation series
    assert len(empty) == 0 and empty.between(0, 1e18).shape == (0, 3) and empty.first_time is None
