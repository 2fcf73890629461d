"""The lesson panel (``lesson.panel``): the lesson's objective and brief, a checklist that ticks as the session
plays, the time left, and at the end the debrief with the session's own numbers."""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.services.lessons import LessonService
from ui.style import theme

MARKS = {True: "✔", False: "✘", None: "○"}


class LessonPanel(QWidget):
    def __init__(self, service: LessonService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson.panel")
        self.service = service
        lay = QVBoxLayout(self)
        self.title = QLabel("No lesson. Training → Lessons starts one.")
        self.title.setObjectName("lesson.title")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 14px")
        self.objective = QLabel("")
        self.objective.setObjectName("lesson.objective")
        self.objective.setWordWrap(True)
        self.brief = QLabel("")
        self.brief.setObjectName("lesson.brief")
        self.brief.setWordWrap(True)
        self.remaining = QLabel("")
        self.remaining.setObjectName("lesson.remaining")
        self.checks = QListWidget()
        self.checks.setObjectName("lesson.checklist")
        self.checks.setMinimumHeight(150)
        self.checks.setWordWrap(True)
        self.debrief = QTextBrowser()
        self.debrief.setObjectName("lesson.debrief")
        self.debrief.setOpenExternalLinks(False)
        self.debrief.setMinimumHeight(260)
        self.debrief.hide()
        buttons = QHBoxLayout()
        self.finish = QPushButton("Finish now")
        self.finish.setObjectName("lesson.finish")
        self.finish.clicked.connect(self._finish)
        self.leave = QPushButton("Leave lesson")
        self.leave.setObjectName("lesson.leave")
        self.leave.clicked.connect(service.leave)
        buttons.addWidget(self.finish)
        buttons.addWidget(self.leave)
        for w in (self.title, self.objective, self.remaining, self.checks, self.brief, self.debrief):
            lay.addWidget(w)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self._rows: list[tuple[Any, ...]] = []
        service.lessonStarted.connect(lambda _l: self.show_lesson())
        service.lessonLeft.connect(self.show_lesson)
        service.lessonEnded.connect(self.show_debrief)
        service.changed.connect(self.refresh)
        self.show_lesson()

    def _finish(self) -> None:
        if self.service.in_lesson and self.service.verdict is None:
            self.service.finish()

    def show_lesson(self) -> None:
        lesson = self.service.lesson
        self.debrief.hide()
        self.debrief.clear()
        self.checks.clear()
        self._rows = []
        on = lesson is not None
        self.finish.setEnabled(on)
        self.leave.setEnabled(on)
        if lesson is None:
            self.title.setText("No lesson. Training → Lessons starts one.")
            self.objective.setText("")
            self.brief.setText("")
            self.remaining.setText("")
            return
        self.title.setText(lesson.title)
        self.objective.setText(f"<b>Objective:</b> {html.escape(lesson.objective)}")
        self.brief.setText(html.escape(lesson.brief))
        self.refresh()

    def refresh(self) -> None:
        if not self.service.in_lesson:
            return
        if self.service.verdict is None:  # a rewind took the lesson back before its end: no debrief yet
            self.debrief.hide()
        rows = self.service.checklist()
        if [r[:2] for r in rows] != [r[:2] for r in self._rows]:
            self.checks.clear()
            for _ in rows:
                self.checks.addItem(QListWidgetItem(""))
        if rows != self._rows:
            for i, (cid, label, passed, detail, settled) in enumerate(rows):
                item = self.checks.item(i)
                mark = MARKS[passed] if (settled or passed is not None) else MARKS[None]
                so_far = "" if settled or passed is None else " (so far)"
                item.setText(f"{mark} {label}{so_far}\n    {detail}")
                item.setData(Qt.ItemDataRole.UserRole, cid)
                state = "passed" if passed else "not yet" if passed is None else "failed"
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}: {state}")
                color = theme.LONG if passed else (theme.SHORT if passed is False else theme.MUTED)
                item.setForeground(_brush(color))
            self._rows = rows
        left = self.service.remaining_ms()
        if left is not None:
            m, s = divmod(left // 1000, 60)
            h, m = divmod(m, 60)
            self.remaining.setText(f"Time left: {h:d}:{m:02d}:{s:02d}" if self.service.verdict is None else "Finished.")

    def show_debrief(self, verdict: dict[str, Any]) -> None:
        self.refresh()
        d = verdict["debrief"]
        rows = "".join(f"<tr><td>{html.escape(x['what'])}</td><td align='right'><b>{html.escape(x['text'])}</b></td></tr>"
                       for x in d.get("shown", []))
        ok = sum(1 for c in verdict["checks"] if c["passed"])
        verdict_line = "Every check passed." if verdict["passed"] else f"{ok} of {len(verdict['checks'])} checks passed."
        self.debrief.setHtml(f"<h3>Debrief</h3><p><b>{verdict_line}</b></p><p>{html.escape(d.get('text', ''))}</p>"
                             f"<table width='100%'>{rows}</table><p><i>{html.escape(d.get('idea', ''))}</i></p>")
        self.debrief.show()


def _brush(color: str) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(color))
