"""`leverage-terminal lesson list / check / pack / session` and `classroom merge`, through the command line."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from terminal.lessons.library import lessons_dir
from ui.cli import main

EXAMPLES = lessons_dir() / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_lesson_list_gives_id_title_and_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lesson", "list")
    assert code == 0 and isinstance(out, list) and len(out) >= 8
    for lesson in out:
        assert {"id", "title", "checks"} <= set(lesson)
        assert lesson["checks"] and all("id" in c for c in lesson["checks"])


def test_lesson_check_prints_the_verdict_and_exits_0_even_when_failed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lesson", "check", "trading-at-1x", "--script",
                       str(EXAMPLES / "trading-at-1x.reckless.toml"))
    assert code == 0 and isinstance(out, dict)
    assert out["lesson"] == "trading-at-1x" and out["passed"] is False
    assert {"id", "passed", "detail"} <= set(out["checks"][0])
    assert isinstance(out["debrief"], dict) and out["debrief"]["text"]


@pytest.mark.parametrize("argv", [
    ("lesson", "check", "no-such-lesson", "--script", "x.toml"),
    ("lesson", "check", "trading-at-1x", "--script", "/nonexistent/s.toml"),
    ("lesson", "check", "trading-at-1x"),
    ("lesson",),
    ("classroom", "merge", "/nonexistent/a.json", "--out", "/tmp/lt-board-never.html"),
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses before the command runs
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "error" in err and "Traceback" not in err


def test_a_bad_script_names_its_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s = tmp_path / "s.toml"
    s.write_text('[[steps]]\nat_s = 60\naction = "order"\nside = "buy"\nqyt = 5\n')
    code, _, err = run(capsys, "lesson", "check", "trading-at-1x", "--script", str(s))
    assert code == 2 and re.search(r"s\.toml:5: unknown field 'qyt'", err), err


def _room(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> list[Path]:
    pack = tmp_path / "p.ltpack.json"
    assert run(capsys, "lesson", "pack", "stop-loss-risk", "--out", str(pack), "--seed", "7")[0] == 0
    files = []
    for name, kind in (("Bob", "reckless"), ("Ada", "compliant")):
        f = tmp_path / f"{name}.ltsession.json"
        code, _, err = run(capsys, "lesson", "session", str(pack), "--script",
                           str(EXAMPLES / f"stop-loss-risk.{kind}.toml"), "--trainee", name, "--out", str(f))
        assert code == 0, err
        files.append(f)
    return files


def test_board_ranks_behaviour_before_return_and_has_its_sections(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    files = _room(capsys, tmp_path)
    board = tmp_path / "board.html"
    code, out, _ = run(capsys, "classroom", "merge", *map(str, files), "--out", str(board))
    assert code == 0 and isinstance(out, dict)
    assert [r["trainee"] for r in out["ranking"]] == ["Ada", "Bob"]
    doc = board.read_text(encoding="utf-8")
    for section in ("lesson", "ranking", "checks", "equity", "debriefs", "integrity", "method"):
        assert f'<section id="{section}">' in doc
    assert doc.index("Ada") < doc.index("Bob")
    assert "4 / 4" in doc and "EDITED" not in doc


def test_a_session_file_given_twice_or_copied_counts_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The same file named twice, or a copy of it under another name, ranks one trainee's session once; the board
    and the summary say which files were left out."""
    bob, ada = _room(capsys, tmp_path)
    copy = tmp_path / "copy-of-ada.ltsession.json"
    copy.write_bytes(ada.read_bytes())
    board = tmp_path / "b.html"
    code, out, _ = run(capsys, "classroom", "merge", str(ada), str(bob), str(ada), str(copy), "--out", str(board))
    assert code == 0 and isinstance(out, dict)
    assert out["sessions"] == 2 and [r["trainee"] for r in out["ranking"]] == ["Ada", "Bob"]
    assert out["repeats"] == [str(ada), str(copy)]
    assert "2 file(s) given twice counted once" in board.read_text(encoding="utf-8")


def test_an_edited_session_file_is_detected_and_ranked_last(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    bob, ada = _room(capsys, tmp_path)
    data = json.loads(ada.read_text(encoding="utf-8"))
    data["behaviour"]["return_pct"] = 500.0  # a trainee improves the figures by hand
    ada.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "classroom", "merge", str(ada), str(bob), "--out", str(tmp_path / "b.html"))
    assert code == 0 and isinstance(out, dict)
    assert out["edited"] == [str(ada)]
    assert out["ranking"][-1]["trainee"] == "Ada"
    assert "EDITED" in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_a_session_file_replays_to_the_same_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from terminal.lessons.classroom import replay_session

    _, ada = _room(capsys, tmp_path)
    data = json.loads(ada.read_text(encoding="utf-8"))
    assert replay_session(ada) == data["verdict"]


