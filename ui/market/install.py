"""Put the market views in the main window: the order-book ladder and trades tape docks, candles on the price
chart, and the fill-model switch in the status bar (``status.fillModel``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDockWidget, QDoubleSpinBox, QFileDialog, QMainWindow, QMessageBox

from terminal.domain.errors import InputError
from terminal.feeds.spec import FeedSpec
from terminal.market.views import FILL_MODELS
from terminal.session.frame import Frame
from ui.charts.candles import CandleLayer, install_candles
from ui.market.ladder import LadderPanel
from ui.market.tape import TapeView
from ui.market.throttle import EVERY, TapeWatch, Throttle

FILL_MODEL_TIPS = {
    "ideal": "Ideal fills: unlimited depth at last ± 1 tick — no slippage, resting limits fill when the price trades through",
    "realistic": "Realistic fills: orders walk the simulated book and take depth that refills; limits wait in the queue",
    "stressed": "Stressed fills: the same book with a wide spread and thin depth, as in a panic",
}


@dataclass
class MarketViews:
    ladder: LadderPanel
    tape: TapeView
    candles: CandleLayer
    fill_model: QComboBox
    book_dock: QDockWidget
    tape_dock: QDockWidget
    ladder_due: Throttle  # when the ladder and the tape redraw on the running clock (ui/market/throttle.py)
    tape_due: Throttle


def _prefill_limit(window: QMainWindow, price: float) -> None:
    """A ladder click: the form becomes a limit order at that level's price."""
    kind = window.findChild(QComboBox, "orderForm.orderType")
    if kind is not None and "limit" not in kind.currentText().lower():
        for i in range(kind.count()):
            if kind.itemText(i).lower() == "limit":
                kind.setCurrentIndex(i)
                break
    spin = window.findChild(QDoubleSpinBox, "orderForm.price")
    if spin is not None:
        spin.setValue(price)


def dump_kind(path: str) -> str | None:
    """``quotes`` or ``trades`` from a BitMEX dump's header line (``.csv`` or ``.csv.gz``), else None."""
    import gzip
    import os
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would block the window on open()
            return None
        with open(path, "rb") as fh:
            head = fh.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            line = fh.readline(4096).decode("utf-8", "replace").lstrip("\ufeff").strip()
    except OSError:
        return None
    if line.startswith("timestamp,symbol,bidSize,bidPrice,askPrice,askSize"):
        return "quotes"
    if line.startswith("timestamp,symbol,side,size,price"):
        return "trades"
    return None


def open_dump(window: Any, path: str) -> str | None:
    """Replay a BitMEX quote or trade dump on the symbol on screen from now (rebased); the refusal text, or None."""
    kind = dump_kind(path)
    if kind is None:
        return ("Not a BitMEX quote dump (timestamp,symbol,bidSize,bidPrice,askPrice,askSize) or trade dump "
                "(a regular .csv or .csv.gz file).")
    try:
        window.bridge.set_source(FeedSpec(kind=kind, path=path, symbol=window.bridge.symbol, rebase=True))  # type: ignore[arg-type]
    except InputError as exc:
        return str(exc)
    return None


def _add_open_action(window: Any) -> None:
    act = QAction("Open BitMEX quote / trade dump…", window)
    act.setObjectName("action.openDump")

    def choose() -> None:
        path, _ = QFileDialog.getOpenFileName(window, "Replay a BitMEX dump", "", "BitMEX dumps (*.csv *.csv.gz *.gz)")
        if path:
            why = open_dump(window, path)
            if why:
                QMessageBox.warning(window, "Cannot replay this file", why)

    act.triggered.connect(choose)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is not None and menu_action.text().replace("&", "") == "File":
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, act)
            return
    window.menuBar().addAction(act)


def install_market(window: Any) -> MarketViews:
    """Docks and controls of the market views, fed from the bridge's frames."""
    bridge = window.bridge
    ladder = LadderPanel()
    tape = TapeView()
    book_dock = window._dock("dock.book", "Order book", ladder, Qt.DockWidgetArea.RightDockWidgetArea)
    tape_dock = window._dock("dock.tape", "Trades", tape, Qt.DockWidgetArea.RightDockWidgetArea)
    window.splitDockWidget(book_dock, tape_dock, Qt.Orientation.Vertical)
    window.resizeDocks([book_dock], [250], Qt.Orientation.Horizontal)
    window.resizeDocks([book_dock, tape_dock], [430, 260], Qt.Orientation.Vertical)
    ladder.priceClicked.connect(lambda p: _prefill_limit(window, p))
    candles = install_candles(window.charts)

    combo = QComboBox()
    combo.setObjectName("status.fillModel")
    combo.addItems([f"Fills: {m}" for m in FILL_MODELS])
    current = bridge.fill_model or "ideal"
    combo.setCurrentIndex(FILL_MODELS.index(current))
    combo.setEnabled(bridge.fill_model is not None)
    combo.setToolTip(FILL_MODEL_TIPS[current])

    def switch(i: int) -> None:
        bridge.set_fill_model(FILL_MODELS[i])
        combo.setToolTip(FILL_MODEL_TIPS[FILL_MODELS[i]])

    combo.currentIndexChanged.connect(switch)
    window.statusBar().addPermanentWidget(combo)

    # on the running clock's frames the ladder and the tape redraw ~12 Hz each, on different frames; the trader's
    # orders, fills and any liquidation draw at once (ui/market/throttle.py)
    ladder_due, tape_due, tape_watch = Throttle(phase=0), Throttle(phase=EVERY // 2), TapeWatch()

    def on_frame(frame: Frame) -> None:
        if not book_dock.isHidden() and ladder_due.due(frame):
            ladder.update_frame(frame)
        if not tape_dock.isHidden() and tape_due.due(frame, tape_watch.urgent(frame)):
            tape.update_frame(frame)
        model = bridge.fill_model
        if model is not None and combo.currentIndex() != FILL_MODELS.index(model):
            combo.blockSignals(True)
            combo.setCurrentIndex(FILL_MODELS.index(model))
            combo.blockSignals(False)

    bridge.frame.connect(on_frame)
    def shown_again(view: LadderPanel | TapeView, shown: bool) -> None:
        # a hidden dock skips its frames: shown again (perhaps paused, when no frame comes), it draws the latest one
        if shown and bridge.last is not None:
            view.update_frame(bridge.last)

    book_dock.visibilityChanged.connect(lambda shown: shown_again(ladder, shown))
    tape_dock.visibilityChanged.connect(lambda shown: shown_again(tape, shown))
    _add_open_action(window)
    return MarketViews(ladder, tape, candles, combo, book_dock, tape_dock, ladder_due, tape_due)
