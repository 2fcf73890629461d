"""Order-book throughput: ticks per second with the simulated book in the fill path, beside `ideal` in the same run.

Cases (issue 12's targets: the book costs at most 1.5× ideal, per-tick cost flat in N):
  quiet   one open position, 2 resting limits and a stop; few fills
  taker   a market order every 33 ticks (~3 % of ticks fill), alternating buy and sell
  maker   a buy resting at the best bid and a sell at the best ask, each placed again at the touch once filled
          (stepped 33 ticks at a time): queues eaten by prints, the price going through
for 1e5 and 1e6 ticks, each measured three ways:
  ideal   the exchange alone (its own one-level book): today's fills
  ideal+  the `ideal` fill model with the market attached (tape and candles kept, fills unchanged)
  book    the `realistic` fill model: background prints, depth that refills, queues
The figures include generating the synthetic ticks (what `run` and the GUI pay per tick).
Then: how long a 10,000,000-contract XBTUSD market order takes to walk the book (target ≤ 1 ms).

Usage: python bench/book_throughput.py [--ticks 1000000]
"""
from __future__ import annotations

import argparse
import statistics
import time

from terminal.domain.instruments import default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds import SyntheticFeed
from terminal.market.matcher import install
from terminal.market.venue import MarketSim

CAT = default_catalog()
XBT = CAT["XBTUSD"]
START = 1_709_251_200_000
CHUNK = 65_536


def new_exchange(mode: str) -> Exchange:
    ex = Exchange(CAT, EngineConfig(record_events=False), now_ms=START)
    ex.deposit("XBT", 1000 * 10**8)
    if mode != "ideal":
        install(ex, MarketSim(CAT, seed=1, fill_model="ideal" if mode == "ideal+" else "realistic"))
    return ex


def quiet(mode: str, n: int) -> tuple[float, int]:
    feed = SyntheticFeed(XBT, seed=1, start_ms=START, price=50_000.0)
    ex = new_exchange(mode)
    t = time.perf_counter()
    ex.step("XBTUSD", feed.read(1 << 62, 1))
    ex.set_leverage("XBTUSD", 10)
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 10_000, "type": "market"})
    p = ex.markets["XBTUSD"].last
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": XBT.round_price(p * 0.7)})
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 1_000, "type": "limit", "price": XBT.round_price(p * 1.3)})
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "stop_market",
                    "stop_price": XBT.round_price(p * 0.75), "reduce_only": True})
    left = n - 1
    while left > 0:
        b = feed.read(1 << 62, min(CHUNK, left))
        ex.step("XBTUSD", b)
        left -= len(b)
    return time.perf_counter() - t, len(ex.fills)


def taker(mode: str, n: int, every: int = 33) -> tuple[float, int]:
    feed = SyntheticFeed(XBT, seed=1, start_ms=START, price=50_000.0)
    ex = new_exchange(mode)
    t = time.perf_counter()
    ex.step("XBTUSD", feed.read(1 << 62, 1))
    ex.set_leverage("XBTUSD", 10)
    side = "buy"
    left = n - 1
    while left > 0:
        b = feed.read(1 << 62, min(CHUNK, left))
        left -= len(b)
        for s in range(0, len(b), every):
            ex.step("XBTUSD", b.slice(s, s + every))
            ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "market"})
            side = "sell" if side == "buy" else "buy"
    return time.perf_counter() - t, len(ex.fills)


def maker(mode: str, n: int, every: int = 33) -> tuple[float, int]:
    feed = SyntheticFeed(XBT, seed=1, start_ms=START, price=50_000.0)
    ex = new_exchange(mode)
    t = time.perf_counter()
    ex.step("XBTUSD", feed.read(1 << 62, 1))
    ex.set_leverage("XBTUSD", 10)
    resting: dict[str, int | None] = {"buy": None, "sell": None}
    left = n - 1
    while left > 0:
        b = feed.read(1 << 62, min(CHUNK, left))
        left -= len(b)
        for s in range(0, len(b), every):
            ex.step("XBTUSD", b.slice(s, s + every))
            bid, ask = ex.matcher.quote(XBT)
            for side, price in (("buy", bid), ("sell", ask)):
                oid = resting[side]
                if oid is None or oid not in ex.orders:
                    ack = ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "limit",
                                          "price": price, "post_only": True})
                    resting[side] = ack.order_id if ack.accepted else None
    return time.perf_counter() - t, len(ex.fills)


def walk_10m() -> tuple[float, float, int]:
    """Median and worst of 50 walks of 10,000,000 contracts into a fresh XBTUSD book (ms), levels taken."""
    feed = SyntheticFeed(XBT, seed=1, start_ms=START, price=50_000.0)
    times, levels = [], 0
    for _ in range(50):
        ex = new_exchange("book")
        ex.step("XBTUSD", feed.read(1 << 62, 10))
        ex.set_leverage("XBTUSD", 1)
        book = ex.matcher.market.books["XBTUSD"]  # type: ignore[attr-defined]
        t = time.perf_counter()
        w = book.walk(-1, ex.now_ms, 1, 10_000_000, None, 1)
        times.append((time.perf_counter() - t) * 1000)
        levels = w.levels
    return statistics.median(times), max(times), levels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=1_000_000)
    top = ap.parse_args().ticks
    for n in sorted({top // 10, top}):
        print(f"--- {n:,} ticks (synthetic XBTUSD, 100 ms ticks, generation included)")
        for name, case in (("quiet", quiet), ("taker 3 %", taker), ("maker", maker)):
            rates = {}
            for mode in ("ideal", "ideal+", "book"):
                best = min(case(mode, n)[0] for _ in range(2))
                fills = case(mode, n)[1] if mode == "book" else None
                rates[mode] = n / best
                extra = f"  ({fills:,} fills)" if fills is not None else ""
                print(f"  {name:<10} {mode:<7}: {n / best:>12,.0f} ticks/s{extra}")
            print(f"  {name:<10} book costs {rates['ideal'] / rates['book']:.2f}× ideal "
                  f"({rates['ideal+'] / rates['book']:.2f}× ideal with the market attached)")
    med, worst, levels = walk_10m()
    print(f"10,000,000-contract XBTUSD market order walks {levels} levels: median {med:.3f} ms, worst {worst:.3f} ms "
          "(target ≤ 1 ms)")


if __name__ == "__main__":
    main()
