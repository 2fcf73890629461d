"""Every command that writes a file (``report``, ``shot``, ``lesson pack``, ``lesson session``, ``classroom merge``)
refuses an --out that would destroy what the user has: an account database, the data folder's log, or one of the
command's own input files (a trainee's session file, the script, the lesson pack). The refusal is one line, exit 2,
and the file is byte for byte what it was."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from resources import RESOURCES_DIR
from ui.cli import main

EXAMPLES = RESOURCES_DIR / "lessons" / "examples"
LESSON = "leverage-amplifies"
SCRIPT = """seed = 2
duration_s = 300
[[steps]]
at_s = 5
action = "order"
side = "buy"
qty = 100
"""


@pytest.fixture
def data(tmp_path: Path, capsys) -> Path:  # type: ignore[no-untyped-def]
    (tmp_path / "s.toml").write_text(SCRIPT)
    d = tmp_path / "data"
    assert main(["run", str(tmp_path / "s.toml"), "--data-dir", str(d), "--verbose"]) == 0
    capsys.readouterr()
    assert (d / "logs" / "terminal.log").exists()
    return d


def refused(capsys, args: list[str], keep: Path) -> None:  # type: ignore[no-untyped-def]
    before = keep.read_bytes()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing" in err, err
    assert keep.read_bytes() == before


def session_file(tmp_path: Path, capsys, name: str, kind: str) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{name}.ltsession.json"
    assert main(["lesson", "session", LESSON, "--script", str(EXAMPLES / f"{LESSON}.{kind}.toml"),
                 "--trainee", name, "--out", str(out)]) == 0
    capsys.readouterr()
    return out


def test_an_account_database_is_never_a_lesson_pack_or_a_session_or_a_board(data: Path, tmp_path: Path,
                                                                             capsys) -> None:  # type: ignore[no-untyped-def]
    db = data / "accounts" / "practice.sqlite"
    a = session_file(tmp_path, capsys, "alice", "compliant")
    for args in (["lesson", "pack", LESSON, "--out", str(db)],
                 ["lesson", "session", LESSON, "--script", str(EXAMPLES / f"{LESSON}.compliant.toml"),
                  "--trainee", "x", "--out", str(db)],
                 ["classroom", "merge", str(a), "--out", str(db)]):
        refused(capsys, ["--data-dir", str(data), *args], db)
    copy = tmp_path / "backup.sqlite"  # a database outside any data folder is refused too
    copy.write_bytes(db.read_bytes())
    refused(capsys, ["lesson", "pack", LESSON, "--out", str(copy)], copy)


def test_the_board_never_overwrites_a_trainee_s_session_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a = session_file(tmp_path, capsys, "alice", "compliant")
    b = session_file(tmp_path, capsys, "bob", "reckless")
    refused(capsys, ["classroom", "merge", str(a), str(b), "--out", str(b)], b)
    link = tmp_path / "board.html"  # the same file under another name
    os.symlink(a, link)
    refused(capsys, ["classroom", "merge", str(a), str(b), "--out", str(link)], a)


def test_a_session_or_pack_never_overwrites_its_own_input(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "mine.toml"
    script.write_bytes((EXAMPLES / f"{LESSON}.compliant.toml").read_bytes())
    refused(capsys, ["lesson", "session", LESSON, "--script", str(script), "--trainee", "x", "--out", str(script)],
            script)
    pack = tmp_path / "room.ltpack.json"
    assert main(["lesson", "pack", LESSON, "--out", str(pack)]) == 0
    capsys.readouterr()
    refused(capsys, ["lesson", "session", str(pack), "--script", str(script), "--trainee", "x", "--out", str(pack)],
            pack)
    lesson = tmp_path / "my-lesson.toml"
    lesson.write_bytes((RESOURCES_DIR / "lessons" / "01-leverage-amplifies.toml").read_bytes())
    refused(capsys, ["lesson", "pack", str(lesson), "--out", str(lesson)], lesson)


def test_a_shot_never_overwrites_its_script(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "s.toml"
    script.write_text(SCRIPT)
    refused(capsys, ["shot", "--script", str(script), "--out", str(script)], script)


def test_report_and_shot_never_overwrite_the_log(data: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    log = data / "logs" / "terminal.log"
    for cmd in (["report", "--out", str(log)], ["shot", "--out", str(log)],
                ["report", "--out", str(data / "logs" / "new.html")]):
        refused(capsys, ["--data-dir", str(data), *cmd], log)
    assert sorted(p.name for p in (data / "logs").iterdir()) == ["terminal.log"]


def test_report_side_files_never_overwrite_a_database(data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``report --out r.html`` also writes ``r.ledger.csv`` and ``r.journal.csv`` beside it: those are checked too."""
    db = data / "accounts" / "practice.sqlite"
    for side in ("r.ledger.csv", "r.journal.csv"):
        link = tmp_path / side
        os.symlink(db, link)
        refused(capsys, ["--data-dir", str(data), "report", "--out", str(tmp_path / "r.html")], db)
        link.unlink()
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("seed", ["-1", "-99999999999999999999"])
def test_a_pack_no_trainee_could_open_is_never_written(tmp_path: Path, capsys, seed: str) -> None:  # type: ignore[no-untyped-def]
    """``lesson session`` refuses a pack whose seed is below 0; ``lesson pack`` refuses to write one."""
    out = tmp_path / "room.ltpack.json"
    assert main(["lesson", "pack", LESSON, "--out", str(out), f"--seed={seed}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "seed" in err, err
    assert not out.exists()
