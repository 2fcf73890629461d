"""The headless lesson and classroom commands' work: ``lesson list``, ``lesson check``, ``classroom merge``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from terminal.lessons.library import find_lesson, shipped_lessons
from terminal.lessons.player import check_script


def lesson_list() -> list[dict[str, Any]]:
    """Every shipped lesson: id, title, its checks (id and label), what it teaches and its objective."""
    return [{"id": lesson.id, "title": lesson.title,
             "checks": [{"id": c.id, "kind": c.kind, "label": c.label} for c in lesson.checks],
             "idea": lesson.idea, "objective": lesson.objective,
             "symbols": lesson.symbols, "duration_s": lesson.start.duration_s}
            for lesson in shipped_lessons()]


def lesson_check(lesson: str, script: Path) -> dict[str, Any]:
    """The verdict of a trainee's script played inside ``lesson`` (a shipped id or a lesson file)."""
    return check_script(find_lesson(lesson), Path(script))


def _lesson_text(lesson: str) -> tuple[str, str]:
    """(TOML text, source name) of a shipped lesson id or a lesson file."""
    from terminal.domain.errors import InputError
    from terminal.lessons.library import lessons_dir

    p = Path(lesson)
    if p.suffix != ".toml" and len(p.parts) == 1:
        found = find_lesson(lesson)
        for f in sorted(lessons_dir().glob("*.toml")):
            if f.stem.endswith(found.id):
                p = f
                break
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except OSError as exc:
        raise InputError(f"cannot read the lesson: {exc.strerror}", path=str(p)) from None


def lesson_pack(lesson: str, out: Path, seed: int | None = None) -> dict[str, Any]:
    """Write a lesson pack (lesson + seed + settings, one file) for the room."""
    from terminal.lessons.classroom import make_pack, write_json

    text, source = _lesson_text(lesson)
    pack = make_pack(text, seed=seed, source=source)
    write_json(out, pack)
    return {"pack": str(out), "lesson": pack["lesson_id"], "seed": pack["seed"], "checksum": pack["checksum"]}


def lesson_session(source: str, script: Path, trainee: str, out: Path) -> dict[str, Any]:
    """Play a trainee's script inside a lesson (or a lesson pack) and write the sealed session file."""
    from terminal.lessons.classroom import load_pack, make_session_file, trainee_name, write_json
    from terminal.lessons.player import load_steps, play_lesson

    trainee = trainee_name(trainee)  # refused before the lesson is played
    pack_sum = None
    if source.endswith(".json"):
        lesson, pack = load_pack(Path(source))
        text = str(pack["lesson_toml"])
        pack_sum = str(pack["checksum"])
    else:
        text, name = _lesson_text(source)
        lesson = find_lesson(name)
    steps = load_steps(Path(script), lesson)
    body = make_session_file(text, play_lesson(lesson, steps), steps, trainee, pack_sum)
    write_json(out, body)
    return {"session": str(out), "lesson": lesson.id, "trainee": body["trainee"], "passed": body["verdict"]["passed"],
            "checksum": body["checksum"]}


def classroom_merge(files: list[Path], out: Path) -> dict[str, Any]:
    """Merge trainees' session files into the debrief board ``out`` (HTML)."""
    from terminal.app.board import write_board

    return write_board([Path(f) for f in files], Path(out))
