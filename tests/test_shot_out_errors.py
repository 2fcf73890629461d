"""``shot --out`` somewhere it cannot write ends in one line and exit 2: the window was left open when saving failed
and Qt's teardown crashed the process (exit 139, a segmentation fault), and a parent that is a file printed a
Python traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def shot(out: str) -> tuple[int, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = subprocess.run([sys.executable, "-m", "ui.cli", "shot", "--size", "400x300", "--out", out], env=env,
                       capture_output=True, text=True, timeout=300, check=False)
    return p.returncode, p.stderr


@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_an_unwritable_out_is_one_line_and_exit_2(tmp_path: Path, where: str) -> None:
    if where == "proc":
        if not Path("/proc").is_dir():
            pytest.skip("no /proc")
        out = "/proc/leverage-terminal-shot.png"  # the kernel's folder: nobody creates files there
    else:
        (tmp_path / "a-file").write_text("x")
        out = str(tmp_path / "a-file" / "shot.png")
    rc, err = shot(out)
    assert rc == 2, (rc, err)
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err, err
