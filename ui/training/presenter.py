"""Presenter mode (F9, ``action.presenterMode``): one switch for a room — everything a room reads scaled to the
screen, a high-contrast palette, a permanent SIMULATION marker and the last key or action in large type.

What is scaled, by a factor that grows with the window's height (1.25 on a 720p projector, ~1.7 at 1080p, up to
3 on a 4K screen): every widget's font (labels, buttons, combo boxes, the toolbar, table cells and headers), the
minimum widths set in code (read-outs, the leverage box), table columns (so a header never reads "ntry Price"),
chart axes (tick font, axis width and height), chart titles and legends, the width of every chart line (live
curves, entry / liquidation / order lines) and the fill and liquidation markers. The order form scrolls in its
dock rather than squashing its controls, and the account strip folds into two rows when one does not fit, so at
1280×720 nothing is narrower than its size hint and the window never grows past the screen.

Only public things of the window are touched, and everything is put back when the mode is switched off.
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QProgressBar,
    QTabBar,
    QTableView,
    QWidget,
)

from ui.charts import panels
from ui.style import theme

SCALE = 1.4  # the factor at 900 px of window height (kept for callers that read it)
MIN_SCALE, MAX_SCALE = 1.25, 3.0
HC = {"BG": "#000000", "BASE": "#000000", "TEXT": "#ffffff", "MUTED": "#d0d6de", "PANEL": "#101418"}
CURVES = ("last_curve", "mark_curve", "margin_curve", "wallet_curve", "liq_curve", "liq_mark_curve")
QUIET_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
NARROW_SCREEN_W = 2400  # below this width presenter mode hides the right-hand panels (curve, book, tape…)
QWIDGETSIZE_MAX = 16_777_215
SHORT_SCREEN_H = 900  # below this window height presenter mode hides the positions table (View menu brings it back)
SIZED = (QLabel, QAbstractButton, QComboBox, QProgressBar, QAbstractSpinBox)  # their code-set minimum widths scale


def scale_for(height: int) -> float:
    """The presenter scale for a window ``height`` px tall: 1.25 at 720p, 1.4 at 900 px, ~1.7 at 1080p, 3 at 4K."""
    return max(MIN_SCALE, min(MAX_SCALE, round(1.4 * height / 900, 2)))


def hc_style(scale: float) -> str:
    return f"""
