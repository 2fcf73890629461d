"""Engine throughput: ticks per second on this machine, next to a plain Python loop over the same prices.

Cases (the engine issue's targets on a 2-core machine):
  quiet   one open position and 3 resting orders, few fills          target ≥ 2,000,000 ticks/s
  maker   ~3 % of ticks fill: quotes re-placed / amended around the market  target ≥ 1,000,000 ticks/s
  taker   ~3 % of ticks fill: a market order every 33 ticks                 target ≥ 1,000,000 ticks/s
  run     end to end through `leverage-terminal run` (feed + engine + report), 1,000,000 ticks
Memory: peak traced allocation for 1M and 4M ticks (flat means it does not grow with ticks).

Usage: python bench/engine_throughput.py [--ticks 1000000]
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

from terminal.domain.defaults import DEFAULT_START_MS
from terminal.domain.instruments import default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds import SyntheticFeed
from terminal.session.runner import run_script
from terminal.session.script import parse_script

CAT = default_catalog()
XBT = CAT["XBTUSD"]
START = DEFAULT_START_MS


def feed_batches(n: int, chunk: int, seed: int = 1):
    feed = SyntheticFeed(XBT, seed=seed, start_ms=START, price=50_000.0, tick_interval_ms=100)
    out, left = [], n
    while left > 0:
        b = feed.read(1 << 62, min(chunk, left))
        out.append(b)
        left -= len(b)
    return out


def plain_loop(batches) -> float:
    t = time.perf_counter()
    hits = 0
    for b in batches:
        for p in b.last.tolist():
            if p < 10.0 or p > 1e9:
                hits += 1
    return time.perf_counter() - t


def new_exchange() -> Exchange:
    ex = Exchange(CAT, EngineConfig(record_events=False), now_ms=START)
    ex.deposit("XBT", 100 * 10**8)
    return ex


def quiet(batches) -> tuple[float, int]:
    ex = new_exchange()
    ex.step("XBTUSD", batches[0].slice(0, 1))
    ex.set_leverage("XBTUSD", 10)
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "market"})
    p = ex.markets["XBTUSD"].last
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": XBT.round_price(p * 0.7)})
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 1_000, "type": "limit", "price": XBT.round_price(p * 1.3)})
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "stop_market",
                    "stop_price": XBT.round_price(p * 0.75), "reduce_only": True})
    t = time.perf_counter()
    for b in batches:
        ex.step("XBTUSD", b)
    return time.perf_counter() - t, len(ex.fills)


def busy(batches, chunk: int = 64) -> tuple[float, int]:
    """A market maker: every 64 ticks (6.4 s) it re-quotes a bid and an ask a tick either side of the last
    price, amending quotes the market left behind; about 3 % of ticks fill. The figure includes the
    amends and new orders behind every fill."""
    ex = new_exchange()
    ex.step("XBTUSD", batches[0].slice(0, 1))
    ex.set_leverage("XBTUSD", 10)
    tick = XBT.tick_size
    t = time.perf_counter()
    for b in batches:
        for s in range(0, len(b), chunk):
            ex.step("XBTUSD", b.slice(s, s + chunk))
            p = ex.markets["XBTUSD"].last
            quotes = {o.side: o for o in ex.orders.values()}
            for side, px in (("buy", p - tick), ("sell", p + tick)):
                o = quotes.get(side)
                if o is None:
                    ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "limit", "price": px})
                elif abs(o.price - px) > 2 * tick:
                    ex.amend_order(o.id, price=px)
    return time.perf_counter() - t, len(ex.fills)


def taker(batches, every: int = 33) -> tuple[float, int]:
    """A taker: every 33 ticks it sends a market order (alternating buy and sell), so ~3 % of ticks fill."""
    ex = new_exchange()
    ex.step("XBTUSD", batches[0].slice(0, 1))
    ex.set_leverage("XBTUSD", 10)
    side = "buy"
    t = time.perf_counter()
    for b in batches:
        for s in range(0, len(b), every):
            ex.step("XBTUSD", b.slice(s, s + every))
            ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "market"})
            side = "sell" if side == "buy" else "buy"
    return time.perf_counter() - t, len(ex.fills)


SCRIPT = """
seed = 3
start = "2024-03-01T00:00:00Z"
duration_s = {duration}
[account]
XBT = 10.0
[feed]
kind = "synthetic"
symbol = "XBTUSD"
price = 50000
tick_interval_ms = 100
[[steps]]
at_s = 1
action = "order"
side = "buy"
qty = 10000
leverage = 10
[[steps]]
at_s = 2
action = "order"
side = "buy"
qty = 1000
type = "limit"
price = 30000
[[steps]]
at_s = 2
action = "order"
side = "sell"
qty = 1000
type = "limit"
price = 90000
[[steps]]
at_s = 2
action = "order"
side = "sell"
qty = 10000
type = "stop_market"
stop_price = 35000
reduce_only = true
"""


def end_to_end(ticks: int) -> float:
    script = parse_script(SCRIPT.format(duration=ticks // 10))
    t = time.perf_counter()
    report = run_script(script)
    dt = time.perf_counter() - t
    assert report["stats"]["ticks"] == ticks, report["stats"]
    return dt


def peak_memory(ticks: int) -> float:
    script = parse_script(SCRIPT.format(duration=ticks // 10))
    tracemalloc.start()
    run_script(script)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=1_000_000)
    n = ap.parse_args().ticks
    batches = feed_batches(n, 65_536)
    base = plain_loop(batches)
    print(f"ticks per case: {n:,}")
    print(f"plain Python loop over the same prices : {n / base:>12,.0f} ticks/s")
    best_q = min(quiet(batches)[0] for _ in range(3))
    _, fills_q = quiet(batches)
    print(f"engine, 1 position + 3 resting orders  : {n / best_q:>12,.0f} ticks/s  ({fills_q} fills)")
    best_b, fills_b = min(busy(batches) for _ in range(2))
    print(f"engine, {100 * fills_b / n:.1f} % of ticks filling (maker)  : {n / best_b:>12,.0f} ticks/s  ({fills_b:,} fills)")
    best_t, fills_t = min(taker(batches) for _ in range(2))
    print(f"engine, {100 * fills_t / n:.1f} % of ticks filling (taker)  : {n / best_t:>12,.0f} ticks/s  ({fills_t:,} fills)")
    e2e = min(end_to_end(n) for _ in range(2))
    print(f"run end to end (feed + engine + report): {n / e2e:>12,.0f} ticks/s")
    m1, m4 = peak_memory(n), peak_memory(4 * n)
    print(f"peak traced memory, run of {n:,} ticks : {m1:8.1f} MB")
    print(f"peak traced memory, run of {4 * n:,} ticks : {m4:8.1f} MB")


if __name__ == "__main__":
    main()
