"""Positions, open orders, fills and ledger: column specs, the table views and their actions.

Action cells (Close market / Close limit / Cancel) are plain text columns with click handling — no per-cell
widgets. Every table has a right-click "Export CSV…". Columns are sized once, never to contents per update.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.instruments import Catalog
from terminal.domain.orders import ORDER_TYPE_SHORT_LABELS
from terminal.market.views import receipt, slippage_minor
from terminal.session.frame import Frame, OrderView, PositionView
from ui.services.out_guard import write_or_say
from ui.style import format as fmt
from ui.style import theme
from ui.tables.models import AppendTableModel, Column, KeyedTableModel


def _side_colour(side: str) -> str:
    return theme.LONG if side == "buy" else theme.SHORT


def position_columns(cat: Catalog) -> list[Column]:
    def lev(p: PositionView) -> str:
        return ("Cross " if p.margin_mode == "cross" else "") + fmt.leverage(p.leverage)

    return [
        Column("Symbol", lambda p: p.symbol, "left", width=80),
        Column("Size", lambda p: fmt.qty(p.size, sign=True), colour=lambda p: theme.sign_colour(p.size), width=90,
               number=lambda p: p.size),
        Column("Value", lambda p: fmt.money(p.currency, p.value_minor), width=110,
               number=lambda p: fmt.number(p.currency, p.value_minor), unit=lambda p: p.currency),
        Column("Entry Price", lambda p: fmt.price(cat[p.symbol], p.entry_price), number=lambda p: p.entry_price),
        Column("Mark Price", lambda p: fmt.price(cat[p.symbol], p.mark_price), number=lambda p: p.mark_price),
        Column("Liq. Price", lambda p: fmt.price(cat[p.symbol], p.liquidation_price), colour=lambda p: theme.LIQ,
               number=lambda p: p.liquidation_price),
        Column("Margin", lambda p: fmt.money(p.currency, p.position_margin_minor), width=110,
               number=lambda p: fmt.number(p.currency, p.position_margin_minor)),
        Column("Leverage", lev, width=80, number=lambda p: p.leverage),
        Column("Unrealised PnL (ROE %)",
               lambda p: f"{fmt.money(p.currency, p.unrealised_pnl_minor, sign=True)} ({fmt.pct(p.roe_pct)})",
               colour=lambda p: theme.sign_colour(p.unrealised_pnl_minor), width=190,
               number=lambda p: fmt.number(p.currency, p.unrealised_pnl_minor)),
        Column("Realised PnL", lambda p: fmt.money(p.currency, p.realised_pnl_minor, sign=True),
               colour=lambda p: theme.sign_colour(p.realised_pnl_minor), width=110,
               number=lambda p: fmt.number(p.currency, p.realised_pnl_minor)),
        Column("Close", lambda p: "Market", "center", lambda p: theme.LAST, 64, "close_market"),
        Column("", lambda p: "Limit", "center", lambda p: theme.LAST, 56, "close_limit"),
    ]


def order_columns(cat: Catalog) -> list[Column]:
    def flags(o: OrderView) -> str:
        f = [n for n, on in (("Post", o.post_only), ("Reduce", o.reduce_only), ("Close", o.close_on_trigger)) if on]
        if o.bracket_of is not None:  # a bracket leg: the entry it protects (the other leg goes when it fills)
            f.append(f"{'TP' if o.type.startswith('take_profit') else 'SL'} of #{o.bracket_of}")
        for word, px in (("TP", o.take_profit), ("SL", o.stop_loss)):  # an entry's bracket, armed when it fills
            if px is not None:
                f.append(f"{word} {fmt.price(cat[o.symbol], px)}")
        return " ".join(f)

    return [
        Column("Symbol", lambda o: o.symbol, "left", width=80),
        Column("Side", lambda o: o.side.title(), "left", lambda o: _side_colour(o.side), 50),
        Column("Type", lambda o: ORDER_TYPE_SHORT_LABELS.get(o.type, o.type), "left", width=110),
        Column("Qty", lambda o: fmt.qty(o.qty), width=90, number=lambda o: o.qty),
        Column("Filled", lambda o: fmt.qty(o.filled_qty), width=80, number=lambda o: o.filled_qty),
        Column("Price", lambda o: fmt.price(cat[o.symbol], o.price), number=lambda o: o.price),
        Column("Stop", lambda o: fmt.price(cat[o.symbol], o.stop_price), number=lambda o: o.stop_price),
        Column("Trigger", lambda o: o.trigger.title() if o.stop_price is not None else "", "left", width=60),
        Column("TIF", lambda o: o.time_in_force, "left", width=45),
        Column("Flags", flags, "left", width=150),
        Column("Status", lambda o: o.status.replace("_", " ").title(), "left", width=100),
        Column("Margin", lambda o: fmt.money(cat[o.symbol].settle_currency, o.margin_minor), width=110,
               number=lambda o: fmt.number(cat[o.symbol].settle_currency, o.margin_minor),
               unit=lambda o: cat[o.symbol].settle_currency),
        Column("Time (UTC)", lambda o: fmt.utc_time(o.created_ms), width=140),
        Column("", lambda o: "Cancel", "center", lambda o: theme.SHORT, 60, "cancel"),
    ]


def fill_columns(cat: Catalog) -> list[Column]:
    return [
        Column("Time (UTC)", lambda f: fmt.utc_time(f.time), "left", width=140),
        Column("Symbol", lambda f: f.symbol, "left", width=80),
        Column("Side", lambda f: f.side.title(), "left", lambda f: _side_colour(f.side), 50),
        Column("Qty", lambda f: fmt.qty(f.qty), width=90, number=lambda f: f.qty),
        Column("Price", lambda f: fmt.price(cat[f.symbol], f.price), number=lambda f: f.price),
        Column("Intended", lambda f: fmt.price(cat[f.symbol], f.intended_price), number=lambda f: f.intended_price),
        Column("Slippage", lambda f: receipt(cat[f.symbol], f), "left",
               lambda f: theme.SHORT if (f.slippage_bps or 0) > 0 else None, 210, number=lambda f: f.slippage_bps),
        Column("Slip cost", lambda f: fmt.money(f.currency, -(slippage_minor(cat[f.symbol], f) or 0), sign=True)
               if f.intended_price is not None else "", width=110,
               number=lambda f: fmt.number(f.currency, -(slippage_minor(cat[f.symbol], f) or 0))
               if f.intended_price is not None else ""),
        Column("Liquidity", lambda f: f.liquidity.title(), "left",
               lambda f: theme.LIQ if f.liquidity == "liquidation" else None, 80),
        Column("Fee", lambda f: fmt.money(f.currency, -f.fee_minor, sign=True), width=110,
               number=lambda f: fmt.number(f.currency, -f.fee_minor), unit=lambda f: f.currency),
        Column("Realised PnL", lambda f: fmt.money(f.currency, f.realised_pnl_minor, sign=True),
               colour=lambda f: theme.sign_colour(f.realised_pnl_minor), width=110,
               number=lambda f: fmt.number(f.currency, f.realised_pnl_minor)),
        Column("Order Type", lambda f: ORDER_TYPE_SHORT_LABELS.get(f.order_type, f.order_type), "left", width=110),
        Column("Order", lambda f: "" if f.order_id is None else str(f.order_id), width=60),
    ]


def ledger_columns() -> list[Column]:
    return [
        Column("Time (UTC)", lambda r: fmt.utc_time(r.time), "left", width=140),
        Column("Type", lambda r: r.kind.replace("_", " ").title(), "left", width=100),
        Column("Symbol", lambda r: r.symbol or "", "left", width=80),
        Column("Amount", lambda r: fmt.money(r.currency, r.amount_minor, sign=True),
               colour=lambda r: theme.sign_colour(r.amount_minor), width=130,
               number=lambda r: fmt.number(r.currency, r.amount_minor), unit=lambda r: r.currency),
        Column("Text", lambda r: r.text, "left", width=260),
    ]


class Table(QTableView):
    """A read-only table on a formatted model: sized once, right-click export, action-cell clicks."""

    actionClicked = Signal(str, object)  # action name, row object

    def __init__(self, model: Any, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setModel(model)
        self.formatted = model  # the model with its columns, row objects and CSV export (model() is Qt's base type)
        self.export_error = ""  # why the last CSV export was not written ("" when it was)
        self.setFont(theme.mono_font())
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(22)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        hh.setHighlightSections(False)
        for i, c in enumerate(model.columns):
            self.setColumnWidth(i, c.width)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.clicked.connect(self._clicked)
        self.extra_menu: list[tuple[str, Callable[[Any], None]]] = []

    def _clicked(self, index: QModelIndex) -> None:
        action = self.formatted.columns[index.column()].action
        if action:
            self.actionClicked.emit(action, self.formatted.obj(index.row()))

    def _menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        index = self.indexAt(pos)
        if index.isValid():
            obj = self.formatted.obj(index.row())
            for title, fn in self.extra_menu:
                menu.addAction(title, partial(fn, obj))
            if self.extra_menu:
                menu.addSeparator()
        menu.addAction("Export CSV…", self.export_dialog)
        menu.exec(self.viewport().mapToGlobal(pos))

    def export_dialog(self) -> None:
        name = self.objectName().split(".")[0]
        path, _ = QFileDialog.getSaveFileName(self, "Export CSV", f"{name}.csv", "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Write the table as CSV; a refused or failed write is said in words (never a traceback)."""
        self.export_error = write_or_say(self, "Export CSV", self.formatted.export_csv, path)
        return not self.export_error


