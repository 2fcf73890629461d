"""Toolbars that never hide a control behind an overflow arrow: the simulation controls share the market
read-outs' row while both fit, and move to a row of their own when the window (or presenter mode's larger type)
makes the row too narrow."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QToolBar


class ToolbarFit(QObject):
    def __init__(self, win: Any, second: QToolBar) -> None:
        super().__init__(win)
        self.win = win
        self.second = second
        win.installEventFilter(self)
        self.fit()

    def row_width(self) -> int:
        """Width the market toolbar and the simulation toolbar need side by side."""
        first = self.win.toolbar
        return int(first.sizeHint().width() + self.second.sizeHint().width() + 8)

    def fit(self) -> None:
        wrapped = self.win.toolBarBreak(self.second)
        want = self.row_width() > self.win.width()
        if want and not wrapped:
            self.win.insertToolBarBreak(self.second)
        elif wrapped and not want:
            self.win.removeToolBarBreak(self.second)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.win and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show):
            QTimer.singleShot(0, self.fit)  # after the layout settled
            self.fit()
        return False
