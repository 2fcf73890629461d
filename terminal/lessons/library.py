"""The lessons shipped in ``resources/lessons`` and finding a lesson by id or by file."""
from __future__ import annotations

from pathlib import Path

from terminal.domain.errors import InputError
from terminal.lessons.model import Lesson, load_lesson


def lessons_dir() -> Path:
    from resources import RESOURCES_DIR

    return Path(RESOURCES_DIR) / "lessons"


def shipped_lessons() -> list[Lesson]:
    """Every shipped lesson, in file-name order (the files are numbered in teaching order)."""
    return [load_lesson(p) for p in sorted(lessons_dir().glob("*.toml"))]


def find_lesson(name: str) -> Lesson:
    """A shipped lesson by id (or file name), else a lesson file at ``name``."""
    p = Path(name)
    if p.suffix == ".toml" or len(p.parts) > 1:
        return load_lesson(p)
    for f in sorted(lessons_dir().glob("*.toml")):
        lesson = load_lesson(f)
        if name in (lesson.id, f.stem, f.name):
            return lesson
    known = ", ".join(lesson.id for lesson in shipped_lessons())
    raise InputError(f"no lesson {name!r}: give a lesson file (.toml) or one of {known}")
