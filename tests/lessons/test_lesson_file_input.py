"""A trainer's lesson file fails like a script does: one line naming the file and the line, exit 2 — an unknown
scenario or symbol and a start price the instrument cannot trade at included — and a file saved by Windows Notepad
(a byte-order mark, CRLF line ends) plays like the original."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.lessons.model import load_lesson
from ui.cli import main

LESSON = RESOURCES_DIR / "lessons" / "01-leverage-amplifies.toml"
SCRIPT = RESOURCES_DIR / "lessons" / "examples" / "leverage-amplifies.compliant.toml"


def line_of(text: str, start: str) -> int:
    return next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith(start))


@pytest.mark.parametrize("old,new,key", [
    ('name = "short-squeeze"', 'name = "short-sqeeze"', "name"),
    ("price = 50000", "price = 1e300", "price"),
    ("price = 50000", "price = 0.001", "price"),
    ('symbol = "XBTUSD"', 'symbol = "XBTUSDX"', "symbol"),
])
def test_a_bad_start_feed_names_the_file_and_line(tmp_path: Path, capsys, old: str, new: str, key: str) -> None:  # type: ignore[no-untyped-def]
    text = LESSON.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new)
    p = tmp_path / "mine.toml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_lesson(p)
    assert info.value.path == str(p) and info.value.line == line_of(bad, new), str(info.value)
    assert f"{key} in [start.feed]" in str(info.value)
    assert main(["lesson", "check", str(p), "--script", str(SCRIPT)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{p}:{line_of(bad, new)}:" in err, err


def test_a_notepad_lesson_plays_like_the_original(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "leverage-amplifies.toml"
    p.write_bytes(b"\xef\xbb\xbf" + LESSON.read_bytes().replace(b"\n", b"\r\n"))
    verdicts = []
    for lesson in (LESSON, p):
        assert main(["lesson", "check", str(lesson), "--script", str(SCRIPT)]) == 0
        verdicts.append(json.loads(capsys.readouterr().out))
    assert verdicts[0] == verdicts[1] and verdicts[0]["passed"]


def test_a_lesson_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    text = LESSON.read_bytes()
    p = tmp_path / "mine.toml"
    p.write_bytes(text.replace(b"Leverage amplifies", b"Lev\xe9rage amplifies", 1))
    with pytest.raises(InputError) as info:
        load_lesson(p)
    assert info.value.line == 2 and "UTF-8" in str(info.value)


def test_a_lesson_that_is_a_device_is_refused_not_read_forever(tmp_path: Path) -> None:
    p = tmp_path / "zero.toml"
    p.symlink_to("/dev/zero")
    with pytest.raises(InputError) as info:
        load_lesson(p)
    assert "regular file" in str(info.value)
