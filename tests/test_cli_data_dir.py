"""The command line and the data folder: where --data-dir goes, a missing account, read-only commands that never
write, and --out that never lands on an account (issue 15)."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from ui.cli import main

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
    assert main(["run", str(tmp_path / "s.toml"), "--data-dir", str(d)]) == 0
    capsys.readouterr()
    return d


def snapshot(d: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(d)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((d / "accounts").iterdir())
            if p.suffix != ".lock"}


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_is_honoured_before_or_after_the_sub_command(data: Path, capsys, where: str) -> None:  # type: ignore[no-untyped-def]
    args = ["--data-dir", str(data), "account"] if where == "before" else ["account", "--data-dir", str(data)]
    assert main(args) == 0
    acc = json.loads(capsys.readouterr().out)
    assert acc["account"] == "practice" and acc["positions"], acc  # the stored one, with the script's position


def test_after_wins_over_before(data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--data-dir", str(tmp_path / "elsewhere"), "account", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["positions"]


@pytest.mark.parametrize("args, says", [
    (["account", "--name", "typo"], "no account named 'typo'.*accounts there: practice"),
    (["report", "--out", "{tmp}/r.html", "--data-dir", "{tmp}/typo"], "no account named 'practice' in .*typo"),
    (["account", "--data-dir", "{tmp}/typo"], "no account named 'practice' in .*typo.*no accounts yet"),
])
def test_a_missing_account_is_said_not_shown_fresh(data: Path, tmp_path: Path, capsys, args: list[str], says: str) -> None:  # type: ignore[no-untyped-def]
    args = [a.format(tmp=tmp_path) for a in args]
    if "--data-dir" not in args:
        args += ["--data-dir", str(data)]
    assert main(args) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1
    import re

    assert re.search(says, out.err), out.err
    assert not (tmp_path / "typo").exists() and not (tmp_path / "r.html").exists()


def test_read_only_commands_never_write(data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(data)
    assert main(["--data-dir", str(data), "account"]) == 0
    assert main(["--data-dir", str(data), "report", "--out", str(tmp_path / "r.html")]) == 0
    assert snapshot(data) == before  # not a byte, not a timestamp, no -wal / -shm left behind
    capsys.readouterr()


def test_read_only_commands_read_an_older_schema_without_upgrading_it(data: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """An account file from the previous version is upgraded in memory for reading; the file stays as it was."""
    from terminal.store.schema import SCHEMA_VERSION

    path = data / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # what an older file says (tables as now)
    db.commit()
    db.close()
    before = snapshot(data)
    rc = main(["--data-dir", str(data), "account"])
    out = capsys.readouterr()
    assert snapshot(data) == before
    assert rc in (0, 2) and out.err.count("\n") <= 1  # read (or refused in one line), never upgraded in place


@pytest.mark.parametrize("target", ["accounts/practice.sqlite", "accounts/new.html", "accounts"])
def test_out_never_lands_in_the_accounts_folder(data: Path, capsys, target: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(data)
    for cmd in (["report", "--out", str(data / target)], ["shot", "--out", str(data / target)]):
        assert main(["--data-dir", str(data), *cmd]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ("refusing" in err or "folder" in err), err
    assert snapshot(data) == before
    assert not (data / "accounts" / "new.html").exists()


def test_out_never_overwrites_a_database_anywhere(data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "backup.sqlite"
    copy.write_bytes((data / "accounts" / "practice.sqlite").read_bytes())
    link = tmp_path / "report.html"
    os.symlink(data / "accounts" / "practice.sqlite", link)
    for out in (copy, link):
        assert main(["--data-dir", str(data), "report", "--out", str(out)]) == 2
        assert "refusing" in capsys.readouterr().err
    assert copy.read_bytes()[:16] == b"SQLite format 3\x00"
