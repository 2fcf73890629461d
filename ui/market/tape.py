"""The recent-trades tape (``trades.tape``): time, price, size, side colour; your fills highlighted, liquidations
marked — newest first."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QHeaderView, QTableView

from terminal.market.views import CROWD_LIQUIDATION, RECORDED, YOUR_LIQUIDATION, YOURS
from terminal.session.frame import Frame
from ui.style import theme

ROWS = 60
COLUMNS = ("Price", "Size", "Time")
PAD = 3  # text margin inside a cell, as the styled delegate leaves
Index = QModelIndex | QPersistentModelIndex
KIND_TEXT = {YOURS: " you", YOUR_LIQUIDATION: " LIQ you", CROWD_LIQUIDATION: " LIQ", RECORDED: ""}


class TapeModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str, str]] = []  # price, size, time
        self.side = np.zeros(0, np.int8)
        self.kind = np.zeros(0, np.int8)
        self.count = -1
        self.symbol = ""
        self._bold = QFont(theme.mono_font(-1))
        self._bold.setBold(True)
        self._mine = QColor(theme.AMBER)
        self._mine.setAlpha(60)
        self._liq = QColor(theme.LIQ)
        self._liq.setAlpha(70)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[r][c]
        kind = int(self.kind[r])
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == 0:
                return QColor(theme.LONG if self.side[r] > 0 else theme.SHORT)
            return QColor(theme.TEXT if c == 1 else theme.MUTED)
        if role == Qt.ItemDataRole.BackgroundRole:
            if kind in (YOUR_LIQUIDATION, CROWD_LIQUIDATION):
                return self._liq
            if kind == YOURS:
                return self._mine
            return None
        if role == Qt.ItemDataRole.FontRole and kind in (YOURS, YOUR_LIQUIDATION):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def set_tape(self, frame: Frame) -> None:
        """Show the newest prints; only prints not formatted before are formatted (at most ROWS a frame)."""
        tape = frame.tape
        if tape is None or getattr(tape, "count", -1) == self.count:
            return
        count = int(tape.count)  # type: ignore[attr-defined]
        prints = tape.prints  # type: ignore[attr-defined]
        n = prints.t_ms.size
        fresh = n if self.count < 0 or count < self.count or frame.symbol != self.symbol else min(n, count - self.count)
        fmt = frame.instrument.format_price
        new_rows = []
        for i in range(n - 1, n - 1 - min(fresh, ROWS), -1):
            ms = int(prints.t_ms[i])
            sec = ms // 1000 % 86_400
            t = f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
            k = int(prints.kind[i])
            arrow = "▲" if prints.side[i] > 0 else "▼"
            new_rows.append((f"{arrow} {fmt(float(prints.price[i]))}", f"{int(prints.size[i]):,}{KIND_TEXT.get(k, '')}", t))
        keep = ROWS - len(new_rows)
        rows = new_rows + (self.rows[:keep] if fresh < n else [])
        order = np.arange(n)[::-1][:len(rows)]
        self.count = count
        self.symbol = frame.symbol
        if len(rows) == len(self.rows):  # the usual frame: same rows, new contents (no relayout)
            self.rows = rows
            self.side = prints.side[order]
            self.kind = prints.kind[order]
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.side = prints.side[order]
        self.kind = prints.kind[order]
        self.endResetModel()


class TapeView(QTableView):
    """The tape's table, painted in one pass (one Python call a repaint, not a delegate and role calls per cell):
    the same text, colours, highlight and bold as the model's roles say."""

    def __init__(self) -> None:
        super().__init__()
        self._colours = {name: QColor(getattr(theme, name)) for name in ("LONG", "SHORT", "TEXT", "MUTED")}
        # the paint fills its own background: a redraw repaints the viewport only, not the dock and window beneath
        self._base = QColor(theme.BASE)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setObjectName("trades.tape")
        self.model_ = TapeModel()
        self.setModel(self.model_)
        self.setFont(theme.mono_font(-1))
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(17)
        self.setShowGrid(False)
        self.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        h = self.horizontalHeader()
        h.setMinimumSectionSize(20)
        for col, width in ((1, 86), (2, 60)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(col, width)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def update_frame(self, frame: Frame) -> None:
        self.model_.set_tape(frame)

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model_
        area = event.rect()
        first = max(self.rowAt(area.top()), 0)
        last = self.rowAt(area.bottom())
        last = len(model.rows) - 1 if last < 0 else last
        xs = [(self.columnViewportPosition(c), self.columnWidth(c)) for c in range(len(COLUMNS))]
        p = QPainter(self.viewport())
        p.fillRect(area, self._base)
        plain = self.font()
        p.setFont(plain)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        col = self._colours
        pens = (col["LONG"], col["SHORT"]), col["TEXT"], col["MUTED"]
        for r in range(first, last + 1):
            y, h = self.rowViewportPosition(r), self.rowHeight(r)
            kind = int(model.kind[r])
            if kind in (YOUR_LIQUIDATION, CROWD_LIQUIDATION):
                p.fillRect(QRect(xs[0][0], y, xs[-1][0] + xs[-1][1] - xs[0][0], h), model._liq)
            elif kind == YOURS:
                p.fillRect(QRect(xs[0][0], y, xs[-1][0] + xs[-1][1] - xs[0][0], h), model._mine)
            bold = kind in (YOURS, YOUR_LIQUIDATION)
            if bold:
                p.setFont(model._bold)
            row = model.rows[r]
            for c, (x, w) in enumerate(xs):
                p.setPen(pens[0][0 if model.side[r] > 0 else 1] if c == 0 else pens[c])
                p.drawText(QRect(x + PAD, y, w - 2 * PAD, h), align, row[c])
            if bold:
                p.setFont(plain)
        p.end()