QLabel[role="caption"] {{ color: {HC['MUTED']}; }}
QLabel[role="big"] {{ font-size: {round(15 * scale)}px; }}
QDockWidget::title {{ color: {HC['TEXT']}; background: {HC['PANEL']}; }}
QTableView {{ background: {HC['BASE']}; alternate-background-color: #0b0e12; }}
QHeaderView::section {{ color: {HC['TEXT']}; }}
QProgressBar {{ max-height: {round(14 * scale)}px; }}
"""


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
        self.scale = 1.0
        self.last_action = ""
        self._fonts: list[tuple[QWidget, QFont]] = []
        self._widths: list[tuple[QWidget, int, int]] = []
        self._columns: list[tuple[QTableView, list[int], int]] = []
        self._pens: dict[str, Any] = {}
        self._charts_saved: dict[str, Any] = {}
        self._size: Any = None
        self.overlay = QLabel("", win)
        self.overlay.setObjectName("presenter.lastAction")
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.hide()
        self.badge = QLabel("SIMULATION", win)
        self.badge.setObjectName("presenter.simulation")
        self.badge.setToolTip("Practice account on a simulated market: no real money")
        self.badge.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.badge.hide()
        self._style_overlays(2.0)

    def _style_overlays(self, _big: float = 1.0) -> None:
        """Both sit in the menu bar's row: its (scaled) type, bold, so they are read but never cover a read-out."""
        menu = self.win.menuBar()
        f = QFont(menu.font() if menu is not None else self.win.font())
        f.setBold(True)
        self.overlay.setFont(f)
        self.overlay.setStyleSheet(f"background: rgba(0,0,0,215); color: #ffffff; border: 1px solid {theme.AMBER};"
                                   " border-radius: 3px; padding: 0px 12px;")
        b = QFont(f)
        b.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 115)
        self.badge.setFont(b)
        self.badge.setStyleSheet(f"background: {theme.SHORT}; color: #ffffff; border-radius: 4px; padding: 0px 12px;")

    # ---------------------------------------------------------------- the switch
    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        self.on = on
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        win = self.win
        if on:
            self._size = win.size()
            self.scale = scale_for(self._size.height())
            self._fonts = [(w, QFont(w.font())) for w in [win, *win.findChildren(QWidget)]
                           if w not in (self.overlay, self.badge)]
            app.setPalette(hc_palette())
            app.setStyleSheet(theme.STYLE + hc_style(self.scale))  # before the fonts: a style sheet re-polishes them
            # every widget's own font, scaled (size set explicitly, so the order does not matter); inheritance alone
            # is not enough — style-sheet rules pin fonts — and QApplication.setFont does not mix with style sheets
            for w, f in self._fonts:
                w.setFont(_scaled(f, self.scale))
            self._min_widths(True)
            self._tables(True)
            self._style_overlays(max(1.6, self.scale * 1.2))
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
            app.setPalette(theme.dark_palette())
            app.setStyleSheet(theme.STYLE)
            for w, f in self._fonts:
                if shiboken6.isValid(w):
                    w.setFont(f)
            self._fonts = []
            self._min_widths(False)
            self._tables(False)
            self._style_overlays(2.0)
            self.overlay.hide()
        self._charts(on)
        self._refit()
        self._docks(on)
        if self._size is not None and not win.isMaximized():
            win.resize(self._size)  # larger fonts never grow the window past the screen it was on
        self.badge.setVisible(on)
        self._stale_tab_bars()
        self.place()
        if on:
            self.show_action("Presenter mode on")

    def toggle(self) -> None:
        self.set_on(not self.on)

    def _stale_tab_bars(self) -> None:
        """Qt's main window can keep an old tab bar of tabified docks visible where it used to be (under the
        panels); once larger type moves the panels it shows through. A tab bar is stale when none of the docks it
        names touches it."""
        win = self.win
        docks = {d.windowTitle(): d for d in win.findChildren(QDockWidget)}
        for bar in win.findChildren(QTabBar):
            if bar.parentWidget() is not win or not bar.isVisible() or bar.count() == 0:
                continue
            touching = False
            for i in range(bar.count()):
                d = docks.get(bar.tabText(i).replace("&&", "&")) or docks.get(bar.tabText(i))
                if d is not None and d.isVisible() and d.geometry().adjusted(-4, -4, 4, 4).intersects(bar.geometry()):
                    touching = True
            if not touching:
                bar.hide()

    def _refit(self) -> None:
        """The panels that size themselves from their content: the account strip and the order form's scroll."""
        account = getattr(self.win, "account", None)
        if account is not None and hasattr(account, "refit"):
            account.refit()
        panel = getattr(self.win, "form_panel", None)
        if panel is not None and hasattr(panel, "fit_width"):
            panel.fit_width()

    def _docks(self, on: bool) -> None:
        """The charts get the room: the tables dock shrinks to a few rows (its layout comes back afterwards)."""
        win = self.win
        if on:
            self._state = win.saveState()
            tables = getattr(win, "tables_dock", None)
            if tables is not None and tables.isVisible():
                if win.height() < SHORT_SCREEN_H:  # a short screen: the charts need the height more than the table
                    for dock in [tables, *win.tabifiedDockWidgets(tables)]:
                        dock.hide()
                else:
                    win.resizeDocks([tables], [max(120, round(win.height() * 0.2))], Qt.Orientation.Vertical)
            if win.width() < NARROW_SCREEN_W:  # a narrow screen: the charts need the width more than the side panels
                for dock in win.findChildren(QDockWidget):
                    if dock.isVisible() and win.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea:
                        dock.hide()
            account = getattr(win, "account_dock", None)
            if account is not None and account.isVisible():
                need = account.widget().minimumSizeHint().height() + account.fontMetrics().height() + 12
                win.resizeDocks([account], [need], Qt.Orientation.Vertical)
        elif getattr(self, "_state", None) is not None:
            win.restoreState(self._state)
            self._state = None

    def _min_widths(self, on: bool) -> None:
        if on:
            self._widths = []
            for w in self.win.findChildren(QWidget):
                if isinstance(w, SIZED) and w.minimumWidth() > 0:
                    lo, hi = w.minimumWidth(), w.maximumWidth()
                    self._widths.append((w, lo, hi))
                    w.setMinimumWidth(round(lo * self.scale))
                    if hi < QWIDGETSIZE_MAX:  # a fixed or capped width grows with the type
                        w.setMaximumWidth(max(w.minimumWidth(), round(hi * self.scale)))
            for w in self.win.findChildren(QLabel):  # floating cards (toasts, notes) re-measure their text
                if w.parentWidget() is self.win and w.isVisible():
                    w.adjustSize()
        else:
            for w, lo, hi in self._widths:
                if shiboken6.isValid(w):
                    w.setMinimumWidth(lo)
                    w.setMaximumWidth(hi)
            self._widths = []

    def _tables(self, on: bool) -> None:
        """Columns and rows sized for the scaled font: every header reads in full."""
        if on:
            self._columns = []
            for view in self.win.findChildren(QTableView):
                hh, vh = view.horizontalHeader(), view.verticalHeader()
                model = view.model()
                if model is None:
                    continue
                self._columns.append((view, [hh.sectionSize(i) for i in range(hh.count())], vh.defaultSectionSize()))
                fm = hh.fontMetrics()
                for i in range(hh.count()):
                    title = str(model.headerData(i, Qt.Orientation.Horizontal) or "")
                    hh.resizeSection(i, max(round(hh.sectionSize(i) * self.scale), fm.horizontalAdvance(title) + 24))
                vh.setDefaultSectionSize(max(vh.defaultSectionSize(), view.fontMetrics().height() + 8))
        else:
            for view, sizes, row in self._columns:
                if not shiboken6.isValid(view):
                    continue
                for i, s in enumerate(sizes):
                    view.horizontalHeader().resizeSection(i, s)
                view.verticalHeader().setDefaultSectionSize(row)
            self._columns = []

    def _charts(self, on: bool) -> None:
        charts = getattr(self.win, "charts", None)
        if charts is None:
            return
        s = self.scale if on else 1.0
        width = max(2, round(2 * s)) if on else 1
        for name in CURVES:
            item = getattr(charts, name, None)
            if item is None:
                continue
            if on:
                self._pens[name] = item.opts["pen"]
                pen = pg.mkPen(item.opts["pen"])
                pen.setWidth(width)
                pen.setCosmetic(True)
                item.setPen(pen)
            elif name in self._pens:
                item.setPen(self._pens.pop(name))
        tick = theme.mono_font(round(9 * (s - 1)) - 1 if on else -1, bold=on)
        axis_w = round(panels.AXIS_W * s) if on else panels.AXIS_W
        title_h = round(18 * s)
        for plot in (charts.price, charts.equity, charts.liquidation):
            pi = plot.getPlotItem()
            for ax in ("right", "bottom"):
                pi.getAxis(ax).setStyle(tickFont=tick)
            pi.getAxis("right").setWidth(axis_w)
            bottom = pi.getAxis("bottom")
            bottom.setHeight(round(getattr(bottom, "HEIGHT", 22) * s))
            pi.titleLabel.setMaximumHeight(title_h)
            pi.layout.setRowFixedHeight(0, title_h)
            plot.setBackground(HC["BG"] if on else theme.BG)
        panels.TITLE_PT = 9.0 * s
        charts._titles()
        label_font = QFont(theme.mono_font(round(9 * (s - 1)), bold=on)) if on else None
        charts.lines.restyle(width + (1 if on else 0), label_font)
        markers = charts.markers
        for item, base in ((markers.fills, 11), (markers.liqs, 16)):
            item.opts["size"] = round(base * s)
        markers._key = ()  # rebuilt (at the new size) by the next frame
        note = getattr(getattr(self.win, "training", None), "note", None)  # "✖ 25x long liquidated @ …": the lesson
        if note is not None:
            note.item.setFont(theme.mono_font(round(9 * (s - 1)) + 1 if on else 1, bold=True))
        charts._refresh()

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
        """The SIMULATION badge at the right end of the menu bar, the last action in the menu bar's empty middle:
        both always in view, neither over a chart, a number or a control."""
        w = self.win
        menu = w.menuBar()
        bar_h = menu.height() if menu is not None else self.badge.height()
        self.badge.adjustSize()
        self.badge.move(max(0, w.width() - self.badge.width() - 8), max(0, (bar_h - self.badge.height()) // 2))
        acts = menu.actions() if menu is not None else []
        left = max((menu.actionGeometry(a).right() for a in acts), default=0) + 24
        room = max(120, self.badge.x() - left - 16)
        self.overlay.setMaximumWidth(room)
        self.overlay.adjustSize()
        self.overlay.move(left + max(0, (room - self.overlay.width()) // 2), max(0, (bar_h - self.overlay.height()) // 2))
        if self.badge.isVisible():
            self.badge.raise_()

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
        elif t == QEvent.Type.Resize and obj is self.win:
            self.place()
        return False


def _scaled(f: QFont, scale: float) -> QFont:
    g = QFont(f)
    if f.pointSizeF() > 0:
        g.setPointSizeF(f.pointSizeF() * scale)
    elif f.pixelSize() > 0:
        g.setPixelSize(int(round(f.pixelSize() * scale)))
    return g
