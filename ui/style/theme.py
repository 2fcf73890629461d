"""Colours, fonts, the dark Fusion palette and the pens the charts reuse (built once)."""
from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDoubleSpinBox

BG = "#12161c"
PANEL = "#181d24"
BASE = "#0e1217"
GRID = "#2a313b"
TEXT = "#d6dbe1"
MUTED = "#8a94a1"
LONG = "#26b36b"
SHORT = "#e0474c"
LIQ = "#ff8c1a"  # the one accent colour: liquidation
AMBER = "#f0b429"
ENTRY = "#f2f4f7"
MARK = "#c58af9"
LAST = "#4aa3ff"
ORDER_BUY = "#3fd08a"
ORDER_SELL = "#ff6b70"
STOP = "#f0b429"
WALLET = "#7f8c9d"

STYLE = f"""
QMainWindow, QDockWidget {{ background: {BG}; }}
QDockWidget::title {{ background: {PANEL}; color: {MUTED}; padding: 3px 6px; }}
QToolBar {{ background: {PANEL}; border: 0; spacing: 6px; padding: 2px 6px; }}
QLabel[role="caption"] {{ color: {MUTED}; }}
QLabel[role="value"] {{ color: {TEXT}; }}
QLabel[role="big"] {{ color: {TEXT}; font-size: 15px; font-weight: 600; }}
QLabel#orderForm\\.message {{ color: {AMBER}; }}
QPushButton#orderForm\\.buy {{ background: {LONG}; color: white; font-weight: 600; padding: 7px; border-radius: 3px; }}
QPushButton#orderForm\\.sell {{ background: {SHORT}; color: white; font-weight: 600; padding: 7px; border-radius: 3px; }}
QPushButton#orderForm\\.buy:disabled, QPushButton#orderForm\\.sell:disabled {{ background: #343b45; color: #737c88; }}
QPushButton[preset="true"] {{ padding: 2px 4px; min-width: 26px; }}
QPushButton[preset="true"]:checked {{ background: #2d4b6e; }}
QTableView {{ background: {BASE}; alternate-background-color: #131820; gridline-color: {GRID};
             selection-background-color: #24364d; border: 0; }}
QHeaderView::section {{ background: {PANEL}; color: {MUTED}; border: 0; border-right: 1px solid {GRID};
                        padding: 3px 6px; }}
QTabWidget::pane {{ border: 0; }}
QTabBar::tab {{ background: {PANEL}; color: {MUTED}; padding: 4px 12px; border: 0; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {LAST}; }}
QProgressBar {{ background: {BASE}; border: 1px solid {GRID}; border-radius: 2px; text-align: center;
                color: {TEXT}; max-height: 14px; }}
QProgressBar[level="ok"]::chunk {{ background: {LONG}; }}
QProgressBar[level="warn"]::chunk {{ background: {AMBER}; }}
QProgressBar[level="danger"]::chunk {{ background: {SHORT}; }}
QStatusBar {{ background: {PANEL}; color: {MUTED}; }}
"""


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: BG, QPalette.ColorRole.WindowText: TEXT, QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: "#131820", QPalette.ColorRole.ToolTipBase: PANEL,
        QPalette.ColorRole.ToolTipText: TEXT, QPalette.ColorRole.Text: TEXT, QPalette.ColorRole.Button: "#232a33",
        QPalette.ColorRole.ButtonText: TEXT, QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2d5b8c", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: LAST, QPalette.ColorRole.PlaceholderText: MUTED,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5d6672"))
    return p


def apply_theme(app: QApplication) -> None:
    """Dark Fusion palette, the style sheet and pyqtgraph's colours; safe to call more than once."""
    if getattr(app, "_lt_themed", False):
        return
    import pyqtgraph as pg

    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    app.setStyleSheet(STYLE)
    pg.setConfigOptions(background=BG, foreground=MUTED, antialias=False)
    app._lt_themed = True  # type: ignore[attr-defined]


@cache
def mono_font(point_delta: int = 0, bold: bool = False) -> QFont:
    """A monospaced font so digits line up in columns of numbers."""
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    f.setStyleHint(QFont.StyleHint.Monospace)
    if point_delta:
        f.setPointSizeF(max(6.0, f.pointSizeF() + point_delta))
    f.setBold(bold)
    return f


@cache
def pen(colour: str, style: str = "solid", width: int = 1):  # type: ignore[no-untyped-def]
    """Cached cosmetic pens (width 1 on live curves)."""
    import pyqtgraph as pg
    from PySide6.QtCore import Qt

    styles = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine}
    p = pg.mkPen(colour, width=width, style=styles[style])
    p.setCosmetic(True)
    return p


def sign_colour(value: float) -> str:
    if value > 0:
        return LONG
    if value < 0:
        return SHORT
    return TEXT


def number_field(name: str) -> QDoubleSpinBox:
    """A typed number as traders enter it: right-aligned monospace digits, no spin arrows, live keystrokes."""
    s = QDoubleSpinBox()
    s.setObjectName(name)
    s.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    s.setAlignment(Qt.AlignmentFlag.AlignRight)
    s.setFont(mono_font())
    s.setKeyboardTracking(True)
    return s
