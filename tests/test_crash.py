"""Kill a trading process with SIGKILL at random moments, many times: each reopen loads, the ledger sums to the
wallets, and every fill the process reported (after its record() committed) is in the store."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from terminal.store.account_store import AccountStore

ROOT = Path(__file__).resolve().parents[1]
KILLS = 20

CHILD = r"""
import sys
from terminal.store.account_store import AccountStore
store = AccountStore.open(sys.argv[1])
s = store.load_session()
s.ensure_feed("XBTUSD")
s.ensure_feed("ETHUSDT")
ex = s.exchange
done = len(ex.fills)
print("READY", done, flush=True)
frame = s.ticks
while True:
    frame += 1
    s.advance(s.now_ms + 1_000, max_ticks=20, primary="XBTUSD")
    sym = "XBTUSD" if frame % 2 else "ETHUSDT"
    inst = ex.catalog[sym]
    pos = ex.positions.get(sym)
    if pos is not None and abs(pos.qty) > 40 * inst.lot_size:
        ex.close_position(sym)
    else:
        side = "buy" if frame % 3 else "sell"
        ex.place_order({"symbol": sym, "side": side, "qty": inst.lot_size * (1 + frame % 7)})
        last = ex.markets[sym].last
        ex.place_order({"symbol": sym, "side": side, "qty": inst.lot_size, "type": "limit",
                        "price": inst.round_price(last - inst.tick_size if side == "buy" else last + inst.tick_size)})
    if frame % 50 == 0:
        ex.cancel_all()
    store.record(s, ex.drain_events())
    if len(ex.fills) > done:
        print(" ".join(str(f.fill_id) for f in ex.fills[done:]), flush=True)
        done = len(ex.fills)
"""


def check_store(data_dir: Path) -> set[int]:
    with AccountStore.open(data_dir) as store:
        s = store.load_session()
        ex = s.exchange
        for cur, w in ex.wallets.items():
            assert sum(r.amount_minor for r in ex.ledger if r.currency == cur) == w.balance
            assert w.balance >= 0
        ids = [f.fill_id for f in ex.fills]
        assert ids == list(range(1, len(ids) + 1)), "fills are contiguous"
        assert ex.next_fill_id == len(ids) + 1
        return set(ids)


def test_sigkill_many_times(tmp_path: Path) -> None:
    rng = random.Random(20240301)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    reported: set[int] = set()
    kills = 0
    t0 = time.monotonic()
    for _ in range(KILLS):
        p = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert p.stdout is not None
        line = p.stdout.readline()
        assert line.startswith("READY"), p.stderr.read() if p.stderr else line
        time.sleep(rng.uniform(0.02, 0.5))
        p.send_signal(signal.SIGKILL)
        out, err = p.communicate(timeout=10)
        assert p.returncode == -signal.SIGKILL, err
        kills += 1
        for ln in out.splitlines():
            reported.update(int(x) for x in ln.split())
        stored = check_store(tmp_path)
        missing = reported - stored
        assert not missing, f"fills reported before the kill but not stored: {sorted(missing)[:10]}"
    print(f"\n{kills} SIGKILLs, {len(reported)} fills reported and found, {time.monotonic() - t0:.1f} s")
    assert kills == KILLS and len(reported) > 50
