"""A lesson rewound after its end is played and judged again: the verdict and debrief of the first ending stayed
on the panel (a check failed there stayed failed after the trainee went back and did it right), while the
exported session file carried the new verdict."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QTextBrowser, QWidget


def _checks(verdict) -> dict[str, bool]:
    return {c["id"]: c["passed"] for c in verdict["checks"]}


def test_a_lesson_rewound_after_its_end_is_judged_again_at_the_end(window, tmp_path: Path):
    svc, b = window.lessons.service, window.bridge
    lesson = next(x for x in svc.lessons() if x.id == "leverage-amplifies")
    svc.start(lesson)
    b.jump_to(b.session.now_ms + 60_000)
    entry = b.session.now_ms
    assert b.orders.place({"symbol": b.symbol, "side": "buy", "qty": 10_000, "type": "market"}).accepted
    b.jump_to(lesson.start.end_ms + 10_000)
    assert _checks(svc.verdict)["closed"] is False  # the long was never closed
    svc.go_to(entry - 1_000)
    assert svc.verdict is None and svc.remaining_ms() > 0
    panel = window.findChild(QWidget, "lesson.panel")
    assert panel.findChild(QTextBrowser).isHidden()  # the first ending's debrief is gone
    assert b.orders.place({"symbol": b.symbol, "side": "buy", "qty": 10_000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 60_000)
    assert b.orders.close(b.symbol).accepted
    b.jump_to(lesson.start.end_ms + 10_000)
    assert svc.verdict is not None and _checks(svc.verdict)["closed"] is True
    body = svc.export_session(tmp_path / "s.ltsession.json", "ana")
    assert _checks(body["verdict"]) == _checks(svc.verdict)
