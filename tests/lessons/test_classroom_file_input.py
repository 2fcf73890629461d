"""Files handed back by trainees (session files, lesson packs) and scripts are read as files, never as devices or
pipes: a symlink to /dev/zero or a FIFO named like a session file is refused in one line with exit 2 — it used to
hang ``classroom merge`` and ``lesson session`` forever — and a file that is not UTF-8 names its line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.lessons.classroom import SESSION_FORMAT, read_json

SCRIPT = RESOURCES_DIR / "lessons" / "examples" / "leverage-amplifies.compliant.toml"


def cli(*args: str, timeout: float = 60) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=timeout,
                       check=False)
    return p.returncode, p.stderr


def special(tmp_path: Path, kind: str, name: str) -> Path:
    p = tmp_path / name
    if kind == "dev-zero":
        p.symlink_to("/dev/zero")
    else:
        os.mkfifo(p)
    return p


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_merge_refuses_a_device_or_a_pipe(tmp_path: Path, kind: str) -> None:
    f = special(tmp_path, kind, "alice.ltsession.json")
    rc, err = cli("classroom", "merge", str(f), "--out", str(tmp_path / "board.html"))
    assert rc == 2 and err.count("\n") == 1 and str(f) in err and "regular file" in err, err
    assert not (tmp_path / "board.html").exists()


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_lesson_session_refuses_a_pack_that_is_a_device_or_a_pipe(tmp_path: Path, kind: str) -> None:
    f = special(tmp_path, kind, "room.ltpack.json")
    rc, err = cli("lesson", "session", str(f), "--script", str(SCRIPT), "--trainee", "x",
                  "--out", str(tmp_path / "s.ltsession.json"))
    assert rc == 2 and err.count("\n") == 1 and "regular file" in err, err


def test_run_refuses_a_script_that_is_a_pipe(tmp_path: Path) -> None:
    f = special(tmp_path, "fifo", "s.toml")
    rc, err = cli("run", str(f))
    assert rc == 2 and err.count("\n") == 1 and "regular file" in err, err


def test_a_session_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "a.ltsession.json"
    p.write_bytes(b'{\n "format": "x",\n "trainee": "Ren\xe9e"\n}\n')
    with pytest.raises(InputError) as info:
        read_json(p, SESSION_FORMAT)
    assert info.value.line == 3 and "UTF-8" in str(info.value)


def _session(tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.ltsession.json"
    rc, err = cli("lesson", "session", "leverage-amplifies", "--script", str(SCRIPT), "--trainee", name,
                  "--out", str(out))
    assert rc == 0, err
    return out


DAMAGE = {  # what a hand-edited or half-written session file can hold
    "nan-drawdown": lambda d: d["behaviour"].update(max_drawdown_pct=float("nan")),
    "inf-return": lambda d: d["behaviour"].update(return_pct=float("inf")),
    "behaviour-null": lambda d: d.update(behaviour=None),
    "behaviour-text": lambda d: d["behaviour"].update(checks_passed="four", checks_total="four"),
    "verdict-list": lambda d: d.update(verdict=[]),
    "equity-ragged": lambda d: d.update(equity=[["a", None], 5]),
    "checks-not-objects": lambda d: d["verdict"].update(checks=[1, 2]),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_session_file_is_one_line_not_a_crash(tmp_path: Path, damage: str) -> None:
    import json

    good = _session(tmp_path, "alice")
    bad = tmp_path / "bob.ltsession.json"
    data = json.loads(good.read_text(encoding="utf-8"))
    DAMAGE[damage](data)
    bad.write_text(json.dumps(data), encoding="utf-8")  # json writes NaN / Infinity, as Python's json reads them
    rc, err = cli("classroom", "merge", str(good), str(bad), "--out", str(tmp_path / "board.html"))
    assert rc == 2 and err.count("\n") == 1 and str(bad) in err and "this is a bug" not in err, err
    assert not (tmp_path / "board.html").exists()