class TablesPanel(QTabWidget):
    """The four tabs. Emits what the user asks for; the main window carries it out."""

    closeMarket = Signal(object)  # PositionView
    closeLimit = Signal(object)
    prefillClose = Signal(object)
    cancelOrder = Signal(object)  # OrderView
    cancelAll = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tables")
        self.positions = KeyedTableModel(position_columns(catalog), key=lambda p: p.symbol, parent=self)
        self.orders = KeyedTableModel(order_columns(catalog), key=lambda o: o.order_id, parent=self)
        self.fills = AppendTableModel(fill_columns(catalog), parent=self)
        self.ledger = AppendTableModel(ledger_columns(), parent=self)
        self.positions_view = Table(self.positions, "positions.table")
        self.orders_view = Table(self.orders, "orders.table")
        self.fills_view = Table(self.fills, "fills.table")
        self.ledger_view = Table(self.ledger, "ledger.table")

        pv = self.positions_view
        pv.actionClicked.connect(lambda a, p: (self.closeMarket if a == "close_market" else self.closeLimit).emit(p))
        pv.doubleClicked.connect(lambda i: self.prefillClose.emit(self.positions.obj(i.row())))
        pv.extra_menu = [("Close at market", self.closeMarket.emit), ("Close with a limit order", self.closeLimit.emit),
                         ("Fill the order form to close", self.prefillClose.emit)]
        ov = self.orders_view
        ov.actionClicked.connect(lambda a, o: self.cancelOrder.emit(o))
        ov.extra_menu = [("Cancel order", self.cancelOrder.emit), ("Cancel all orders", lambda o: self.cancelAll.emit())]

        orders_page = QWidget()
        lay = QVBoxLayout(orders_page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addStretch(1)
        self.cancel_all_button = QPushButton("Cancel all")
        self.cancel_all_button.setObjectName("orders.cancelAll")
        self.cancel_all_button.clicked.connect(self.cancelAll.emit)
        bar.addWidget(self.cancel_all_button)
        lay.addLayout(bar)
        lay.addWidget(ov)
        self.addTab(pv, "Positions")
        self.addTab(orders_page, "Open Orders")
        self.addTab(self.fills_view, "Fills")
        self.addTab(self.ledger_view, "Ledger")

    def update_frame(self, frame: Frame) -> None:
        """Positions and orders diffed by key; fills and ledger rows booked since the last frame appended (all of
        them again when the frame starts another account)."""
        positions, orders = frame.positions, frame.orders
        self.positions.update(positions)
        self.orders.update(orders)
        if frame.reset:
            self.fills.reset(frame.history.fills)
            self.ledger.reset(frame.history.ledger)
        else:
            self.fills.append(frame.fills)
            self.ledger.append(frame.ledger)
        counts = (len(positions), len(orders))
        if counts != getattr(self, "_counts", None):
            self._counts = counts
            self.setTabText(0, f"Positions [{counts[0]}]")
            self.setTabText(1, f"Open Orders [{counts[1]}]")
