"""Does an account's age cost anything? Launch time, symbol-switch time and peak memory for accounts of 1, 7 and 30
simulated days beside a fresh account, and the peak memory of ``run --data-dir`` that builds each of them.

For each age an account is built by ``leverage-terminal run --data-dir`` of a script of that length (synthetic
XBTUSD, a position opened and closed every few hours), then opened in a fresh process (``--gui``: with the real main
window, offscreen) that measures:

* launch — ``AccountStore.open`` + ``load_session`` + the session made ready to draw (the symbol's feed primed and
  one frame advanced), or the main window built on it when ``--gui``; a fresh account also gets the half hour of
  market a new terminal opens on (``ui.app.warm_up``), as a user sees it. Module imports are not counted;
* switch — switching the traded symbol to ETHUSDT (its feed made and caught up, one frame advanced), then to XRPUSDT;
* RSS — the peak resident memory of that process (``resource.getrusage``); ``run`` — the peak of the ``run`` process.

Targets (issue 10): every aged figure within 1.5x of the fresh one; ``run --data-dir`` of 30 days under 200 MB.

    PYTHONPATH=. python bench/long_session.py [--days 1 7 30] [--gui]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """seed = 7
start = "2024-03-01T00:00:00Z"
duration_s = {seconds}
[account]
XBT = 1.0
[feed]
kind = "synthetic"
symbol = "XBTUSD"
{steps}"""

STEP = """[[steps]]
at_s = {at}
action = "order"
side = "{side}"
qty = 1000
type = "market"
"""

PROBE = r"""
import json, resource, sys, time
from pathlib import Path
data_dir, gui = Path(sys.argv[1]), sys.argv[2] == "1"
import numpy.random  # imports are not the account's cost: done before the clock starts
from terminal.store.account_store import AccountStore
from terminal.store.accounts import db_path, active_account
WARM_UP_MS = 30 * 60_000  # a new account opens on half an hour of market (ui.app.warm_up)
fresh = not db_path(data_dir, active_account(data_dir)).exists()
if gui:
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from ui.window.main_window import MainWindow
t0 = time.perf_counter()
if gui:
    store = AccountStore.open(data_dir)
    session = store.load_session()
    win = MainWindow(session, store=store)
    bridge = win.bridge
    if fresh:
        bridge.warm_up(WARM_UP_MS)
    app.processEvents()
    def switch(sym):
        bridge.set_symbol(sym)
        bridge.tick(0.016)
        app.processEvents()
else:
    store = AccountStore.open(data_dir)
    session = store.load_session()
    session.ensure_feed("XBTUSD")
    session.advance(session.now_ms + (WARM_UP_MS if fresh else 17), primary="XBTUSD")
    store.record(session, session.exchange.drain_events())
    def switch(sym):
        session.ensure_feed(sym)
        session.advance(session.now_ms + 17, primary=sym)
        store.record(session, session.exchange.drain_events())
launch = time.perf_counter() - t0
t1 = time.perf_counter()
switch("ETHUSDT")
switch_s = time.perf_counter() - t1
t2 = time.perf_counter()
switch("XRPUSDT")
switch2_s = time.perf_counter() - t2
store.close()
print(json.dumps({"launch": launch, "switch": switch_s, "switch2": switch2_s,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def script_text(days: float) -> str:
    seconds = int(days * 86400)
    steps = "".join(STEP.format(at=at, side="buy" if k % 2 == 0 else "sell")
                    for k, at in enumerate(range(600, seconds, 4 * 3600)))
    return SCRIPT.format(seconds=seconds, steps=steps)


def child(args: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """(stdout, wall seconds, peak RSS MB) of a child process (its own rusage, from wait4)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"{args[:3]} failed: {err.decode()[-2000:]}")
    return out.decode(), wall, 0.0


def peak_rss_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of ``args``, measured with os.wait4 on that one child."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"{' '.join(args[:4])} failed: {p.stderr.read().decode()[-2000:] if p.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def probe(data_dir: Path, gui: bool, env: dict[str, str], repeat: int) -> dict[str, float]:
    """Best of ``repeat`` fresh processes for each figure (a shared machine's noise only ever adds time); a fresh
    account is probed on a copy each time, so every probe sees it as it was built."""
    runs = []
    for k in range(repeat):
        target = data_dir.with_name(f"{data_dir.name}-probe{k}")  # a copy: each probe opens the account as built
        if data_dir.exists():
            shutil.copytree(data_dir, target)
        out, _, _ = child([sys.executable, "-c", PROBE, str(target), "1" if gui else "0"], env)
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {key: min(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, nargs="+", default=[1, 7, 30])
    ap.add_argument("--gui", action="store_true", help="open the real main window (offscreen)")
    ap.add_argument("--repeat", type=int, default=3, help="probes per account (best of)")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               QT_QPA_PLATFORM="offscreen")
    exe = [sys.executable, "-c", "from ui.cli import main; raise SystemExit(main())"]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        fresh = probe(Path(d) / "fresh", args.gui, env, args.repeat)
        rows.append(("fresh", fresh, None, None))
        for days in args.days:
            data = Path(d) / f"d{days:g}"
            script = Path(d) / f"d{days:g}.toml"
            script.write_text(script_text(days))
            wall, rss = peak_rss_run([*exe, "run", "--data-dir", str(data), str(script)], env)
            rows.append((f"{days:g} d", probe(data, args.gui, env, args.repeat), wall, rss))
    print(f"account age vs fresh ({'main window, offscreen' if args.gui else 'store + session, no window'}; "
          f"best of {args.repeat} processes); ratio = aged / fresh, target <= 1.5")
    print(f"  {'account':<8}{'launch s':>10}{'switch s':>10}{'switch2 s':>10}{'RSS MB':>9}{'ratios L/S/R':>20}"
          f"{'run s':>8}{'run RSS MB':>12}")
    for name, r, wall, rss in rows:
        ratio = "" if name == "fresh" else (f"{r['launch'] / fresh['launch']:.2f}/"
                                           f"{r['switch'] / fresh['switch']:.2f}/{r['rss_mb'] / fresh['rss_mb']:.2f}")
        run = "" if wall is None else f"{wall:8.1f}{rss:12.0f}"
        print(f"  {name:<8}{r['launch']:>10.3f}{r['switch']:>10.3f}{r['switch2']:>10.3f}{r['rss_mb']:>9.0f}"
              f"{ratio:>20}{run}")
    print("  before (issue 10): 30-day run --data-dir peak 2 GB; symbol switch 9-11 s; reopening a 13-day 4-symbol "
          "account 27 s")


if __name__ == "__main__":
    main()
