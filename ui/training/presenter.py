"""Presenter mode: one switch for a room — large fonts, a high-contrast palette, thicker chart lines (the live curves
are already clipped and decimated to ≤ 2 points per pixel, so a width-2 pen stays affordable), and an overlay that
shows the last key or action so the room can follow what the trainer did.

Only public things of the window are touched: the application font / palette / style sheet, widget fonts, and the
pens of the chart panel's public ``PlotDataItem`` attributes. Everything is restored when the mode is switched off.
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from ui.style import theme

SCALE = 1.4
HC = {"BG": "#000000", "BASE": "#000000", "TEXT": "#ffffff", "MUTED": "#d0d6de", "PANEL": "#101418"}
HC_STYLE = f"""
QLabel[role="caption"] {{ color: {HC['MUTED']}; }}
QLabel[role="big"] {{ font-size: 22px; }}
QDockWidget::title {{ color: {HC['TEXT']}; background: {HC['PANEL']}; }}
QTableView {{ background: {HC['BASE']}; alternate-background-color: #0b0e12; }}
QHeaderView::section {{ color: {HC['TEXT']}; }}
QLabel#presenter\\.lastAction {{ background: rgba(0,0,0,215); color: #ffffff; border: 2px solid {theme.AMBER};
    border-radius: 8px; padding: 8px 16px; }}
"""
CURVES = ("last_curve", "mark_curve", "margin_curve", "wallet_curve", "liq_curve", "liq_mark_curve")
QUIET_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}


def hc_palette() -> QPalette:
    p = theme.dark_palette()
    for role, colour in ((QPalette.ColorRole.Window, HC["BG"]), (QPalette.ColorRole.Base, HC["BASE"]),
                         (QPalette.ColorRole.WindowText, HC["TEXT"]), (QPalette.ColorRole.Text, HC["TEXT"]),
                         (QPalette.ColorRole.ButtonText, HC["TEXT"]), (QPalette.ColorRole.Button, "#1c232c"),
                         (QPalette.ColorRole.PlaceholderText, HC["MUTED"])):
        p.setColor(role, QColor(colour))
    return p


class PresenterMode(QObject):
    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.on = False
        self.last_action = ""
        self._fonts: list[tuple[QWidget, QFont]] = []
        self._pens: dict[str, Any] = {}
        self._size: Any = None
        self.overlay = QLabel("", win)
        self.overlay.setObjectName("presenter.lastAction")
        f = QFont(win.font())
        f.setPointSizeF(max(f.pointSizeF(), 9.0) * 2.0)
        f.setBold(True)
        self.overlay.setFont(f)
        self.overlay.setStyleSheet(f"background: rgba(0,0,0,215); color: #ffffff; border: 2px solid {theme.AMBER};"
                                   " border-radius: 8px; padding: 8px 16px;")
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.hide()

    # ---------------------------------------------------------------- the switch
    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        self.on = on
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if on:
            self._size = self.win.size()
            self._fonts = [(w, QFont(w.font())) for w in [self.win, *self.win.findChildren(QWidget)]
                           if w is not self.overlay]
            app.setPalette(hc_palette())
            app.setStyleSheet(theme.STYLE + HC_STYLE)  # before the fonts: a new style sheet re-polishes them
            # every widget's own font, scaled (size set explicitly, so the order does not matter); inheritance alone
            # is not enough — style-sheet rules pin fonts — and QApplication.setFont does not mix with style sheets
            for w, f in self._fonts:
                w.setFont(_scaled(f))
            app.installEventFilter(self)
            self.show_action("Presenter mode on")
        else:
            app.removeEventFilter(self)
            app.setPalette(theme.dark_palette())
            app.setStyleSheet(theme.STYLE)
            for w, f in self._fonts:
                if shiboken6.isValid(w):
                    w.setFont(f)
            self._fonts = []
            self.overlay.hide()
            if self._size is not None and not self.win.isMaximized():
                self.win.resize(self._size)  # larger fonts may have grown the window
        self._charts(on)

    def toggle(self) -> None:
        self.set_on(not self.on)

    def _charts(self, on: bool) -> None:
        charts = getattr(self.win, "charts", None)
        if charts is None:
            return
        for name in CURVES:
            item = getattr(charts, name, None)
            if item is None:
                continue
            if on:
                self._pens[name] = item.opts["pen"]
                pen = pg.mkPen(item.opts["pen"])
                pen.setWidth(2)
                pen.setCosmetic(True)
                item.setPen(pen)
            elif name in self._pens:
                item.setPen(self._pens.pop(name))
        tick = theme.mono_font(3 if on else -1, bold=on)
        for plot in (charts.price, charts.equity, charts.liquidation):
            pi = plot.getPlotItem()
            for ax in ("right", "bottom"):
                pi.getAxis(ax).setStyle(tickFont=tick)
            pi.getAxis("right").setWidth(110 if on else 78)
            plot.setBackground(HC["BG"] if on else theme.BG)

    # ---------------------------------------------------------------- last key / action
    def show_action(self, text: str) -> None:
        self.last_action = text
        if not self.on:
            return
        self.overlay.setText(text)
        self.overlay.adjustSize()
        self.place()
        self.overlay.show()
        self.overlay.raise_()

    def place(self) -> None:
        w = self.win
        bar = w.statusBar().height() if w.statusBar() is not None else 0
        self.overlay.move(max(8, (w.width() - self.overlay.width()) // 2), w.height() - bar - self.overlay.height() - 16)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if t == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and not event.isAutoRepeat():
            key = event.key()
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            named = key >= Qt.Key.Key_Escape and key not in QUIET_KEYS  # F-keys, Enter, arrows, …
            if (mods & ~Qt.KeyboardModifier.ShiftModifier) or named:
                if isinstance(obj, QWidget) and obj.window() is self.win:
                    self.show_action(QKeySequence(mods.value | key).toString(QKeySequence.SequenceFormat.NativeText))
        elif t == QEvent.Type.MouseButtonRelease and isinstance(obj, QAbstractButton) and obj.window() is self.win:
            if obj.text():
                self.show_action(f"▸ {obj.text()}")
        elif t == QEvent.Type.Resize and obj is self.win and self.overlay.isVisible():
            self.place()
        return False


def _scaled(f: QFont) -> QFont:
    g = QFont(f)
    if f.pointSizeF() > 0:
        g.setPointSizeF(f.pointSizeF() * SCALE)
    elif f.pixelSize() > 0:
        g.setPixelSize(int(round(f.pixelSize() * SCALE)))
    return g
