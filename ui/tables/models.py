"""Table models with declarative column specs.

A :class:`Column` says how to turn a row object into the text shown (formatted once per row change), how to
align it and what colour it has. :class:`KeyedTableModel` diffs keyed rows (positions, orders) and emits
``dataChanged`` only for rows that changed; :class:`AppendTableModel` shows an append-only list (fills,
ledger), newest first, and inserts only the new rows a frame brings.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ui.services.out_guard import guard_out

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
DISPLAY = Qt.ItemDataRole.DisplayRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
FG = Qt.ItemDataRole.ForegroundRole
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    align: str = "right"  # right | left | center
    colour: Callable[[Any], str | None] | None = None
    width: int = 90
    action: str | None = None  # a clickable text cell ("close_market", "cancel", …)
    number: Callable[[Any], object] | None = None  # the value a CSV export holds (a plain number), else the text
    unit: Callable[[Any], str] | None = None  # the unit of ``number`` (a CSV export adds one "unit" column)


class _FormattedModel(QAbstractTableModel):
    """Rows are kept as (texts, colours) tuples, computed when a row changes; data() only looks them up."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._align = [{"right": _RIGHT, "left": _LEFT, "center": _CENTER}[c.align] for c in self.columns]
        self._brushes: dict[str, QColor] = {}

    def _format(self, obj: Any) -> tuple[list[str], list[QColor | None]]:
        texts = [c.text(obj) for c in self.columns]
        colours: list[QColor | None] = []
        for c in self.columns:
            name = c.colour(obj) if c.colour else None
            if name is None:
                colours.append(None)
            else:
                b = self._brushes.get(name)
                if b is None:
                    b = self._brushes[name] = QColor(name)
                colours.append(b)
        return texts, colours

    def _row(self, row: int) -> tuple[list[str], list[QColor | None]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == DISPLAY:
                return self.columns[section].title
            if role == ALIGN:
                return self._align[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role == DISPLAY:
            return self._row(index.row())[0][index.column()]
        if role == ALIGN:
            return self._align[index.column()]
        if role == FG:
            return self._row(index.row())[1][index.column()]
        return None

    def obj(self, row: int) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def export_csv(self, path: Path) -> int:
        """Write every row to ``path`` as data: numbers as plain numbers (no separators, signs or units) with one
        "unit" column (the settlement currency of the money columns), text columns as shown. Returns the rows."""
        keep = [c for c in self.columns if c.action is None]
        has_unit = any(c.unit is not None for c in keep)
        path = guard_out(path)  # never over an account, the log or a database
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([c.title for c in keep] + (["unit"] if has_unit else []))
            n = self.rowCount()
            for r in range(n):
                obj = self.obj(r)
                cells = [str(c.number(obj)) if c.number is not None else c.text(obj) for c in keep]
                if has_unit:
                    cells.append(next((c.unit(obj) for c in keep if c.unit is not None), ""))
                w.writerow(["" if cell in ("None", "nan", "—") else cell for cell in cells])
        return n

    def reformat(self) -> None:
        """The display units changed: recompute every row's text."""
        self.beginResetModel()
        self._rows = [self._format(self.obj(r)) for r in reversed(range(self.rowCount()))] \
            if isinstance(self, AppendTableModel) else [self._format(self.obj(r)) for r in range(self.rowCount())]
        self.endResetModel()


class KeyedTableModel(_FormattedModel):
    """Rows identified by a key; ``update(objs)`` diffs against the previous frame."""

    def __init__(self, columns: Sequence[Column], key: Callable[[Any], Any], parent: Any = None) -> None:
        super().__init__(columns, parent)
        self.key = key
        self.objs: list[Any] = []
        self._rows: list[tuple[list[str], list[QColor | None]]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.objs)

    def _row(self, row: int) -> tuple[list[str], list[QColor | None]]:
        return self._rows[row]

    def obj(self, row: int) -> Any:
        return self.objs[row]

    def update(self, objs: Sequence[Any]) -> None:
        new_keys = {self.key(o): o for o in objs}
        # 1. remove rows whose key is gone (bottom up, so indices stay valid)
        for r in range(len(self.objs) - 1, -1, -1):
            if self.key(self.objs[r]) not in new_keys:
                self.beginRemoveRows(QModelIndex(), r, r)
                del self.objs[r], self._rows[r]
                self.endRemoveRows()
        # 2. changed rows: dataChanged for exactly those
        pos = {self.key(o): i for i, o in enumerate(self.objs)}
        last_col = len(self.columns) - 1
        for k, o in new_keys.items():
            i = pos.get(k)
            if i is not None and self.objs[i] != o:
                self.objs[i] = o
                self._rows[i] = self._format(o)
                self.dataChanged.emit(self.index(i, 0), self.index(i, last_col), [DISPLAY, FG])
        # 3. new keys are appended
        fresh = [o for k, o in new_keys.items() if k not in pos]
        if fresh:
            n = len(self.objs)
            self.beginInsertRows(QModelIndex(), n, n + len(fresh) - 1)
            self.objs.extend(fresh)
            self._rows.extend(self._format(o) for o in fresh)
            self.endInsertRows()

    def reformat(self) -> None:
        """Formatting inputs changed (e.g. the instrument catalog view): recompute every row."""
        self.beginResetModel()
        self._rows = [self._format(o) for o in self.objs]
        self.endResetModel()


class AppendTableModel(_FormattedModel):
    """An append-only list shown newest first: ``append(rows)`` inserts only the new rows (``beginInsertRows``),
    ``reset(rows)`` starts over (another account)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(columns, parent)
        self.objs: list[Any] = []  # oldest first
        self._rows: list[tuple[list[str], list[QColor | None]]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def _row(self, row: int) -> tuple[list[str], list[QColor | None]]:
        return self._rows[len(self._rows) - 1 - row]

    def obj(self, row: int) -> Any:
        return self.objs[len(self.objs) - 1 - row]

    def append(self, objs: Sequence[Any]) -> None:
        k = len(objs)
        if k == 0:
            return
        self.beginInsertRows(QModelIndex(), 0, k - 1)  # newest first: new rows go on top
        self.objs.extend(objs)
        self._rows.extend(self._format(o) for o in objs)
        self.endInsertRows()

    def reset(self, objs: Sequence[Any]) -> None:
        self.beginResetModel()
        self.objs = list(objs)
        self._rows = [self._format(o) for o in self.objs]
        self.endResetModel()
