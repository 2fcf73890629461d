"""The live session: results do not depend on how the clock slices time, and feeds stay in lockstep."""
from __future__ import annotations

from terminal.domain.orders import OrderRequest
from terminal.feeds.spec import FeedSpec
from terminal.session.clock import SimClock
from terminal.session.trading_session import TradingSession

START = 1_709_251_200_000  # 2024-03-01T00:00Z
HOUR = 3_600_000


def played(frame_ms: int, hours: float = 9.0, scenario: bool = False) -> TradingSession:
    s = TradingSession.new(seed=11, start_ms=START, wallets_minor={"XBT": 100_000_000, "USDT": 10_000_000_000})
    if scenario:
        s.feed_specs["XBTUSD"] = FeedSpec(kind="scenario", name="flash-crash", symbol="XBTUSD", price=50_000)
    for sym in ("XBTUSD", "ETHUSDT"):
        s.ensure_feed(sym)
    s.advance(START + 1_000, primary="XBTUSD")
    ex = s.exchange
    ex.set_leverage("XBTUSD", 50)
    ex.set_margin_mode("ETHUSDT", True, leverage=20)
    last = ex.markets["XBTUSD"].last
    for req in (
        OrderRequest(symbol="XBTUSD", side="buy", qty=20_000, type="market"),
        OrderRequest(symbol="XBTUSD", side="buy", qty=5_000, type="limit", price=round(last * 0.995 * 2) / 2),
        OrderRequest(symbol="XBTUSD", side="sell", qty=20_000, type="take_profit_market",
                     stop_price=round(last * 1.01 * 2) / 2, reduce_only=True),
        OrderRequest(symbol="ETHUSDT", side="sell", qty=1_000_000, type="market"),
    ):
        assert ex.place_order(req).accepted
    t = START + 1_000
    end = START + int(hours * HOUR)
    while t < end:
        t = min(end, t + frame_ms)
        s.advance(t, primary="XBTUSD")
    return s


def fingerprint(s: TradingSession) -> tuple:
    ex = s.exchange
    return ([f.to_dict() for f in ex.fills], [r.to_dict() for r in ex.ledger],
            [r.to_dict() for r in ex.funding], [r.to_dict() for r in ex.liquidations],
            {k: w.balance for k, w in ex.wallets.items()}, ex.now_ms)


def test_results_do_not_depend_on_frame_size():
    a = fingerprint(played(16_000))
    b = fingerprint(played(1_600_000))
    c = fingerprint(played(997))
    assert a == b == c
    assert a[2], "funding was paid at least once in 9 hours"


def test_scenario_session_liquidates_the_same_way_at_any_speed():
    a = played(100, hours=1, scenario=True)
    b = played(3_600_000, hours=1, scenario=True)
    assert fingerprint(a) == fingerprint(b)
    assert a.exchange.liquidations and a.exchange.liquidations[0].symbol == "XBTUSD"


def test_feeds_follow_the_primary_in_lockstep_at_max_speed():
    s = TradingSession.new(seed=1, start_ms=START, wallets_minor={"XBT": 100_000_000})
    for sym in ("XBTUSD", "ETHUSD", "XRPUSDT"):
        s.ensure_feed(sym)
    clock = SimClock(START, speed="max", max_ticks_per_frame=5_000)
    for _ in range(5):
        s.advance(clock.advance(0.016), clock.ticks_budget(), primary="XBTUSD")
        times = {sym: m.time for sym, m in s.exchange.markets.items()}
        assert max(times.values()) - min(times.values()) <= 100, times
    assert s.exchange.now_ms >= START + 5 * 5_000 * 100 - 200


def test_history_is_sampled_at_a_bounded_rate():
    s = played(60_000, hours=2)
    eq = s.history.equity["XBT"]
    assert 0 < len(eq) <= 2 * 3600 + 10  # at most one point a simulated second
    assert len(s.history.liquidation["XBTUSD"]) > 0
