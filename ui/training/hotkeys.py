"""Hotkeys for the trading desk and the room, as window-wide ``QAction``s, and the help overlay (F1 or ?) that
lists them. Typing in a field is never stolen: every trading key has a modifier, and a focused text field keeps
its plain keys. Trading keys never collide with everyone's shortcuts (Ctrl+S is Save, Ctrl+B bold): buy and sell are
Alt+Shift+B / Alt+Shift+S, as in TradingView. The help lists every key of the window, menus included.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui.style import theme


@dataclass(frozen=True)
class Hotkey:
    name: str  # objectName suffix: hotkey.<name>
    title: str
    keys: tuple[str, ...]


HOTKEYS = (
    Hotkey("buy", "Buy / Long (the order in the form)", ("Alt+Shift+B",)),
    Hotkey("sell", "Sell / Short (the order in the form)", ("Alt+Shift+S",)),
    Hotkey("cancelAll", "Cancel all open orders", ("Ctrl+Shift+X",)),
    Hotkey("closePosition", "Close the position at market", ("Ctrl+Shift+C",)),
    Hotkey("pause", "Pause / resume the clock", ("Ctrl+Space", "F8")),
    Hotkey("speedUp", "Speed up", ("Ctrl+Up", "Ctrl+]")),
    Hotkey("speedDown", "Slow down", ("Ctrl+Down", "Ctrl+[")),
    Hotkey("fitChart", "Fit the charts to the latest prices", ("Ctrl+0", "Home")),
    Hotkey("presenter", "Presenter mode on / off", ("F9",)),
    Hotkey("help", "This list of hotkeys", ("F1", "?")),
)


def window_keys(win: QWidget) -> list[tuple[str, str]]:
    """(keys, what) for every action of ``win`` that has a shortcut: the hotkeys first, then the menus' keys."""
    rows: list[tuple[str, str]] = [("   ".join(_native(k) for k in hk.keys), hk.title) for hk in HOTKEYS]
    seen = {k for hk in HOTKEYS for k in (_native(x) for x in hk.keys)}
    for a in win.findChildren(QAction):
        keys = [_native(k.toString()) for k in a.shortcuts() if not k.isEmpty()]
        fresh = [k for k in keys if k not in seen]
        if fresh:
            seen.update(fresh)
            rows.append(("   ".join(fresh), a.text().replace("&", "").rstrip(".…")))
    return rows


def _native(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class HotkeyHelp(QFrame):
    """A translucent card over the window listing every key of the window; any key or click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("hotkeys.help")
        self.setStyleSheet(f"QFrame#hotkeys\\.help {{ background: rgba(10,13,17,250); border: 2px solid {theme.LAST};"
                           " border-radius: 10px; }")
        self.grid = grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        head = QLabel("Hotkeys")
        hf = head.font()
        hf.setPointSizeF(hf.pointSizeF() + 8)
        hf.setBold(True)
        head.setFont(hf)
        foot = QLabel("Esc, F1 or a click closes this list")
        foot.setProperty("role", "caption")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.addWidget(head)
        lay.addLayout(grid)
        lay.addWidget(foot)
        self.hide()

    def fill(self, rows: list[tuple[str, str]]) -> None:
        """One row per key (two columns of rows when the list is long)."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        half = (len(rows) + 1) // 2 if len(rows) > 12 else len(rows)
        parent = self.parentWidget()
        base = parent.font().pointSizeF() if parent is not None else 9.0
        key_font = QFont(theme.mono_font(0, bold=True))
        key_font.setPointSizeF(max(base, 6.0) + 2)  # the window's type (presenter mode scales it) + 2 pt
        for i, (keys_text, what) in enumerate(rows):
            r, c = (i, 0) if i < half else (i - half, 2)
            keys = QLabel(keys_text)
            keys.setFont(key_font)
            keys.setStyleSheet(f"color: {theme.AMBER}")
            title = QLabel(what)
            f = QFont(parent.font() if parent is not None else title.font())
            f.setPointSizeF(max(base, 6.0) + 2)
            title.setFont(f)
            self.grid.addWidget(keys, r, c)
            self.grid.addWidget(title, r, c + 1)

    def popup(self) -> None:
        parent = self.parentWidget()
        self.fill(window_keys(parent) if parent is not None else [])
        self.adjustSize()
        p = self.parentWidget()
        if p is not None:
            self.move((p.width() - self.width()) // 2, (p.height() - self.height()) // 2)
        self.show()
        self.raise_()
        self.setFocus()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.hide()

    def mousePressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.hide()


class Hotkeys(QObject):
    """Creates one ``QAction`` per hotkey on the window (objectName ``hotkey.<name>``)."""

    def __init__(self, win: Any, say: Callable[[str], None]) -> None:
        super().__init__(win)
        self.win = win
        self.say = say  # shown to the room (presenter mode's last action)
        self.help = HotkeyHelp(win)
        self.actions: dict[str, QAction] = {}
        handlers: dict[str, Callable[[], object]] = {
            "buy": lambda: win.form.submit("buy"), "sell": lambda: win.form.submit("sell"),
            "cancelAll": lambda: win.tables.cancelAll.emit(), "closePosition": self.close_position,
            "pause": lambda: win.toolbar.play.toggle(), "speedUp": lambda: self.speed(+1),
            "speedDown": lambda: self.speed(-1), "fitChart": self.fit_chart,
        }  # presenter and help: the Training menu's own actions carry those keys (one QAction per key)
        for hk in HOTKEYS:
            if hk.name not in handlers:
                continue
            a = QAction(hk.title, win)
            a.setObjectName(f"hotkey.{hk.name}")
            a.setShortcuts([QKeySequence(k) for k in hk.keys])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(lambda _=False, hk=hk, h=handlers[hk.name]: self._run(hk, h))
            win.addAction(a)
            self.actions[hk.name] = a
        win.installEventFilter(self)

    def _run(self, hk: Hotkey, handler: Callable[[], object]) -> None:
        handler()
        key = QKeySequence(hk.keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
        self.say(f"{key} · {hk.title.split(' (')[0]}")

    # ---------------------------------------------------------------- handlers
    def close_position(self) -> None:
        snap = self.win.bridge.last.snapshot if self.win.bridge.last is not None else None
        pos = snap.position(self.win.bridge.symbol) if snap is not None else None
        if pos is None:
            self.win.form.say(f"No {self.win.bridge.symbol} position to close.", "input")
            return
        self.win.tables.closeMarket.emit(pos)

    def speed(self, step: int) -> None:
        combo = self.win.toolbar.speed
        i = max(0, min(combo.count() - 1, combo.currentIndex() + step))
        combo.setCurrentIndex(i)
        self.win.form.say(f"Speed {combo.currentText()}{'' if self.win.bridge.running else ' (paused)'}.", "ok")

    def fit_chart(self) -> None:
        charts = self.win.charts
        charts.set_follow(False)
        charts.set_follow(True)  # follow mode re-fits the x window and every y range

    def toggle_help(self) -> None:
        if self.help.isVisible():
            self.help.hide()
        else:
            self.help.popup()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.help.isVisible():
            self.help.popup()
        return False
