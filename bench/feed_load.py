"""Feed throughput: load rate of a 1,000,000-row BitMEX trade dump (plain and gzip) and synthetic ticks/s.

Run: python bench/feed_load.py [--rows N]. Target: ≥ 1,000,000 rows/s for the trade load.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from terminal.domain.instruments import default_catalog
from terminal.feeds import UNBOUNDED_MS, SyntheticFeed, TradesFeed
from terminal.feeds.replay import parse_trades, read_bytes, write_trade_dump


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.rows
    inst = default_catalog()["XBTUSD"]
    rng = np.random.default_rng(0)
    t = 1_516_579_200_000 + np.cumsum(rng.integers(0, 50, n))
    p = np.round(np.maximum(1000.0, 10_000 + np.cumsum(rng.standard_normal(n)) * 2) * 2) / 2
    s = rng.integers(1, 10_000, n)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("trades.csv", "trades.csv.gz"):
            path = Path(tmp) / name
            write_trade_dump(path, t, p, s)
            size_mb = path.stat().st_size / 1e6
            data = read_bytes(path)
            parse = best_of(lambda d=data, nm=name: parse_trades(d, nm, "XBTUSD"), args.repeat)
            feed = best_of(lambda p_=path: TradesFeed(inst, p_), args.repeat)
            print(f"{name:14s} {size_mb:7.1f} MB  parse {n / parse:12,.0f} rows/s   "
                  f"file→feed (read, decompress, parse, index/funding/mark) {n / feed:12,.0f} rows/s")
    ticks = 1_000_000
    dt = best_of(lambda: SyntheticFeed(inst, seed=1, start_ms=0).read(UNBOUNDED_MS, ticks), args.repeat)
    print(f"synthetic      {ticks:,} ticks  {ticks / dt:12,.0f} ticks/s")


if __name__ == "__main__":
    main()
