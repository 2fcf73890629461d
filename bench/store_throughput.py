"""Engine throughput with and without the account store, and what one frame's save costs.

A "frame" is what the GUI does per timer tick: advance the session by FRAME_TICKS ticks (XBTUSD primary, ETHUSDT
following), trade now and then, and — with the store — ``store.record(session, drained events)`` once.

    PYTHONPATH=. python bench/store_throughput.py [--frames 1500] [--frame-ticks 1000 10000]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from terminal.feeds.base import UNBOUNDED_MS
from terminal.store.account_store import AccountStore


def trade(session, frame: int) -> None:
    ex = session.exchange
    if frame % 10 == 0:
        inst = ex.catalog["XBTUSD"]
        side = "buy" if frame % 20 else "sell"
        ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 1000})
        ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 500, "type": "limit",
                        "price": inst.round_price(ex.markets["XBTUSD"].last * (0.999 if side == "buy" else 1.001))})
    if frame % 100 == 0:
        ex.cancel_all()


def run(data_dir: Path, frames: int, frame_ticks: int, with_store: bool) -> dict[str, float]:
    store = AccountStore.open(data_dir / ("store" if with_store else "plain"), "bench")  # same seed, same market
    session = store.load_session()
    session.ensure_feed("XBTUSD")
    session.ensure_feed("ETHUSDT")
    if not with_store:
        store.close()
    writes: list[float] = []
    money_writes: list[float] = []
    ticks = 0
    t0 = time.perf_counter()
    for f in range(frames):
        ticks += session.advance(UNBOUNDED_MS, max_ticks=frame_ticks, primary="XBTUSD")
        trade(session, f)
        events = session.exchange.drain_events()
        if with_store:
            w0 = time.perf_counter()
            store.record(session, events)
            dt = (time.perf_counter() - w0) * 1000
            (money_writes if any(k == "fill" for k, _ in events) else writes).append(dt)
    elapsed = time.perf_counter() - t0
    if with_store:
        store.close()
    out = {"ticks": ticks, "seconds": elapsed, "ticks_per_s": ticks / elapsed, "fills": len(session.exchange.fills)}
    if with_store:
        allw = sorted(writes + money_writes)
        out.update(write_median_ms=statistics.median(allw), write_p95_ms=allw[int(0.95 * (len(allw) - 1))],
                   write_max_ms=allw[-1], clock_only_median_ms=statistics.median(writes) if writes else 0.0,
                   fill_frame_median_ms=statistics.median(money_writes) if money_writes else 0.0,
                   fill_frames=len(money_writes))
    return out


def report(frames: int, frame_ticks: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        plain = run(Path(d), frames, frame_ticks, False)
        stored = run(Path(d), frames, frame_ticks, True)
        # cost when nothing happened (paused GUI): record() with no change
        store = AccountStore.open(Path(d) / "store", "bench")
        s = store.load_session()
        n = 2000
        t0 = time.perf_counter()
        for _ in range(n):
            store.record(s, [])
        idle_us = (time.perf_counter() - t0) / n * 1e6
        store.close()
    print(f"frames: {frames} x {frame_ticks} primary ticks (XBTUSD + ETHUSDT following)")
    print(f"  engine without store: {plain['ticks_per_s'] / 1e6:6.2f} M ticks/s  ({plain['ticks']:,} ticks, "
          f"{plain['seconds']:.2f} s, {plain['fills']} fills)")
    print(f"  engine with store:    {stored['ticks_per_s'] / 1e6:6.2f} M ticks/s  ({stored['ticks']:,} ticks, "
          f"{stored['seconds']:.2f} s, {stored['fills']} fills)")
    print(f"  slowdown: {(plain['ticks_per_s'] / stored['ticks_per_s'] - 1) * 100:.1f} %")
    print(f"  record() per frame: median {stored['write_median_ms']:.3f} ms, p95 {stored['write_p95_ms']:.3f} ms, "
          f"max {stored['write_max_ms']:.3f} ms")
    print(f"    clock-only frames (synchronous=NORMAL): median {stored['clock_only_median_ms']:.3f} ms")
    print(f"    frames with fills ({stored['fill_frames']}, synchronous=FULL): median "
          f"{stored['fill_frame_median_ms']:.3f} ms")
    print(f"  record() when nothing changed (paused): {idle_us:.1f} µs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1500)
    ap.add_argument("--frame-ticks", type=int, nargs="+", default=[1000, 10_000])
    args = ap.parse_args()
    for ft in args.frame_ticks:
        report(args.frames if ft <= 1000 else max(1, args.frames * 1000 // ft), ft)


if __name__ == "__main__":
    main()
