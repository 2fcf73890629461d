"""The hostile corpus (tests/hostile/): every file through the real command line.

Each ``tests/hostile/*.toml`` is a session script that must be refused: ``leverage-terminal run FILE --data-dir D``
(and without ``--data-dir``) exits 2 with exactly ONE line on stderr that names the file at fault and its line or
field (the ``# expect:`` regex on the file's first line, or EXPECT below for files that cannot carry a comment),
no traceback, no warning — and the stored account in D is byte-identical afterwards. The data-folder cases
(a file, a read-only mount, wrongly shaped stored state, a zero-byte account) follow, with the same contract.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
GOOD_SCRIPT = """seed = 3
duration_s = 600
[feed]
kind = "synthetic"
symbol = "XBTUSD"
[[steps]]
at_s = 10
action = "order"
side = "buy"
qty = 1000
leverage = 10
[[steps]]
at_s = 20
action = "order"
side = "sell"
qty = 500
type = "limit"
price = 90000
"""
EXPECT = {"dev-zero.toml": r"dev-zero\.toml: not a regular file"}  # a symlink to /dev/zero: no room for a comment
# dev-zero.toml is made at test time (a committed symlink to /dev/zero hangs every grep and copy of the repository)
CORPUS = sorted({p.name for p in HOSTILE.glob("*.toml")} | set(EXPECT))


@pytest.fixture(scope="module", autouse=True)
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/hostile with the files that cannot live in git (a symlink to /dev/zero)."""
    d = tmp_path_factory.mktemp("hostile") / "hostile"
    shutil.copytree(HOSTILE, d)
    (d / "dev-zero.toml").symlink_to("/dev/zero")
    global HERE
    HERE = d
    return d


HERE = HOSTILE  # where the corpus is read from: the copy, once corpus_dir has made it


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **(env or {}))
    full_env.pop("LEVERAGE_TERMINAL_HOME", None)
    return subprocess.Popen([sys.executable, "-m", "ui.cli", *args], cwd=cwd or HERE, env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def assert_one_line_refusal(rc: int, err: str, pattern: str | None = None) -> None:
    assert rc == 2, (rc, err[-2000:])
    lines = err.splitlines()
    assert len(lines) == 1, err[-3000:]
    assert lines[0].startswith("leverage-terminal") and ": error: " in lines[0], lines[0]
    assert "Traceback" not in err and "Warning" not in err
    if pattern:
        assert re.search(pattern, lines[0]), (pattern, lines[0])


def account_bytes(data_dir: Path) -> dict[str, bytes]:
    """The stored accounts: every file of accounts/ but the lock files (which a command may create and flock),
    and active.txt (logs/ is the program's diary, not the account)."""
    files = [p for p in sorted((data_dir / "accounts").rglob("*")) if p.is_file() and p.suffix != ".lock"]
    files += [p for p in [data_dir / "active.txt"] if p.exists()]
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stored account with fills, a position and a resting order."""
    d = tmp_path_factory.mktemp("seeded")
    (d / "good.toml").write_text(GOOD_SCRIPT)
    rc, out, err = finish(cli("run", str(d / "good.toml"), "--data-dir", str(d / "data")))
    assert rc == 0, err
    assert json.loads(out)["fills"]
    return d / "data"


@pytest.fixture
def data_dir(seeded: Path, tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(seeded, d)
    return d


def test_the_corpus_covers_every_class_of_the_issue() -> None:
    names = set(CORPUS)
    for needed in ("nested-arrays.toml", "corrupt-gz.toml", "trade-size-1e23.toml", "start-year-9999.toml",
                   "bars-timestamp-1e17.toml", "scenario-huge-duration.toml", "dev-zero.toml",
                   "price-file-dev-zero.toml", "qty-string.toml", "qty-bool.toml", "at-s-bool.toml",
                   "feed-price-1e300.toml", "trade-price-1e308.toml", "bars-price-1e-300.toml",
                   "trade-size-negative.toml", "many-errors.toml"):
        assert needed in names


def expected(name: str) -> str:
    first = "" if name in EXPECT else (HERE / name).read_text().splitlines()[0]
    m = re.match(r"# expect: (.*)", first)
    return EXPECT.get(name) or (m.group(1) if m else "no # expect: line")


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_script_is_refused_in_one_line_and_changes_nothing(name: str, data_dir: Path, capsys,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = account_bytes(data_dir)
    stored = cli("run", name, "--data-dir", str(data_dir))  # the real command, in its own process
    from ui import cli as cli_mod

    monkeypatch.chdir(HERE)  # meanwhile: `run FILE` without a stored account, in this process
    rc = cli_mod.main(["run", name])
    assert_one_line_refusal(rc, capsys.readouterr().err, expected(name))
    rc, out, err = finish(stored)
    assert_one_line_refusal(rc, err, expected(name))
    assert out == ""
    assert account_bytes(data_dir) == before


@pytest.mark.parametrize("name", ["nested-tables.toml", "dev-zero.toml", "corrupt-gz.toml", "qty-bool.toml"])
def test_shot_refuses_hostile_scripts_too(name: str, data_dir: Path, tmp_path: Path) -> None:
    before = account_bytes(data_dir)
    rc, _, err = finish(cli("shot", "--script", name, "--out", str(tmp_path / "x.png"), "--data-dir", str(data_dir)))
    assert_one_line_refusal(rc, err, expected(name))
    assert account_bytes(data_dir) == before
    assert not (tmp_path / "x.png").exists()


def test_a_script_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Windows Notepad saves UTF-8 with a BOM; the script is the same script."""
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + GOOD_SCRIPT.encode())
    rc, out, err = finish(cli("run", str(tmp_path / "bom.toml")))
    assert rc == 0, err
    assert err == ""  # no warnings either
    assert json.loads(out)["fills"]