def test_lesson_check_says_which_script_settings_the_lesson_replaced(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    """A trainee's script with its own seed and [feed] is played in the lesson's market: the verdict is the same as
    without them, and a note on stderr (one line; stdout stays JSON) says they were not used."""
    steps = (EXAMPLES / "stop-loss-risk.compliant.toml").read_text(encoding="utf-8")
    own = tmp_path / "own.toml"
    own.write_text('seed = 99\n[feed]\nkind = "scenario"\nname = "flash-crash"\nsymbol = "XBTUSD"\n'
                   + steps[steps.index("[[steps]]"):], encoding="utf-8")
    code_own, verdict_own, err_own = run(capsys, "lesson", "check", "stop-loss-risk", "--script", str(own))
    code_steps, verdict_steps, err_steps = run(capsys, "lesson", "check", "stop-loss-risk", "--script",
                                               str(EXAMPLES / "stop-loss-risk.compliant.toml"))
    assert code_own == code_steps == 0 and verdict_own == verdict_steps and err_steps == ""
    assert err_own.count("\n") == 1 and "seed, [feed] were not used" in err_own


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
def test_lesson_check_refuses_a_fifo_script_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "steps.toml"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "lesson", "check", "stop-loss-risk", "--script", str(fifo))
    assert code == 2 and "not a regular file" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["x" * 65, "Ada\x00Lovelace", "Bob\x1b[31m", "Bob\udcff",  # a lone surrogate
                                  "B\u200d" * 100, "Bob" + "\u200b" * 300, "a" + "\u0301" * 300])
def test_a_trainee_name_the_board_cannot_show_is_refused_before_anything_is_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    out = tmp_path / "s.ltsession.json"
    code, _, err = run(capsys, "lesson", "session", "stop-loss-risk", "--script",
                       str(EXAMPLES / "stop-loss-risk.compliant.toml"), "--trainee", name, "--out", str(out))
    assert code == 2 and "trainee's name" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("name", "stored"), [
    ("\u0639\u0644\u06cc\u200c\u0631\u0636\u0627", "\u0639\u0644\u06cc\u200c\u0631\u0636\u0627"),  # a Persian name with a ZWNJ
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467 team", "\U0001f468\u200d\U0001f469\u200d\U0001f467 team"),  # an emoji family
    ("e\u0301" * 40, "\u00e9" * 40),  # 40 accented letters typed as letter + accent: 40 characters, stored composed
])
def test_real_world_names_are_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
                                       stored: str) -> None:
    out = tmp_path / "s.ltsession.json"
    code, _, err = run(capsys, "lesson", "session", "stop-loss-risk", "--script",
                       str(EXAMPLES / "stop-loss-risk.compliant.toml"), "--trainee", name, "--out", str(out))
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["trainee"] == stored


@pytest.mark.parametrize("name", ["\u200b", "\u2060\u2060", "   "])
def test_a_name_with_nothing_visible_is_anonymous(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   name: str) -> None:
    out = tmp_path / "s.ltsession.json"
    code, _, err = run(capsys, "lesson", "session", "stop-loss-risk", "--script",
                       str(EXAMPLES / "stop-loss-risk.compliant.toml"), "--trainee", name, "--out", str(out))
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["trainee"] == "anonymous"


def test_a_right_to_left_override_in_a_name_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "lesson", "session", "stop-loss-risk", "--script",
                       str(EXAMPLES / "stop-loss-risk.compliant.toml"), "--trainee", "Bob\u202e", "--out",
                       str(tmp_path / "s.json"))
    assert code == 2 and "control characters" in err


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("argv", [("lesson", "pack", "stop-loss-risk"), ("classroom", "merge", "SESSION")])
def test_a_fifo_as_out_is_refused_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          argv: tuple[str, ...]) -> None:
    import os

    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    args = [str(_room(capsys, tmp_path)[0]) if a == "SESSION" else a for a in argv]
    code, _, err = run(capsys, *args, "--out", str(fifo))
    assert code == 2 and "pipe" in err and err.count("\n") == 1


def test_a_re_indented_copy_of_a_session_counts_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bob, ada = _room(capsys, tmp_path)
    pretty = tmp_path / "ada-pretty.ltsession.json"
    pretty.write_text(json.dumps(json.loads(ada.read_text(encoding="utf-8")), indent=4), encoding="utf-8")
    code, out, _ = run(capsys, "classroom", "merge", str(ada), str(bob), str(pretty), "--out", str(tmp_path / "b.html"))
    assert code == 0 and isinstance(out, dict)
    assert out["sessions"] == 2 and out["repeats"] == [str(pretty)]


def test_a_trainee_name_is_kept_tidy_on_the_board(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "s.ltsession.json"
    code, _, err = run(capsys, "lesson", "session", "stop-loss-risk", "--script",
                       str(EXAMPLES / "stop-loss-risk.compliant.toml"), "--trainee", "  Ada   Lovelace ", "--out",
                       str(out))
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["trainee"] == "Ada Lovelace"


def test_a_utf16_copy_is_refused_whichever_order_it_comes_in(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    _bob, ada = _room(capsys, tmp_path)
    wide = tmp_path / "ada-utf16.ltsession.json"
    wide.write_bytes(ada.read_text(encoding="utf-8").encode("utf-16"))
    for files in ((ada, wide), (wide, ada)):
        code, _, err = run(capsys, "classroom", "merge", *map(str, files), "--out", str(tmp_path / "b.html"))
        assert code == 2 and str(wide) in err, err
