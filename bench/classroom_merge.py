"""Classroom merge time: thirty trainees' session files merged into the debrief board (target ≤ 2 s).

Prints the merge time beside a baseline from the same run: reading the thirty files alone (JSON parse).
    python bench/classroom_merge.py
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from terminal.app.board import write_board
from terminal.lessons.classroom import checksum, make_session_file, write_json
from terminal.lessons.library import find_lesson, lessons_dir
from terminal.lessons.player import load_steps, play_lesson

N = 30


def main() -> None:
    lesson = find_lesson("stop-loss-risk")
    text = next(lessons_dir().glob("*stop-loss-risk.toml")).read_text(encoding="utf-8")
    ex = lessons_dir() / "examples"
    bodies = []
    for kind in ("compliant", "reckless"):
        steps = load_steps(ex / f"stop-loss-risk.{kind}.toml", lesson)
        bodies.append(make_session_file(text, play_lesson(lesson, steps), steps, kind))
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i in range(N):
            body = dict(bodies[i % 2], trainee=f"trainee {i + 1:02d}")
            body["checksum"] = checksum(body)
            p = Path(d) / f"t{i:02d}.ltsession.json"
            write_json(p, body)
            paths.append(p)
        t0 = time.perf_counter()
        for p in paths:
            json.loads(p.read_text(encoding="utf-8"))
        read = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = write_board(paths, Path(d) / "board.html")
        merge = time.perf_counter() - t0
    print(f"classroom merge of {N} session files: {merge * 1000:.1f} ms (target ≤ 2000 ms); "
          f"baseline, reading the {N} files only: {read * 1000:.1f} ms; {summary['sessions']} ranked, "
          f"{len(summary['edited'])} edited")


if __name__ == "__main__":
    main()
