"""Lessons in the window: Training → Lessons, the lesson panel and Journal docks, the rewind bar (back, go to,
what if…) and the classroom dialogs. :func:`install_lessons` adds them to a main window."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QFrame, QInputDialog, QMenu, QMessageBox, QScrollArea

from terminal.domain.errors import TerminalError
from terminal.lessons.model import Lesson
from ui.lessons.classroom_dialog import ClassroomDialog
from ui.lessons.journal import JournalPanel
from ui.lessons.panel import LessonPanel
from ui.lessons.rewind import RewindBar
from ui.services.lessons import LessonService

__all__ = ["LessonsUi", "install_lessons"]


class LessonsUi:
    def __init__(self, win: Any) -> None:
        self.win = win
        self.service = LessonService(win.bridge, parent=win)
        self.panel = LessonPanel(self.service)
        scroll = QScrollArea()  # a small screen scrolls the panel instead of growing the window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        scroll.setMinimumHeight(160)
        self.panel_dock = self._dock("dock.lesson", "Lesson", scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.panel_dock.setMinimumWidth(360)
        self.journal = JournalPanel(self.service)
        self.journal_dock = self._dock("dock.journal", "Journal", self.journal, Qt.DockWidgetArea.BottomDockWidgetArea)
        win.tabifyDockWidget(win.tables_dock, self.journal_dock)
        win.tables_dock.raise_()
        self.panel_dock.hide()
        self.rewind = RewindBar(self.service, win)
        win.addToolBar(self.rewind)
        self.classroom: ClassroomDialog | None = None
        self.actions: dict[str, QAction] = {}
        self._menu()
        self.service.lessonStarted.connect(self._show_panel)

    def _show_panel(self, _lesson: object) -> None:
        self.panel_dock.show()
        self.panel_dock.raise_()

    def _dock(self, name: str, title: str, widget: Any, area: Qt.DockWidgetArea) -> QDockWidget:
        d = QDockWidget(title, self.win)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.win.addDockWidget(area, d)
        return d

    def _add(self, menu: QMenu, name: str, text: str, slot: Any) -> QAction:
        a = QAction(text, self.win)
        a.setObjectName(name)
        a.triggered.connect(slot)
        menu.addAction(a)
        self.actions[name] = a
        return a

    def _menu(self) -> None:
        training = next((a.menu() for a in self.win.menuBar().actions()
                         if a.menu() is not None and a.text().replace("&", "") == "Training"), None)
        if training is None:
            training = self.win.menuBar().addMenu("&Training")
        menu = training.addMenu("Lessons")
        menu.setObjectName("menu.lessons")
        for lesson in self.service.lessons():
            self._add(menu, f"lesson.start.{lesson.id}", lesson.title, lambda _=False, x=lesson: self.start(x))
        menu.addSeparator()
        self._add(menu, "lesson.openPack", "Open a lesson pack…", self.open_pack)
        self._add(menu, "lesson.exportPack", "Export a lesson pack…", self.export_pack)
        self._add(menu, "lesson.exportSession", "Export my session file…", self.export_session)
        self._add(menu, "lesson.leave", "Leave the lesson", self.service.leave)
        menu.addSeparator()
        self._add(menu, "classroom.board", "Classroom debrief board…", self.open_classroom)
        view = next((a.menu() for a in self.win.menuBar().actions()
                     if a.menu() is not None and a.text().replace("&", "") == "View"), None)
        if view is not None:
            view.addAction(self.panel_dock.toggleViewAction())
            view.addAction(self.journal_dock.toggleViewAction())

    # ---------------------------------------------------------------- actions
    def start(self, lesson: Lesson) -> None:
        self.service.start(lesson)
        self.win.form.say(f"Lesson: {lesson.title}. {lesson.objective}", "ok")

    def _say_error(self, exc: Exception) -> None:
        self.win.form.say(str(exc), "reject")
        if not _offscreen():
            QMessageBox.warning(self.win, "Lesson", str(exc))

    def open_pack(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self.win, "Open a lesson pack", "", "Lesson packs (*.json)")
            if not name:
                return
            path = Path(name)
        try:
            lesson = self.service.open_pack(path)
        except TerminalError as exc:
            self._say_error(exc)
            return
        self.win.form.say(f"Lesson pack: {lesson.title}.", "ok")

    def export_pack(self, path: Path | None = None) -> None:
        lesson = self.service.lesson
        if lesson is None:
            lessons = self.service.lessons()
            titles = [x.title for x in lessons]
            title, ok = QInputDialog.getItem(self.win, "Export a lesson pack", "Lesson", titles, 0, False)
            if not ok:
                return
            lesson = lessons[titles.index(title)]
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self.win, "Export a lesson pack", f"{lesson.id}.ltpack.json",
                                                  "Lesson packs (*.json)")
            if not name:
                return
            path = Path(name)
        try:
            self.service.export_pack(lesson, path)
        except (TerminalError, OSError) as exc:
            self._say_error(exc)
            return
        self.win.form.say(f"Lesson pack written: {path}", "ok")

    def export_session(self, path: Path | None = None, trainee: str | None = None) -> None:
        if not self.service.in_lesson:
            self._say_error(TerminalError("No lesson is being played: start one from Training → Lessons."))
            return
        if trainee is None:
            trainee, ok = QInputDialog.getText(self.win, "Export my session file", "Your name on the board")
            if not ok:
                return
        try:
            trainee = self.service.trainee_name(trainee)
        except TerminalError as exc:
            self._say_error(exc)
            return
        if path is None:
            stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", trainee)[:64] if trainee != "anonymous" else "session"
            name, _ = QFileDialog.getSaveFileName(self.win, "Export my session file", f"{stem}.ltsession.json",
                                                  "Session files (*.json)")
            if not name:
                return
            path = Path(name)
        try:
            self.service.export_session(path, trainee)
        except (TerminalError, OSError) as exc:
            self._say_error(exc)
            return
        self.win.form.say(f"Session file written: {path}", "ok")

    def open_classroom(self) -> ClassroomDialog:
        if self.classroom is None:
            self.classroom = ClassroomDialog(self.win)
        self.classroom.show()
        return self.classroom


def _offscreen() -> bool:
    from ui.services.sessions import offscreen

    return offscreen()


def install_lessons(win: Any) -> LessonsUi:
    return LessonsUi(win)
