"""GUI frame time with the clock at 100x and 1,000,000 points of history per chart (offscreen).

A frame is what the QTimer does every 16 ms: engine batch + snapshot + every chart / table / read-out update,
then the paint (``processEvents`` flushes the repaints). Printed beside a baseline (an empty frame: paint only)
from the same run, with the keystroke → read-outs latency and the time to show the window.

Run: python bench/frame_time.py [--frames 400]. Targets: ≤ 8 ms median, ≤ 16 ms p95, keystroke ≤ 5 ms,
window shown ≤ 1.5 s.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

POINTS = 1_000_000


def stats(ms: list[float]) -> str:
    a = np.array(ms)
    return f"median {np.median(a):6.2f} ms   p95 {np.percentile(a, 95):6.2f} ms   max {a.max():6.2f} ms"


def startup_child() -> None:
    """Child process: build and show the window on a fresh data folder, then say so."""
    import tempfile

    from PySide6.QtWidgets import QApplication

    import ui

    win = ui.create_main_window(Path(tempfile.mkdtemp()))
    win.show()
    QApplication.processEvents()
    print("shown", flush=True)
    win.close()


def startup_time() -> float:
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, __file__, "--startup-child"], stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.stdout is not None
    for line in p.stdout:
        if line.startswith("shown"):
            break
    t = time.perf_counter() - t0
    p.wait()
    return t


def fill_history(session, symbol: str) -> None:  # type: ignore[no-untyped-def]
    """1,000,000 price ticks through the engine, and 1,000,000-point equity / liquidation series."""
    from terminal.history import RingBuffer

    session.ensure_feed(symbol)
    n = 0
    while n < POINTS:
        n += session.advance(1 << 62, min(200_000, POINTS - n), primary=symbol)
    t = session.prices[symbol].view()[:, 0].copy()
    rng = np.random.default_rng(1)
    eq = RingBuffer(POINTS, 3)
    bal = 1.0 + np.cumsum(rng.normal(0, 1e-4, POINTS))
    eq.extend(np.column_stack((t, bal, bal)))
    liq = RingBuffer(POINTS, 3)
    mark = session.prices[symbol].view()[:, 2]
    liq.extend(np.column_stack((t, mark * 0.92, mark)))
    session.history.capacity = POINTS
    session.history.equity["XBT"] = eq
    session.history.liquidation[symbol] = liq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=400)
    ap.add_argument("--startup-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.startup_child:
        startup_child()
        return

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ui.main_window import build_window, ensure_app, fresh_session

    app = ensure_app()
    session = fresh_session()
    t0 = time.perf_counter()
    fill_history(session, "XBTUSD")
    print(f"history: {len(session.prices['XBTUSD']):,} price ticks, "
          f"{len(session.history.equity['XBT']):,} equity and {len(session.history.liquidation['XBTUSD']):,} "
          f"liquidation points (built in {time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    win = build_window(session)
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    print(f"window on 1M-point history built and shown in {(time.perf_counter() - t0) * 1000:.0f} ms")
    ex = session.exchange
    ex.set_leverage("XBTUSD", 25)
    last = ex.markets["XBTUSD"].last
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 20_000, "type": "market"})
    ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 5_000, "type": "limit", "price": round(last - 400)})
    ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 5_000, "type": "stop_market",
                    "stop_price": round(last - 900), "reduce_only": True})
    bridge = win.bridge
    bridge.publish()
    app.processEvents()

    def run(frame) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for _ in range(args.frames):
            t = time.perf_counter()
            frame()
            app.processEvents()
            out.append((time.perf_counter() - t) * 1000)
        return out[10:]

    charts = (win.charts.price, win.charts.equity, win.charts.liquidation)
    base = run(lambda: [c.viewport().update() for c in charts])  # same paint, no new data, no engine
    bridge.clock.speed = "100x"  # the timer stays off: the loop below is the timer
    full = run(lambda: bridge.tick(0.016))
    ticks = bridge.session.ticks
    grab = []
    for _ in range(30):
        t = time.perf_counter()
        bridge.tick(0.016)
        win.grab()
        grab.append((time.perf_counter() - t) * 1000)
    size = win.form.size
    size.setFocus()
    size.setText("1000")
    keys = []
    for k in range(60):
        t = time.perf_counter()
        QTest.keyClick(size, Qt.Key.Key_1 if k % 2 == 0 else Qt.Key.Key_Backspace)
        app.processEvents()  # the read-outs repainted
        keys.append((time.perf_counter() - t) * 1000)
    split = []
    for _ in range(60):
        t = time.perf_counter()
        bridge.tick(0.016)
        split.append((time.perf_counter() - t) * 1000)
        app.processEvents()
    print(f"baseline (empty frame: repaint the 3 charts, no engine, no new data): {stats(base)}")
    print(f"  of a frame, engine + snapshot + all updates before the paint:       {stats(split[10:])}")
    print(f"frame at 100x (engine + snapshot + UI updates + paint):             {stats(full)}   ({ticks:,} ticks so far)")
    print(f"frame + a full-window grab() render:                                {stats(grab)}")
    print(f"keystroke → read-outs:                                              {stats(keys)}")
    print(f"window shown, cold start (new process, store opened):              {startup_time() * 1000:.0f} ms")
    win.close()


if __name__ == "__main__":
    main()
