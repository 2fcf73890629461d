"""The order-book ladder (``book.ladder``): 20 levels a side with size and cumulative size, the spread between,
your resting orders marked at their levels; clicking a level puts its price in the order form."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from terminal.session.frame import Frame
from ui.style import theme

DEPTH = 20
COLUMNS = ("Price", "Size", "Total", "Mine")
PAD = 3  # text margin inside a cell, as the styled delegate leaves
Index = QModelIndex | QPersistentModelIndex


def _qty(v: float) -> str:
    """Sizes as a ladder shows them: whole contracts up to a million, then 1.23M / 4.56B."""
    if v >= 1e9:
        return f"{v / 1e9:,.2f}B"
    if v >= 1e6:
        return f"{v / 1e6:,.2f}M"
    return f"{v:,.0f}"


class LadderModel(QAbstractTableModel):
    """Rows: asks (worst at the top, best just above the spread), the spread row, bids (best first)."""

    ROWS = 2 * DEPTH + 1

    def __init__(self) -> None:
        super().__init__()
        self.price = np.full(self.ROWS, np.nan)
        self.size = np.zeros(self.ROWS)
        self.total = np.zeros(self.ROWS)
        self.mine = np.zeros(self.ROWS)
        self.side = np.zeros(self.ROWS, np.int8)  # +1 ask, −1 bid, 0 spread
        self.text: list[tuple[str, str, str, str]] = [("", "", "", "")] * self.ROWS
        self.max_total = 1.0
        self.spread_text = ""
        self._prices: dict[float, str] = {}  # price → its text, for ``_prices_of``
        self._prices_of: object = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.ROWS

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if r == DEPTH:
                return self.spread_text if c == 0 else ""
            return self.text[r][c]
        if role == Qt.ItemDataRole.ForegroundRole:
            if r == DEPTH:
                return QColor(theme.MUTED)
            if c == 0:
                return QColor(theme.SHORT if self.side[r] > 0 else theme.LONG)
            if c == 3 and self.mine[r]:
                return QColor(theme.AMBER)
            return QColor(theme.TEXT)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:  # depth shading: fraction of the widest cumulative size
            return float(self.total[r] / self.max_total) if self.max_total else 0.0
        return None

    def set_book(self, frame: Frame) -> None:
        book = frame.book
        fmt = frame.instrument.format_price
        asks = np.asarray(getattr(book, "asks", np.zeros((0, 2))))[:DEPTH]
        bids = np.asarray(getattr(book, "bids", np.zeros((0, 2))))[:DEPTH]
        price = np.full(self.ROWS, np.nan)
        size = np.zeros(self.ROWS)
        total = np.zeros(self.ROWS)
        side = np.zeros(self.ROWS, np.int8)
        na, nb = asks.shape[0], bids.shape[0]
        if na:
            rows = DEPTH - 1 - np.arange(na)  # best ask just above the spread row
            price[rows], size[rows], total[rows], side[rows] = asks[:, 0], asks[:, 1], np.cumsum(asks[:, 1]), 1
        if nb:
            rows = DEPTH + 1 + np.arange(nb)
            price[rows], size[rows], total[rows], side[rows] = bids[:, 0], bids[:, 1], np.cumsum(bids[:, 1]), -1
        mine = np.zeros(self.ROWS)
        for o in frame.orders:
            if o.symbol != frame.symbol or o.price is None or getattr(o, "status", "open") == "untriggered":
                continue
            hit = np.flatnonzero(np.isclose(price, o.price, rtol=0, atol=frame.instrument.tick_size / 2))
            if hit.size:
                mine[hit[0]] += o.qty - o.filled_qty
        max_total = float(max(total.max(), 1.0))
        spread = getattr(book, "spread", None)
        if spread is not None and na and nb:
            mid = (asks[0, 0] + bids[0, 0]) / 2
            spread_text = f"spread {fmt(spread)} ({spread / mid * 1e4:.1f} bps)"
        else:
            spread_text = ""
        unlimited = bool(getattr(book, "unlimited", False))
        # plain floats (formatting numpy scalars is slower) and the price strings of the levels seen before: the
        # same few hundred prices come back redraw after redraw
        if frame.instrument is not self._prices_of or len(self._prices) > 4096:
            self._prices_of, self._prices = frame.instrument, {}
        prices = self._prices
        text = []
        for p, sz, tot, m in zip(price.tolist(), size.tolist(), total.tolist(), mine.tolist()):
            if p != p:  # nan: no level on this row
                text.append(("", "", "", ""))
                continue
            ps = prices.get(p)
            if ps is None:
                ps = prices[p] = fmt(p)
            text.append((ps, "∞" if unlimited else _qty(sz), "∞" if unlimited else _qty(tot), _qty(m) if m else ""))
        # only the rows whose text, colour or depth shading changed are repainted
        shade_old = self.total / self.max_total if self.max_total else self.total
        shade_new = total / max_total
        changed = (shade_old != shade_new) | (self.side != side) | ((self.mine > 0) != (mine > 0))
        changed |= np.array([a != b for a, b in zip(self.text, text)])
        changed[DEPTH] = spread_text != self.spread_text
        self.price, self.size, self.total, self.side, self.mine = price, size, total, side, mine
        self.max_total, self.spread_text, self.text = max_total, spread_text, text
        rows = np.flatnonzero(changed)
        if rows.size:
            breaks = np.flatnonzero(np.diff(rows) > 1)
            starts = np.concatenate(([rows[0]], rows[breaks + 1]))
            ends = np.concatenate((rows[breaks], [rows[-1]]))
            for a, b in zip(starts.tolist(), ends.tolist()):
                self.dataChanged.emit(self.index(a, 0), self.index(b, len(COLUMNS) - 1))


class LadderTable(QTableView):
    """The ladder's table, painted in one pass: one Python call a repaint instead of a delegate call and a dozen
    ``data()`` calls per cell (the ladder changes every frame at speed). Same cells, colours and depth shading as
    the model's roles say; only the rows inside the dirty region are drawn."""

    def __init__(self) -> None:
        super().__init__()
        self._colours = {name: QColor(getattr(theme, name)) for name in ("MUTED", "SHORT", "LONG", "AMBER", "TEXT")}
        self._shade = {1: QColor(theme.SHORT), -1: QColor(theme.LONG)}
        for c in self._shade.values():
            c.setAlpha(55)
        # the paint fills its own background: a redraw repaints the viewport only, not the dock, panel and window
        # beneath it (the style sheet's background made it see-through: four widgets painted per ladder redraw)
        self._base = QColor(theme.BASE)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not isinstance(model, LadderModel):
            super().paintEvent(event)
            return
        area = event.rect()
        first = self.rowAt(area.top())
        last = self.rowAt(area.bottom())
        first = 0 if first < 0 else first
        last = model.ROWS - 1 if last < 0 else last
        xs = [(self.columnViewportPosition(c), self.columnWidth(c)) for c in range(len(COLUMNS))]
        width = xs[-1][0] + xs[-1][1] - xs[0][0]
        p = QPainter(self.viewport())
        p.fillRect(area, self._base)
        p.setFont(self.font())
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        col = self._colours
        for r in range(first, last + 1):
            y, h = self.rowViewportPosition(r), self.rowHeight(r)
            if r == DEPTH:
                if model.spread_text:
                    p.setPen(col["MUTED"])
                    p.drawText(QRect(xs[0][0] + PAD, y, width - 2 * PAD, h), align, model.spread_text)
                continue
            text = model.text[r]
            if not text[0]:
                continue
            side = int(model.side[r])
            frac = float(model.total[r] / model.max_total) if model.max_total else 0.0
            if frac > 0 and side:
                x, w = xs[2]
                p.fillRect(QRectF(x + w - w * frac, y, w * frac, h), self._shade[side])
            for c, (x, w) in enumerate(xs):
                if not text[c]:
                    continue
                if c == 0:
                    p.setPen(col["SHORT"] if side > 0 else col["LONG"])
                elif c == 3 and model.mine[r]:
                    p.setPen(col["AMBER"])
                else:
                    p.setPen(col["TEXT"])
                p.drawText(QRect(x + PAD, y, w - 2 * PAD, h), align, text[c])
        p.end()


