"""`leverage-terminal --version`: the installed package's version, one line, exit 0."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from terminal.app import version as version_mod
from ui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version_flag_prints_the_package_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out == f"leverage-terminal {metadata.version('leverage-terminal')}\n"
    assert re.fullmatch(r"leverage-terminal \d+\.\d+\.\d+\n", out)


def test_version_flag_from_the_console_script_entry() -> None:
    r = subprocess.run([sys.executable, "-m", "ui.cli", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("leverage-terminal ") and r.stderr == ""


def test_without_metadata_the_version_comes_from_pyproject_then_a_marker(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version_mod.metadata, "version", missing)
    with (ROOT / "pyproject.toml").open("rb") as fh:
        declared = tomllib.load(fh)["project"]["version"]
    assert version_mod.package_version() == declared  # a source checkout that was never installed
    monkeypatch.setattr(version_mod, "__file__", str(tmp_path / "terminal" / "app" / "version.py"))
    assert version_mod.package_version() == "0+unknown"  # e.g. a bundle built without the metadata
