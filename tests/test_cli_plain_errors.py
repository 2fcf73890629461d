"""Errors a user can cause with a path or a name, in one line that says what to do — never the account's words for
a report's problem, never the current folder taken for a data folder, names in any language but not device names."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from terminal.store.accounts import check_name
from terminal.store.schema import StoreError
from ui.cli import main

SCRIPT = """seed = 2
duration_s = 120
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


def one_line_error(capsys) -> str:  # type: ignore[no-untyped-def]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_report_that_cannot_be_written_names_the_file_not_the_account(data: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    account = data / "accounts" / "practice.sqlite"
    before = account.read_bytes()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["--data-dir", str(data), "report", "--out", str(blocker / "r.html")]) == 2
    err = one_line_error(capsys)
    assert "account" not in err and str(blocker) in err and "--out" in err, err
    if os.geteuid() != 0:  # root writes anywhere: the permission case only means something for a user
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert main(["--data-dir", str(data), "report", "--out", str(locked / "r.html")]) == 2
        err = one_line_error(capsys)
        assert "account" not in err and "not writable" in err, err
    assert account.read_bytes() == before


@pytest.mark.parametrize("args", [["account", "--data-dir", ""], ["--data-dir", " ", "account"],
                                  ["report", "--data-dir", "", "--out", "r.html"]])
def test_an_empty_data_dir_is_refused_not_taken_for_the_current_folder(tmp_path: Path, monkeypatch, capsys, args) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:  # argparse's way out; the console script turns it into exit 2
        main(args)
    assert e.value.code == 2
    assert "--data-dir" in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["práctica", "Übung 1", "练习", "trader_2", "ñ"])
def test_account_names_in_any_language_are_accepted(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["CON", "nul", "Com1", "lpt9.old", "aux.txt"])
def test_names_windows_keeps_for_devices_are_refused_in_words(name: str) -> None:
    with pytest.raises(StoreError, match="Windows reserves"):
        check_name(name)


@pytest.mark.parametrize("name", ["", "_x", "..", "a/b", "a\\b", "a\x00b", "-x", "x" * 65, " x"])
def test_names_that_are_not_a_plain_file_name_are_refused(name: str) -> None:
    with pytest.raises(StoreError, match="not a valid account name"):
        check_name(name)