class LadderPanel(QWidget):
    """The ladder and a line saying what the book is (recorded history, ideal fills)."""

    priceClicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LadderModel()
        self.view = LadderTable()
        self.view.setObjectName("book.ladder")
        self.view.setModel(self.model)
        self.view.setSpan(DEPTH, 0, 1, len(COLUMNS))  # the spread row reads across the ladder
        self.view.setFont(theme.mono_font(-1))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(17)
        self.view.setShowGrid(False)
        self.view.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setToolTip("Click a level to put its price in the order form")
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.clicked.connect(self._clicked)
        self.view.doubleClicked.connect(lambda _i: self.centre())
        self.notice = QLabel("")
        self.notice.setObjectName("book.notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {theme.AMBER}; padding: 2px 4px;")
        self.notice.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.notice)
        lay.addWidget(self.view)
        self._pinned = True  # keep the spread in the middle until the trader scrolls the ladder
        self.view.verticalScrollBar().actionTriggered.connect(self._scrolled)

    def _clicked(self, index: QModelIndex) -> None:
        p = self.model.price[index.row()]
        if np.isfinite(p):
            self.priceClicked.emit(float(p))

    def update_frame(self, frame: Frame) -> None:
        if frame.book is None:
            return
        self.model.set_book(frame)
        book = frame.book
        if getattr(book, "recorded", False):
            note = "Recorded history: your orders fill against it but cannot move it."
        elif getattr(book, "unlimited", False):
            note = "Ideal fills: unlimited depth at last ± 1 tick (no slippage, no queue)."
        else:
            note = ""
        if note != self.notice.text():
            self.notice.setText(note)
            self.notice.setVisible(bool(note))
        if self._pinned:
            self.centre()

    def _scrolled(self, *_: object) -> None:
        self._pinned = False

    def centre(self) -> None:
        """Put the spread row in the middle of the ladder (and keep it there as the book moves)."""
        self.view.scrollTo(self.model.index(DEPTH, 0), QTableView.ScrollHint.PositionAtCenter)
        self._pinned = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._pinned:
            self.centre()
