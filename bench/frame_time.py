"""GUI frame time with the clock at 100x and 1,000,000 points of history per chart (offscreen).

A frame is what the QTimer does every 16 ms: engine batch + snapshot + every chart / table / read-out update,
then the paint (``processEvents`` delivers the repaints into the offscreen backing store, exactly the widgets a
screen would repaint; the number of chart repaints per frame is printed so a frame that painted nothing shows).

The charts are staggered on live frames: the price chart, then the equity + liquidation pair, take turns, so each
chart is fed and repainted at 30 Hz. The bench prints that frame (the default), the same loop with every chart
fed and repainted every frame, each chart's repaint time, and the baselines from the same run: an empty frame
(``processEvents`` with nothing to do) and a paint-only frame (the three charts repainted, no engine, no new data).
Also: appending one fill per frame to a 10,000-row fills table, keystroke → read-outs, cold start, and building the
frame itself (``FrameBuilder.build``, the Qt-free snapshot every view draws from) idle and with a fill, on a young
account and on one with 10,000 fills (the cost must not grow with the account's age).

Run: python bench/frame_time.py [--frames 400]. Targets: ≤ 8 ms median, ≤ 16 ms p95, keystroke ≤ 5 ms,
window shown ≤ 1.5 s. Layout settings go to a throw-away folder (a saved layout must not change what is drawn).
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


def isolate_settings() -> None:
    import tempfile

    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = tempfile.mkdtemp(prefix="lt-bench-settings-")
    for f in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(f, QSettings.Scope.UserScope, folder)


def stats(ms: list[float]) -> str:
    a = np.array(ms)
    return f"median {np.median(a):6.2f} ms   p95 {np.percentile(a, 95):6.2f} ms   max {a.max():6.2f} ms"


def startup_child() -> None:
    """Child process: build and show the window on a fresh data folder, then say so."""
    import tempfile

    from PySide6.QtWidgets import QApplication

    import ui

    isolate_settings()
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
    from terminal.session.history import RingBuffer

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

    isolate_settings()
    from ui.window.main_window import build_window, ensure_app, fresh_session

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
    bridge = win.bridge
    orders = bridge.orders
    orders.set_leverage("XBTUSD", 25)
    last = bridge.last.market.last
    orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 20_000, "type": "market"})
    orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 5_000, "type": "limit", "price": round(last - 400)})
    orders.place({"symbol": "XBTUSD", "side": "sell", "qty": 5_000, "type": "stop_market",
                  "stop_price": round(last - 900), "reduce_only": True})
    bridge.publish()
    app.processEvents()
    charts = win.charts
    views = {"price": charts.price, "equity": charts.equity, "liquidation": charts.liquidation}
    paints: dict[str, list[float]] = {k: [] for k in views}
    for name, view in views.items():  # time every repaint of each chart (the QGraphicsView paint event)
        def timed(ev, f=view.paintEvent, name=name):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            f(ev)
            paints[name].append((time.perf_counter() - t) * 1000)
        view.paintEvent = timed  # type: ignore[method-assign]

    def run(frame, n: int = args.frames) -> tuple[list[float], dict[str, int]]:  # type: ignore[no-untyped-def]
        out = []
        for _ in range(10):
            frame()
            app.processEvents()
        before = {k: len(v) for k, v in paints.items()}
        for _ in range(n):
            t = time.perf_counter()
            frame()
            app.processEvents()
            out.append((time.perf_counter() - t) * 1000)
        return out, {k: len(v) - before[k] for k, v in paints.items()}

    empty, _ = run(lambda: None)
    base, _ = run(lambda: [c.viewport().update() for c in views.values()])  # same paint, no new data, no engine
    bridge.clock.speed = "100x"  # the timer stays off: the loop below is the timer
    for lst in paints.values():
        lst.clear()
    market = time_market_views(win)
    full, counts = run(lambda: bridge.tick(0.016))
    rep = {k: list(v) for k, v in paints.items()}
    market_rep = {k: list(v) for k, v in market.items()}
    cpu = []
    for _ in range(100):
        t = time.thread_time()
        bridge.tick(0.016)
        app.processEvents()
        cpu.append((time.thread_time() - t) * 1000)
    charts.stagger = False
    every, counts_every = run(lambda: bridge.tick(0.016))
    charts.stagger = True
    # the order book's views (ladder, tape, 1m candles with volume) are in every frame above; the same frame
    # without them (docks hidden, line view) shows what they cost
    mv = win.market_views
    mv.candles.combo.setCurrentText("Line")
    mv.book_dock.hide()
    mv.tape_dock.hide()
    no_market, _ = run(lambda: bridge.tick(0.016))
    mv.candles.combo.setCurrentText("1m")
    mv.book_dock.show()
    mv.tape_dock.show()
    app.processEvents()
    ticks = bridge.session.ticks
    grab = []
    for _ in range(30):
        t = time.perf_counter()
        bridge.tick(0.016)
        win.grab()
        grab.append((time.perf_counter() - t) * 1000)
    split = []
    for _ in range(60):
        t = time.perf_counter()
        bridge.tick(0.016)
        split.append((time.perf_counter() - t) * 1000)
        app.processEvents()
    young = frame_build(bridge)
    appended = fills_table(app, win, bridge)
    aged = frame_build(bridge)
    size = win.form.size_box
    size.setFocus()
    size.setText("1000")
    keys = []
    for k in range(60):
        t = time.perf_counter()
        QTest.keyClick(size, Qt.Key.Key_1 if k % 2 == 0 else Qt.Key.Key_Backspace)
        app.processEvents()  # the read-outs repainted
        keys.append((time.perf_counter() - t) * 1000)
    n = len(full)
    print(f"baseline, empty frame (processEvents, nothing to do):                 {stats(empty)}")
    print(f"baseline, paint only (repaint the 3 charts, no engine, no new data): {stats(base)}")
    print(f"frame at 100x, charts staggered (each chart 30 Hz), ladder + tape + 1m candles shown  [the target]: "
          f"{stats(full)}   ({ticks:,} ticks)")
    print(f"  same frame, main-thread CPU time:                                   {stats(cpu)}")
    print(f"  of a frame, engine + snapshot + all updates before the paint:       {stats(split[10:])}")
    for name in views:
        hz = counts[name] / n * 60
        print(f"  chart.{name:<12s} repaint: {stats(rep[name]) if rep[name] else 'none':<58s} "
              f"{counts[name] / n:.2f} per frame (≈ {hz:.0f} Hz at 60 fps)")
    for name, ms in market_rep.items():  # the 10 warm-up frames are in these too
        print(f"  {name:<21s}: {stats(ms) if ms else 'none':<58s} {len(ms) / (n + 10):.2f} per frame "
              f"(≈ {len(ms) / (n + 10) * 60:.0f} Hz at 60 fps)")
    print(f"  same frame without the ladder, tape and candles (line view):         {stats(no_market)}")
    print(f"frame at 100x, every chart fed + repainted every frame:             {stats(every)}   "
          f"(repaints per frame: {', '.join(f'{k} {v / len(every):.2f}' for k, v in counts_every.items())})")
    print(f"frame + a full-window grab() render:                                {stats(grab)}")
    print(f"fills table with 10,000 rows, one fill appended per frame:        {stats(appended)}")
    print(f"keystroke → read-outs:                                              {stats(keys)}")
    print(f"build a frame (FrameBuilder.build), idle:                           {stats(young[0])}")
    print(f"  with a fill since the previous frame:                             {stats(young[1])}")
    print(f"  idle, account with {len(bridge.session.exchange.fills):,} fills:                          {stats(aged[0])}")
    print(f"  with a fill, account with {len(bridge.session.exchange.fills):,} fills:                   {stats(aged[1])}")
    print(f"window shown, cold start (new process, store opened):              {startup_time() * 1000:.0f} ms")
    win.close()


def time_market_views(win) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Time every update and repaint of the order book's views from now on: the ladder (``book.ladder``), the tape
    (``trades.tape``) and the candles (``chart.candles``, fed after the charts, painted inside the price chart's
    repaint)."""
    mv = win.market_views
    out: dict[str, list[float]] = {k: [] for k in ("book.ladder update", "book.ladder paint", "trades.tape update",
                                                    "trades.tape paint", "chart.candles update", "chart.candles paint")}

    def wrap(obj, attr: str, key: str) -> None:  # type: ignore[no-untyped-def]
        f = getattr(obj, attr)

        def timed(*a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            r = f(*a, **k)
            out[key].append((time.perf_counter() - t) * 1000)
            return r
        setattr(obj, attr, timed)
        return timed

    wrap(mv.ladder, "update_frame", "book.ladder update")
    wrap(mv.ladder.view, "paintEvent", "book.ladder paint")
    wrap(mv.tape, "update_frame", "trades.tape update")
    wrap(mv.tape, "paintEvent", "trades.tape paint")
    wrap(mv.candles.item, "paint", "chart.candles paint")
    layer, frame = mv.candles, win.bridge.frame
    frame.disconnect(layer.update_frame)  # connected as a bound method: reconnect the timed one (still after the charts)
    frame.connect(wrap(layer, "update_frame", "chart.candles update"))
    return out


def frame_build(bridge, n: int = 200) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Time ``FrameBuilder.build`` alone (no Qt): idle (nothing new since the previous frame), then with one market
    fill booked before each build. A builder of its own, so the screen's frames are left alone."""
    from terminal.session.frame import ClockState, FrameBuilder

    session, symbol, ex = bridge.session, bridge.symbol, bridge.session.exchange
    builder = FrameBuilder()
    clock = ClockState(session.now_ms, "100x")
    builder.build(session, symbol, clock=clock)
    idle, fill = [], []
    for _ in range(n):
        t = time.perf_counter()
        builder.build(session, symbol, clock=clock)
        idle.append((time.perf_counter() - t) * 1000)
    side = "sell"
    for _ in range(n):
        ex.place_order({"symbol": symbol, "side": side, "qty": 100, "type": "market"})
        side = "buy" if side == "sell" else "sell"
        t = time.perf_counter()
        frame = builder.build(session, symbol, clock=clock, changed=True)
        fill.append((time.perf_counter() - t) * 1000)
        assert len(frame.fills) == 1
    ex.drain_events()
    return idle, fill


def fills_table(app, win, bridge) -> list[float]:  # type: ignore[no-untyped-def]
    """10,000 fills in the Fills tab (shown), then one more per frame: the cost of appending the frame's new fill
    (``beginInsertRows``) + the table's repaint."""
    from terminal.session.frame import ClockState

    ex = bridge.session.exchange
    side = "sell"
    while len(ex.fills) < 10_000:
        ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "market"})
        side = "buy" if side == "sell" else "sell"
    tables = win.tables
    tables.setCurrentWidget(tables.fills_view)
    bridge.publish()
    app.processEvents()
    assert tables.fills.rowCount() == len(ex.fills) >= 10_000
    out = []
    for _ in range(100):
        ex.place_order({"symbol": "XBTUSD", "side": side, "qty": 100, "type": "market"})
        side = "buy" if side == "sell" else "sell"
        frame = bridge.frames.build(bridge.session, bridge.symbol, clock=ClockState(bridge.now_ms, bridge.speed),
                                    changed=True)
        t = time.perf_counter()
        tables.update_frame(frame)
        app.processEvents()
        out.append((time.perf_counter() - t) * 1000)
    ex.drain_events()
    tables.setCurrentIndex(0)
    return out


if __name__ == "__main__":
    main()
