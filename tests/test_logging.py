"""The application log: DATA_DIR/logs/terminal.log (rotating), and stderr at DEBUG with --verbose."""
from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from terminal.app import logs
from terminal.app.logs import configure_logging, log_path, shutdown_logging
from ui.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: a market buy of 5 contracts, which XBTUSD's lot of 100 refuses
REFUSED = """seed = 7
start = "2024-03-01T00:00:00Z"
duration_s = 120
[feed]
kind = "synthetic"
symbol = "XBTUSD"
price = 50000
[[steps]]
at_s = 10
action = "order"
side = "buy"
qty = 5
type = "market"
"""
CALC = ["calc", "--symbol", "XBTUSD", "--side", "buy", "--qty", "10000", "--entry", "50000", "--leverage", "10"]


@pytest.fixture(autouse=True)
def _no_handlers_left():
    yield
    shutdown_logging()


def _ours() -> list[logging.Handler]:
    return [h for name in logs.PACKAGES for h in logging.getLogger(name).handlers if h in logs._installed]


def test_the_file_gets_info_not_debug_and_its_folder_appears_only_with_the_first_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = configure_logging(data)
    assert path == data / "logs" / "terminal.log"
    logging.getLogger("terminal.anything").debug("too detailed")
    assert not data.exists()  # nothing worth keeping yet: the data folder is untouched
    logging.getLogger("terminal.anything").info("account opened")
    logging.getLogger("ui.anything").warning("a window problem")
    logging.getLogger("someone.else").warning("not ours")
    shutdown_logging()
    text = path.read_text(encoding="utf-8")
    assert "account opened" in text and "a window problem" in text
    assert "too detailed" not in text and "not ours" not in text


def test_verbose_logs_debug_to_stderr_and_file(tmp_path: Path) -> None:
    err = io.StringIO()
    path = configure_logging(tmp_path, verbose=True, stderr=err)
    logging.getLogger("terminal.x").debug("detail %d", 42)
    shutdown_logging()
    assert err.getvalue() == "DEBUG terminal.x: detail 42\n"
    assert "detail 42" in path.read_text(encoding="utf-8")


def test_set_up_twice_replaces_the_handlers_and_shutdown_removes_them(tmp_path: Path) -> None:
    configure_logging(tmp_path / "a", verbose=True, stderr=io.StringIO())
    configure_logging(tmp_path / "b")
    assert len(_ours()) == len(logs.PACKAGES)  # one file handler on each package logger, nothing from the first
    logging.getLogger("terminal").info("to b")
    shutdown_logging()
    assert not _ours() and logging.getLogger("terminal").level == logging.NOTSET
    assert not (tmp_path / "a").exists() and "to b" in log_path(tmp_path / "b").read_text(encoding="utf-8")


def test_the_file_rotates_and_keeps_a_bounded_number_of_old_files(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = configure_logging(tmp_path)
    log = logging.getLogger("terminal.rotation")
    for i in range(500):  # ~40 kB of records through a 2 kB file
        log.info("record %04d %s", i, "x" * 20)
    shutdown_logging()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["terminal.log", *(f"terminal.log.{n}" for n in range(1, logs.BACKUPS + 1))]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "record 0499" in path.read_text(encoding="utf-8")


def test_run_into_a_data_dir_logs_the_account_and_rejections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.toml"
    script.write_text(REFUSED, encoding="utf-8")
    data = tmp_path / "data"
    assert main(["run", str(script), "--data-dir", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rejections"], "the script should have an order the exchange refuses"
    text = log_path(data).read_text(encoding="utf-8")
    assert "opened account 'practice'" in text and "closed account 'practice'" in text
    assert "rejected order XBTUSD" in text
    assert "DEBUG" not in text
    assert not _ours()  # the command closed its log


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_flag_before_or_after_the_command(where: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--verbose", *CALC] if where == "before" else [*CALC, "--verbose"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout stays the JSON document
    assert "DEBUG ui.cli: leverage-terminal " in err and ": calc" in err


def test_verbose_flag_after_a_nested_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "list", "--verbose"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert ": lesson, data dir" in err


def test_quiet_commands_write_nothing_to_stderr_and_read_only_ones_create_no_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(CALC) == 0
    assert capsys.readouterr().err == ""
    assert main(["account", "--data-dir", str(tmp_path / "none"), "--verbose"]) == 2
    assert not (tmp_path / "none").exists()


def test_store_errors_reach_the_log_but_never_stderr_without_a_log(tmp_path: Path) -> None:
    from terminal.store.schema import StoreError

    code = "from terminal.store.schema import StoreError; StoreError('disk full', kind='full')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stderr == ""  # a library records nothing on stderr by itself
    path = configure_logging(tmp_path)
    StoreError("The disk is full", kind="full")
    shutdown_logging()
    assert "WARNING terminal.store.schema: store error (full): The disk is full" in path.read_text(encoding="utf-8")
