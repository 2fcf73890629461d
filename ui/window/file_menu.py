"""The File menu every desktop user looks for first: export the tables, and Quit (Ctrl+Q)."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence


def install_file_menu(win: Any) -> QAction:
    """Add "File" as the first menu of ``win``; returns the Quit action (objectName ``action.quit``)."""
    menu = win.menuBar().addMenu("&File")
    menu.setObjectName("menu.file")
    quit_action = QAction("Quit", win)
    quit_action.setObjectName("action.quit")
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    quit_action.triggered.connect(win.close)
    menu.addAction(quit_action)
    return quit_action
