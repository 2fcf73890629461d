"""Toolbars that never hide a control behind an overflow arrow: the top toolbars (market read-outs, simulation
controls, the scenario timeline, the lessons' time travel…) share a row while they fit, and a toolbar that does not
fit starts a new row — on a 1280-wide projector, in presenter mode's larger type, or when a toolbar appears."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QToolBar

TOP = Qt.ToolBarArea.TopToolBarArea


class ToolbarFit(QObject):
    def __init__(self, win: Any, second: QToolBar | None = None) -> None:
        super().__init__(win)
        self.win = win
        self.second = second  # kept for callers; every top toolbar is fitted
        self._watched: set[int] = set()
        win.installEventFilter(self)
        self.fit()

    def bars(self) -> list[QToolBar]:
        """The top toolbars in their layout order (row by row, left to right)."""
        bars = [tb for tb in self.win.findChildren(QToolBar) if tb.parentWidget() is self.win
                and self.win.toolBarArea(tb) == TOP]
        for tb in bars:
            if id(tb) not in self._watched:
                self._watched.add(id(tb))
                tb.installEventFilter(self)
        return sorted(bars, key=lambda tb: (tb.geometry().y(), tb.geometry().x()))

    def fit(self) -> None:
        width = self.win.width()
        row = 0
        for tb in self.bars():
            if tb.isHidden():
                continue
            need = tb.sizeHint().width()
            wrapped = self.win.toolBarBreak(tb)
            want = row > 0 and row + need > width
            if want and not wrapped:
                self.win.insertToolBarBreak(tb)
            elif wrapped and not want and row > 0:
                self.win.removeToolBarBreak(tb)
            row = need if (want or (wrapped and row == 0)) else row + need

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (obj is self.win and kind in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show)) or (
                isinstance(obj, QToolBar) and kind in (QEvent.Type.Show, QEvent.Type.Hide)):
            QTimer.singleShot(0, self.fit)  # after the layout settled
            self.fit()
        return False
