"""Fitting the window to the screen it is on: a 1280×720 projector, a 1080p laptop or a 4K monitor.

The window opens on most of the screen's available area (all of it on a small screen), centred; the order form
scrolls inside its dock when the screen is too short for it, so no control is squashed below its size and the
window never grows past the screen.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

SMALL_SCREEN_W = 1440  # at or below this width the window takes the whole available area
SHARE = 0.92  # on larger screens: this share of each side


def target_geometry(available: QRect) -> QRect:
    """The window's geometry on a screen whose available area is ``available``."""
    if available.width() <= SMALL_SCREEN_W:
        return QRect(available)
    w, h = int(available.width() * SHARE), int(available.height() * SHARE)
    x = available.x() + (available.width() - w) // 2
    y = available.y() + (available.height() - h) // 2
    return QRect(x, y, w, h)


def fit_to_screen(win: QWidget, screen: Any = None) -> QRect:
    """Size and centre ``win`` on ``screen`` (default: the screen it is on, else the primary one)."""
    screen = screen or win.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return win.geometry()
    geo = target_geometry(screen.availableGeometry())
    win.resize(geo.size())
    win.move(geo.topLeft())
    return geo


class ScrollPanel(QScrollArea):
    """A dock's content that scrolls vertically when the screen is too short, never horizontally."""

    def __init__(self, content: QWidget, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        self.fit_width()

    def fit_width(self) -> None:
        """As wide as the content needs (plus the scroll bar), so nothing in it is narrower than its size hint."""
        content = self.widget()
        if content is not None:
            layout = content.layout()
            if layout is not None:  # after a font change the hint is stale until the layout is re-measured
                layout.invalidate()
                layout.activate()
            bar = self.verticalScrollBar().sizeHint().width()
            top = self.window()
            cap = int(top.width() * 0.42) if top is not None and top is not self else 10_000
            want = max(content.minimumSizeHint().width(), min(content.sizeHint().width(), cap))  # read-outs in full
            self.setMinimumWidth(max(want, content.minimumWidth()) + bar + 2)