# ------------------------------------------------------------------ the data folder
def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "not-a-folder"
    f.write_text("hello")
    (tmp_path / "good.toml").write_text(GOOD_SCRIPT)
    procs = [cli("run", str(tmp_path / "good.toml"), "--data-dir", str(f)), cli("--data-dir", str(f), "account"),
             cli("report", "--out", str(tmp_path / "r.html"), "--data-dir", str(f)),
             cli("--data-dir", str(f))]  # the window, offscreen: refused before Qt starts
    for p in procs:
        rc, _, err = finish(p)
        assert_one_line_refusal(rc, err, "not-a-folder is a file, not a folder")
    assert f.read_text() == "hello"


def _mount_read_only(src: Path, target: Path) -> bool:
    target.mkdir()
    r = subprocess.run(["mount", "--bind", str(src), str(target)], capture_output=True, check=False)
    if r.returncode:
        return False
    if subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], capture_output=True, check=False).returncode:
        subprocess.run(["umount", str(target)], check=False)
        return False
    return True


def test_read_only_mount_reads_but_never_writes(data_dir: Path, tmp_path: Path) -> None:
    """On a read-only filesystem `account` and `report` work (read-only, no lock file, no WAL) and the
    commands that save say so in one line."""
    ro = tmp_path / "ro"
    if os.geteuid() != 0 or not _mount_read_only(data_dir, ro):
        pytest.skip("needs root and bind mounts to make a read-only filesystem")
    try:
        before = account_bytes(ro)
        rc, out, err = finish(cli("--data-dir", str(ro), "account"))
        assert rc == 0, err
        assert json.loads(out)["account"] == "practice"
        rc, _, err = finish(cli("--data-dir", str(ro), "report", "--out", str(tmp_path / "r.html")))
        assert rc == 0, err
        assert (tmp_path / "r.html").stat().st_size > 1000
        (tmp_path / "good.toml").write_text(GOOD_SCRIPT)
        rc, _, err = finish(cli("run", str(tmp_path / "good.toml"), "--data-dir", str(ro)))
        assert_one_line_refusal(rc, err, "read-only")
        rc, _, err = finish(cli("--data-dir", str(ro)))
        assert_one_line_refusal(rc, err, "read-only")
        assert account_bytes(ro) == before
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_unreadable_data_dir_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Root reads any folder, so the permission is taken away where the command asks for it."""
    from ui import cli as cli_mod

    d = tmp_path / "locked"
    d.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == d else real_access(p, mode, **k))
    assert cli_mod.main(["--data-dir", str(d), "account"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read the data folder" in err and str(d) in err


@pytest.mark.parametrize("state", ['[]', '{"wallets": 5}', '{"wallets": {"XBT": "lots"}}'])
def test_wrongly_shaped_stored_state_is_refused_as_damaged(data_dir: Path, tmp_path: Path, state: str) -> None:
    db = sqlite3.connect(data_dir / "accounts" / "practice.sqlite")
    db.execute("UPDATE state SET json = ? WHERE id = 1", (state,))
    db.commit()
    db.close()
    before = account_bytes(data_dir)
    (tmp_path / "good.toml").write_text(GOOD_SCRIPT)
    # one after the other: three processes opening one SQLite file at once may leave its (empty) -wal and -shm behind
    for args in (("--data-dir", str(data_dir), "account"), ("run", str(tmp_path / "good.toml"), "--data-dir", str(data_dir)),
                 ("--data-dir", str(data_dir), "report", "--out", str(tmp_path / "r.html"))):
        rc, _, err = finish(cli(*args))
        assert_one_line_refusal(rc, err, r"practice\.sqlite.*damaged")
    assert account_bytes(data_dir) == before


def test_zero_byte_account_file_stays_zero_bytes(tmp_path: Path) -> None:
    d = tmp_path / "data"
    (d / "accounts").mkdir(parents=True)
    (d / "accounts" / "practice.sqlite").write_bytes(b"")
    for args in (["account"], ["report", "--out", str(tmp_path / "r.html")]):
        rc, _, err = finish(cli("--data-dir", str(d), *args))
        assert_one_line_refusal(rc, err, r"practice\.sqlite.*(empty|damaged)")
        assert (d / "accounts" / "practice.sqlite").read_bytes() == b""
        assert not (d / "accounts" / "practice.sqlite-wal").exists()


def test_good_runs_say_nothing_on_stderr(tmp_path: Path) -> None:
    """No numpy warning ("All-NaN slice", "invalid value"), no Qt chatter: a liquidated position leaves NaN in the
    liquidation series, which the charts and the report must handle quietly."""
    demo = ROOT / "resources" / "scripts" / "flash-crash-demo.toml"
    procs = [cli("run", str(demo), "--data-dir", str(tmp_path / "d")),
             cli("shot", "--script", str(demo), "--out", str(tmp_path / "a.png"), "--size", "1280x720")]
    for p in procs:
        rc, _, err = finish(p, timeout=120)
        assert rc == 0 and err == "", err[-2000:]
    for p in (cli("shot", "--out", str(tmp_path / "b.png"), "--data-dir", str(tmp_path / "d")),
              cli("report", "--out", str(tmp_path / "r.html"), "--data-dir", str(tmp_path / "d"))):
        rc, _, err = finish(p, timeout=120)
        assert rc == 0 and err == "", err[-2000:]


def test_damaged_pages_are_one_line_not_sqlites_report(data_dir: Path, tmp_path: Path) -> None:
    """SQLite's integrity check reports several lines ("*** in database main ***" …): the user gets one."""
    path = data_dir / "accounts" / "practice.sqlite"
    raw = path.read_bytes()
    assert len(raw) >= 6 * 4096
    path.write_bytes(raw[:2 * 4096] + b"\xab" * 3 * 4096 + raw[5 * 4096:])
    before = account_bytes(data_dir)
    (tmp_path / "good.toml").write_text(GOOD_SCRIPT)
    for args in (("--data-dir", str(data_dir), "account"), ("run", str(tmp_path / "good.toml"), "--data-dir", str(data_dir))):
        rc, _, err = finish(cli(*args))  # one after the other, as above
        assert_one_line_refusal(rc, err, r"practice\.sqlite.*damaged")
    assert account_bytes(data_dir) == before
