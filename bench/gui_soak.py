"""GUI soak: the real window (offscreen) on a stored account, clock at max speed, for 1,000 simulated hours.

    python bench/gui_soak.py [--hours 1000] [--every 50]

The window runs its own event loop and frame timer exactly as a user's does (a 25x long with a resting limit and
a stop, so fills, funding every 8 h and saving all happen). A probe timer fires every 5 ms; the longest gap between
two of its firings, less the 5 ms, is the longest stall of the event loop (target < 250 ms). Every ``--every``
simulated hours it prints the resident memory (RSS), the Python objects alive, the frames drawn and the longest
stall in that stretch, so a leak shows as a column that keeps growing. The first line is the baseline of the same
run (the window shown, nothing played yet).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

HOUR_MS = 3_600_000
PROBE_MS = 5


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # not Linux: the peak instead
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1e6 if sys.platform == "darwin" else 1e3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1000.0)
    ap.add_argument("--every", type=float, default=50.0, help="print a line every N simulated hours")
    ap.add_argument("--types", action="store_true", help="at the end, the object types that grew most since the "
                    "first stretch (where a leak lives)")
    args = ap.parse_args()

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="lt-soak-"))
    import ui
    from ui.window.main_window import ensure_app

    app = ensure_app()
    data_dir = Path(tempfile.mkdtemp(prefix="lt-soak-data-"))
    win = ui.create_main_window(data_dir)
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    bridge = win.bridge
    orders = bridge.orders
    symbol = bridge.symbol
    orders.set_leverage(symbol, 25)
    last = bridge.last.market.last
    orders.place({"symbol": symbol, "side": "buy", "qty": 10_000, "type": "market"})
    orders.place({"symbol": symbol, "side": "buy", "qty": 5_000, "type": "limit", "price": round(last * 0.97)})
    orders.place({"symbol": symbol, "side": "sell", "qty": 10_000, "type": "stop_market",
                  "stop_price": round(last * 0.85), "reduce_only": True})
    app.processEvents()

    start_ms = bridge.now_ms
    end_ms = start_ms + int(args.hours * HOUR_MS)
    state = {"last_probe": time.perf_counter(), "stall": 0.0, "stall_all": 0.0, "frames": 0, "next": args.every,
             "t0": time.perf_counter()}
    stalls: list[float] = []
    counts: list[Counter[str]] = []

    def probe() -> None:
        now = time.perf_counter()
        gap = (now - state["last_probe"]) * 1000 - PROBE_MS
        state["last_probe"] = now
        state["stall"] = max(state["stall"], gap)
        stalls.append(gap)

    def line(hours: float) -> None:
        gc.collect()
        print(f"{hours:>8.0f} {time.perf_counter() - state['t0']:>8.1f} {rss_mb():>8.1f} {len(gc.get_objects()):>10,} "
              f"{bridge.session.ticks:>12,} {len(bridge.session.exchange.fills):>6} "
              f"{len(bridge.session.exchange.ledger):>7} {state['stall']:>9.1f}", flush=True)
        state["stall_all"] = max(state["stall_all"], state["stall"])
        if args.types and hours > 0:
            counts.append(Counter(type(o).__qualname__ for o in gc.get_objects()))
        state["stall"] = 0.0
        state["last_probe"] = time.perf_counter()  # the gc.collect above is the bench's, not the window's

    def check() -> None:
        hours = (bridge.now_ms - start_ms) / HOUR_MS
        if hours >= state["next"]:
            line(hours)
            state["next"] += args.every
        if bridge.now_ms >= end_ms:
            bridge.set_speed("pause")
            app.quit()

    print(f"{'sim h':>8} {'wall s':>8} {'RSS MB':>8} {'objects':>10} {'ticks':>12} {'fills':>6} {'ledger':>7} "
          f"{'stall ms':>9}")
    line(0.0)
    probe_timer = QTimer()
    probe_timer.setInterval(PROBE_MS)
    probe_timer.timeout.connect(probe)
    check_timer = QTimer()
    check_timer.setInterval(50)
    check_timer.timeout.connect(check)
    probe_timer.start()
    check_timer.start()
    bridge.set_speed("max")
    state["last_probe"] = time.perf_counter()
    app.exec()
    probe_timer.stop()
    check_timer.stop()
    import numpy as np

    s = np.array(stalls[1:]) if len(stalls) > 1 else np.zeros(1)
    longest = max(state["stall_all"], state["stall"])
    print(f"played {(bridge.now_ms - start_ms) / HOUR_MS:,.0f} simulated hours in "
          f"{time.perf_counter() - state['t0']:,.0f} s wall; event-loop stall: longest {longest:.0f} ms"
          f" (target < 250 ms), p99 {np.percentile(s, 99):.1f} ms, median {np.median(s):.1f} ms over {len(s):,} probes")
    if len(counts) >= 2:
        grew = (counts[-1] - counts[0]).most_common(8)
        print("grew since the first stretch: " + ", ".join(f"{name} +{n:,}" for name, n in grew))
    win.close()
    QApplication.processEvents()


if __name__ == "__main__":
    main()
