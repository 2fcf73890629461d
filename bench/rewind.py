"""Go to any moment of a day-long session (target ≤ 0.5 s), on the timeline's checkpoints.

A synthetic XBTUSD day (864,000 ticks) with a trade every two hours is played through a
:class:`terminal.lessons.timeline.Timeline` in GUI-sized frames; then "go to" jumps to moments across the day and
back. Printed beside a baseline from the same run: replaying from the session start to the same moment (what a
rewind without checkpoints costs).
    python bench/rewind.py
"""
from __future__ import annotations

import time

from terminal.domain.money import to_minor
from terminal.feeds.spec import FeedSpec
from terminal.lessons.timeline import Timeline
from terminal.session.trading_session import TradingSession

DAY_MS = 86_400_000
START = 1_709_251_200_000  # 2024-03-01T00:00Z


def day_session() -> tuple[TradingSession, Timeline]:
    s = TradingSession.new(seed=5, start_ms=START, wallets_minor={"XBT": to_minor("XBT", 1.0)})
    s.feed_specs["XBTUSD"] = FeedSpec(kind="synthetic", symbol="XBTUSD", price=50000)
    s.ensure_feed("XBTUSD")
    return s, Timeline(s, primary="XBTUSD")


def main() -> None:
    s, tl = day_session()
    t0 = time.perf_counter()
    side = "buy"
    for hour in range(0, 24, 2):
        tl.play_to(START + hour * 3_600_000 + 60_000)
        s.exchange.place_order({"symbol": "XBTUSD", "side": side, "qty": 20000 if hour else 10000, "type": "market"})
        side = "sell" if side == "buy" else "buy"
    while s.exchange.now_ms < START + DAY_MS - 100:
        if tl.advance(START + DAY_MS, 5_000) == 0:
            break
    play = time.perf_counter() - t0
    end = s.exchange.now_ms
    ticks = s.feeds["XBTUSD"].position
    fills = len(s.exchange.fills)
    worst = 0.0
    marks = [0.5, 0.1, 0.9, 0.25, 0.75, 0.01, 0.99]
    for frac in marks:
        t = time.perf_counter()
        tl.go_to(START + int(DAY_MS * frac))
        worst = max(worst, time.perf_counter() - t)
    t = time.perf_counter()
    tl.go_to(end)
    forward = time.perf_counter() - t
    s = tl.session  # a rewind restores into a new session
    same = (s.exchange.now_ms, len(s.exchange.fills), s.feeds["XBTUSD"].position) == (end, fills, ticks)
    s2 = TradingSession.new(seed=5, start_ms=START, wallets_minor={"XBT": to_minor("XBT", 1.0)})
    s2.feed_specs["XBTUSD"] = FeedSpec(kind="synthetic", symbol="XBTUSD", price=50000)
    s2.ensure_feed("XBTUSD")
    t = time.perf_counter()
    while s2.advance(START + int(DAY_MS * 0.99), 1 << 16, primary="XBTUSD"):
        pass
    baseline = time.perf_counter() - t
    print(f"day-long session: {ticks:,} ticks, {fills} fills, played in {play:.2f} s; {len(tl._cps)} checkpoints")
    print(f"go to (worst of {len(marks)} moments across the day): {worst * 1000:.0f} ms (target ≤ 500 ms); "
          f"back to the end: {forward * 1000:.0f} ms; the end is identical after the round trip: {same}")
    print(f"baseline, replaying from the start to 99 % of the day (a rewind without checkpoints, no recording): "
          f"{baseline * 1000:.0f} ms")


if __name__ == "__main__":
    main()
