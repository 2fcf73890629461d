"""The standalone bundle builds and works from another folder (packaging/build.sh + packaging/smoke.sh).

Slow (about two minutes): `pytest -m slow tests/test_packaging.py`. Never part of the default run.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the build scripts are bash")
def test_bundle_builds_is_trimmed_and_runs_from_another_folder(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHON=sys.executable, DIST=str(tmp_path / "dist"), WORK=str(tmp_path / "work"))
    build = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], env=env, capture_output=True, text=True,
                           check=False, timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    m = re.search(r"trim\.py: \d+ MB -> (\d+) MB", build.stdout)
    assert m, build.stdout[-2000:]
    if sys.platform.startswith("linux"):
        assert int(m.group(1)) <= 200, build.stdout  # the ceiling for the trimmed bundle
    bundle = tmp_path / "dist" / "leverage-terminal"
    smoke = subprocess.run(["bash", str(ROOT / "packaging" / "smoke.sh"), str(bundle)], capture_output=True,
                           text=True, check=False, timeout=300, cwd=tmp_path)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "smoke.sh: OK" in smoke.stdout
