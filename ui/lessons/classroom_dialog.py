"""The classroom merge dialog: pick the room's session files, write the debrief board (behaviour before return)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.errors import TerminalError
from ui.services.lessons import merge_board


class ClassroomDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("classroom.dialog")
        self.setWindowTitle("Classroom: debrief board")
        self.files = QListWidget()
        self.files.setObjectName("classroom.files")
        add = QPushButton("Add session files…")
        add.setObjectName("classroom.add")
        add.clicked.connect(self._add)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.files.clear)
        self.out = QLineEdit(str(Path.home() / "board.html"))
        self.out.setObjectName("classroom.out")
        self.merge_button = QPushButton("Build the board")
        self.merge_button.setObjectName("classroom.merge")
        self.merge_button.clicked.connect(self.merge)
        self.status = QLabel("Each trainee exports a session file (Training → Lessons → Export my session file…).")
        self.status.setObjectName("classroom.result")
        self.status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.files)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(clear)
        lay.addLayout(row)
        lay.addWidget(QLabel("Board (HTML):"))
        lay.addWidget(self.out)
        lay.addWidget(self.merge_button)
        lay.addWidget(self.status)
        self.summary: dict[str, Any] | None = None

    def add_files(self, paths: list[Path]) -> None:
        for p in paths:
            self.files.addItem(str(p))

    def _add(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Session files", "", "Session files (*.json)")
        self.add_files([Path(p) for p in paths])

    def merge(self) -> dict[str, Any] | None:
        paths = [Path(self.files.item(i).text()) for i in range(self.files.count())]
        if not paths:
            self.status.setText("Add at least one session file.")
            return None
        try:
            self.summary = merge_board(paths, Path(self.out.text()))
        except TerminalError as exc:
            self.status.setText(str(exc))
            return None
        s = self.summary
        first = s["ranking"][0]["trainee"] if s["ranking"] else "–"
        edited = f" {len(s['edited'])} file(s) were edited after export." if s["edited"] else ""
        self.status.setText(f"Board written: {s['board']} — {s['sessions']} sessions, first: {first}.{edited}")
        return self.summary
