"""Script loading time against the number of steps (issue 15: 4,000 steps took 30 s, 1e6 never finished).

    python bench/script_load.py [--sizes 10000,100000,1000000]

Writes a script of N order steps to a temporary folder and times ``load_script`` (read, TOML, validation, time
order). Linear loading shows as a constant time per step across the sizes. Baseline (before the fix, the same
machine): 4,000 steps 30 s — every step's line was searched from the top of the text.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from terminal.session.script import load_script

STEP = '[[steps]]\nat_s = {t}\naction = "order"\nside = "{side}"\nqty = 100\ntype = "limit"\nprice = {px}\n'


def write_script(path: Path, n: int) -> None:
    head = f"seed = 1\nduration_s = {n + 10}\n[feed]\nkind = \"synthetic\"\nsymbol = \"XBTUSD\"\n"
    body = "".join(STEP.format(t=i, side="buy" if i % 2 else "sell", px=40000 + (i % 100) * 0.5) for i in range(n))
    path.write_text(head + body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'steps':>10} {'MB':>7} {'load s':>8} {'cpu s':>7} {'µs/step':>8}   (cpu: this process only; the wall"
              " time also counts other work on the machine)")
        for n in (int(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"s{n}.toml"
            write_script(path, n)
            t0, c0 = time.perf_counter(), time.process_time()
            script = load_script(path)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            assert len(script.steps) == n
            print(f"{n:>10,} {path.stat().st_size / 1e6:>7.1f} {dt:>8.2f} {cpu:>7.2f} {cpu / n * 1e6:>8.1f}", flush=True)
            del script


if __name__ == "__main__":
    main()
