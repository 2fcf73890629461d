"""The Journal dock (``journal.table``): one row per round trip, the trainee's note editable, CSV export.

A :class:`QAbstractTableModel` over the lesson service's journal rows: rows are appended with ``beginInsertRows``,
the open trip's row is refreshed with ``dataChanged`` (its MFE / MAE move with the market), and cells are formatted
once per change, not in ``data()``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from terminal.domain.money import MINOR_PER_MAJOR
from ui.services.lessons import LessonService
from ui.services.out_guard import write_or_say

Index = QModelIndex | QPersistentModelIndex
COLUMNS = (("trip", "#"), ("symbol", "Symbol"), ("side", "Side"), ("entry_price", "Entry"), ("exit_price", "Exit"),
           ("size", "Size"), ("leverage", "Lev."), ("margin_mode", "Mode"), ("stop_at_entry", "Stop"),
           ("r_multiple", "R"), ("mfe_minor", "MFE"), ("mae_minor", "MAE"), ("decision_pnl_minor", "Decision PnL"),
           ("fees_minor", "Fees"), ("funding_minor", "Funding"), ("slippage_minor", "Slippage"),
           ("net_pnl_minor", "Net PnL"), ("closest_liq_pct", "Closest to liq."), ("coach_warnings_ignored", "Coach"),
           ("note", "Note"))
NOTE = len(COLUMNS) - 1


def _cell(key: str, row: dict[str, object]) -> str:
    v = row.get(key)
    if v is None:
        return "–"
    if key.endswith("_minor") and isinstance(v, int):
        cur = str(row["currency"])
        d = 8 if cur == "XBT" else 2
        return f"{v / MINOR_PER_MAJOR[cur]:+,.{d}f}"
    if key == "leverage" and isinstance(v, (int, float)):
        return f"{v:g}x"
    if key == "closest_liq_pct" and isinstance(v, (int, float)):
        return f"{v:.2f} %"
    if key == "coach_warnings_ignored" and isinstance(v, list):
        return ", ".join(str(x) for x in v) or "–"
    if key == "side":
        return str(v) + (" (liquidated)" if row.get("liquidated") else "") + (" — undone" if row.get("undone") else "")
    return str(v)


class JournalModel(QAbstractTableModel):
    noteEdited = Signal(int, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, object]] = []
        self._cells: list[list[str]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and 3 <= index.column() < NOTE - 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == NOTE else f

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() != NOTE or role != Qt.ItemDataRole.EditRole:
            return False
        row = self._rows[index.row()]
        row["note"] = str(value)
        self._cells[index.row()][NOTE] = str(value)
        self.noteEdited.emit(int(str(row["trip"])), str(value))
        self.dataChanged.emit(index, index)
        return True

    def update_rows(self, rows: list[dict[str, object]]) -> None:
        """New trips are appended; rows whose figures moved (the open trip) are refreshed."""
        if len(rows) < len(self._rows) or any(  # a rewind took trips back: start over
                r.get("trip") != o.get("trip") or r.get("undone") != o.get("undone") for r, o in zip(rows, self._rows)):
            self.beginResetModel()
            self._rows, self._cells = [], []
            self.endResetModel()
        for i, row in enumerate(rows[:len(self._rows)]):
            if row != self._rows[i]:
                self._rows[i] = row
                self._cells[i] = [_cell(k, row) for k, _ in COLUMNS]
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        if len(rows) > len(self._rows):
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, len(rows) - 1)
            for row in rows[first:]:
                self._rows.append(row)
                self._cells.append([_cell(k, row) for k, _ in COLUMNS])
            self.endInsertRows()


class JournalPanel(QWidget):
    def __init__(self, service: LessonService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.export_error = ""  # why the last export was not written ("" when it was)
        self.model = JournalModel(self)
        self.model.noteEdited.connect(service.set_note)
        self.table = QTableView()
        self.table.setObjectName("journal.table")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableView.EditTrigger.DoubleClicked | QTableView.EditTrigger.EditKeyPressed
                                   | QTableView.EditTrigger.SelectedClicked)
        self.undone = QLabel("")
        self.undone.setObjectName("journal.undone")
        self.export = QPushButton("Export CSV…")
        self.export.setObjectName("journal.exportCsv")
        self.export.clicked.connect(self._export)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        bottom = QHBoxLayout()
        bottom.addWidget(self.undone, 1)
        bottom.addWidget(self.export)
        lay.addLayout(bottom)
        service.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.model.update_rows(self.service.journal_rows())
        n = sum(len(s.journals.get("fills", [])) for s in self.service.undone)
        self.undone.setText(f"Undone by a rewind: {len(self.service.undone)} stretch(es), {n} fill(s); undone round "
                            "trips stay in the table, marked." if self.service.undone else "")

    def export_to(self, path: Path) -> bool:
        """Write the journal as CSV; a refused or failed write is said in words (never a traceback)."""
        self.export_error = write_or_say(self, "Export the journal", self.service.export_journal, path)
        return not self.export_error

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the journal", "journal.csv", "CSV (*.csv)")
        if path:
            self.export_to(Path(path))
