"""The terminal window: toolbar, order form dock, charts, account and tables docks, status bar.

``build_window(session, …)`` builds it around any :class:`TradingSession` (tests and ``shot`` hand one in);
``build_main_window(data_dir)`` opens the stored practice account first (falling back to an unsaved session,
marked in the status bar, when the store cannot be opened).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from terminal.session.frame import OrderView, PositionView
from terminal.session.order_service import Acknowledgement
from ui.charts.panels import ChartsPanel
from ui.lessons import install_lessons
from ui.market.install import install_market
from ui.order.form import OrderForm
from ui.services.accounts import Accounts
from ui.services.bridge import Frame, SessionBridge
from ui.services.sessions import fresh_session, offscreen, open_store
from ui.style import theme
from ui.tables.views import TablesPanel
from ui.training import install_training
from ui.window.account_panel import AccountPanel
from ui.window.accounts_menu import AccountActions
from ui.window.file_menu import install_file_menu
from ui.window.screen_fit import ScrollPanel, fit_to_screen
from ui.window.sim_controls import SimToolbar
from ui.window.toolbar_fit import ToolbarFit
from ui.window.units_switch import install_units_switch

if TYPE_CHECKING:  # the window is handed a session and passes it to the bridge; it never reads it
    from terminal.session.trading_session import TradingSession

__all__ = ["MainWindow", "build_main_window", "build_window", "ensure_app", "fresh_session", "open_store"]

ORG, APP = "LeverageTerminal", "Leverage Terminal"
LAYOUT_VERSION = 2  # 2: the order book, trades, journal and lesson docks; older layouts are not restored




def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    theme.apply_theme(app)
    return app




TALL_WINDOW_PX = 900  # from this height the right-hand docks take the bottom-right corner


class MainWindow(QMainWindow):
    def __init__(self, session: TradingSession, *, store: Any = None, symbol: str | None = None,
                 status_note: str | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"Leverage Terminal — {getattr(store, 'name', 'practice')}"
                            + ("" if store is not None else " (not saved)"))
        self.bridge = SessionBridge(session, symbol=symbol, store=store, parent=self)
        self.account_service = Accounts(self.bridge)
        self.toolbar = SimToolbar(self.bridge, self)
        self.addToolBar(self.toolbar)
        self.addToolBar(self.toolbar.sim_bar)
        self.charts = ChartsPanel(self.bridge)
        self.setCentralWidget(self.charts)
        self.form = OrderForm(self.bridge)
        self.account = AccountPanel()
        self.tables = TablesPanel(self.bridge.catalog)
        self.form_panel = ScrollPanel(self.form, "orderForm.scroll")  # a short screen scrolls the form, never squashes it
        self.form_dock = self._dock("dock.orderForm", "Order", self.form_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.account_dock = self._dock("dock.account", "Account", self.account, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tables_dock = self._dock("dock.tables", "Positions && orders", self.tables,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.account_dock, self.tables_dock, Qt.Orientation.Vertical)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.form_dock.setMinimumWidth(330)
        self.resizeDocks([self.form_dock], [360], Qt.Orientation.Horizontal)
        self.resizeDocks([self.account_dock, self.tables_dock], [64, 230], Qt.Orientation.Vertical)
        self.saved_label = QLabel("")
        self.statusBar().addPermanentWidget(self.saved_label)
        self._menus()
        self._wire()
        self.training = install_training(self)
        self.lessons = install_lessons(self)  # Training → Lessons, lesson panel, Journal, rewind bar, classroom
        self.market_views = install_market(self)  # order book, trades tape, candles, fill model (ui/market)
        self._default_state = self.saveState(LAYOUT_VERSION)
        fit_to_screen(self)  # the screen it opens on: a 1280x720 projector or a 4K monitor
        self._shared_height = False  # the default layout's height split waits for the first show (dock sizes)
        self._restore_layout()
        self.training.after_layout()
        self.toolbar_fit = ToolbarFit(self, self.toolbar.sim_bar)  # a second row when one row does not hold both
        self.set_saved_note(status_note)
        self.bridge.publish_all()  # the views were built after the bridge's first frame: they start from history

    @property
    def store(self) -> Any:
        """The account store on screen (None: an unsaved session); the bridge owns it."""
        return self.bridge.store

    # ---------------------------------------------------------------- building
    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def _menus(self) -> None:
        install_file_menu(self)
        view = self.menuBar().addMenu("&View")
        for d in (self.form_dock, self.account_dock, self.tables_dock):
            view.addAction(d.toggleViewAction())
        view.addSeparator()
        restore = QAction("Restore default layout", self)
        restore.setObjectName("action.restoreLayout")
        restore.triggered.connect(self.restore_default_layout)
        view.addAction(restore)
        self.units = install_units_switch(self, view)  # view.units: coin, sats or USD at the mark
        sim = self.menuBar().addMenu("&Simulation")
        play = QAction("Play / pause", self)
        play.setObjectName("sim.playPause")
        play.setShortcut(QKeySequence(Qt.Key.Key_F5))
        play.triggered.connect(self.toolbar.play.toggle)
        sim.addAction(play)
        step = QAction("Step one tick", self)
        step.setObjectName("sim.stepTick")
        step.setShortcut(QKeySequence(Qt.Key.Key_F6))
        step.triggered.connect(self.bridge.step)
        sim.addAction(step)
        jump = QAction("Jump to the next funding", self)
        jump.setObjectName("sim.jumpFunding")
        jump.setShortcut(QKeySequence(Qt.Key.Key_F7))
        jump.triggered.connect(self.jump_to_funding)
        sim.addAction(jump)
        for minutes in (1, 15, 60):
            act = QAction(f"Jump {minutes} min ahead", self)
            act.setObjectName(f"sim.jump{minutes}m")
            act.triggered.connect(lambda _=False, m=minutes: self.bridge.jump_by(m * 60_000))
            sim.addAction(act)
        account = self.menuBar().addMenu("&Account")
        reset = QAction("Reset account…", self)
        reset.triggered.connect(lambda: self.reset_account())
        account.addAction(reset)
        self.accounts = AccountActions(self)
        self.accounts.install(account)

    def _wire(self) -> None:
        b, t, orders = self.bridge, self.tables, self.bridge.orders
        b.frame.connect(self._on_frame)
        b.storeError.connect(lambda msg: self.set_saved_note(msg))
        t.closeMarket.connect(lambda p: self._said(orders.close(p.symbol), f"Close {p.symbol} at market"))
        t.closeLimit.connect(self._close_limit)
        t.prefillClose.connect(self._prefill)
        t.cancelOrder.connect(lambda o: self._said(orders.cancel(o.order_id), f"Cancel order {o.order_id}"))
        t.cancelAll.connect(lambda: self._said_n(orders.cancel_all(None)))
        self.charts.message.connect(lambda m: self.form.say(m, "chart"))
        self.toolbar.resetRequested.connect(lambda: self.reset_account())
        self.toolbar.followRequested.connect(self.charts.set_follow)
        self.charts.followChanged.connect(self._follow_changed)

    def _follow_changed(self, on: bool) -> None:
        self.toolbar.follow.blockSignals(True)
        self.toolbar.follow.setChecked(on)
        self.toolbar.follow.blockSignals(False)

    # ---------------------------------------------------------------- frames and actions
    def _on_frame(self, frame: Frame) -> None:
        self.account.update_wallet(frame.wallet)
        self.tables.update_frame(frame)

    def _said(self, ack: Acknowledgement, what: str) -> bool:
        """Say in the form's message line how an action from the tables went."""
        self.form.say(f"{what}: done." if ack.accepted else (ack.reason or "Refused."),
                      "ok" if ack.accepted else "reject")
        self.form.refresh()
        return bool(ack.accepted)

    def _said_n(self, ack: Acknowledgement) -> None:
        n = len(ack.order_ids)
        self.form.say(f"Cancelled {n} order{'s' if n != 1 else ''}.", "ok")
        self.form.refresh()

    def _close_limit(self, p: PositionView) -> None:
        frame = self.bridge.last
        inst = self.bridge.catalog[p.symbol]
        m = frame.snapshot.markets.get(p.symbol) if frame is not None else None
        last = m.last if m is not None else p.mark_price
        direction = 1 if p.size > 0 else -1  # a long closes with a sell resting just above the last price
        price = inst.round_price(last + direction * inst.tick_size)
        self._said(self.bridge.orders.close(p.symbol, price), f"Close {p.symbol} with a limit at {inst.format_price(price)}")

    def _prefill(self, p: PositionView) -> None:
        self.form.prefill_close(p)
        self.form.size_box.setFocus()

    def cancel_order(self, o: OrderView) -> None:
        self.tables.cancelOrder.emit(o)

    def jump_to_funding(self) -> None:
        """Fast-forward to just past the next funding instant (a trainer's "watch funding being paid")."""
        due = self.bridge.next_funding_ms()
        if due is None:
            self.form.say(f"{self.bridge.symbol} has no funding (a dated future).", "input")
            return
        self.bridge.jump_to(due + 1_000)
        self.form.say("Jumped past the funding time.", "ok")

    def reset_account(self, confirm: bool = True) -> bool:
        if confirm and not offscreen():
            ask = QMessageBox.question(self, "Reset account",
                                       "Start again with 1 XBT and 10,000 USDT? Positions, orders, fills and the "
                                       "ledger of this account are wiped.")
            if ask != QMessageBox.StandardButton.Yes:
                return False
        self.accounts.reset(None)  # (in a lesson: the lesson starts over)
        return True

    # ---------------------------------------------------------------- layout and exit
    def set_saved_note(self, note: str | None) -> None:
        if note:
            self.saved_label.setText(f"<span style='color:{theme.AMBER}'>{note}</span>")
        elif self.store is not None:
            self.saved_label.setText(f"Account “{self.store.name}” · saved to {self.store.path}")
        else:
            self.saved_label.setText(f"<span style='color:{theme.AMBER}'>Not saved (in-memory session)</span>")

    def _settings(self) -> QSettings:
        return QSettings(ORG, APP)

    def _restore_layout(self) -> None:
        s = self._settings()
        geo, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geo, QByteArray) and not offscreen():
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION):
            self._shared_height = True  # the trader's own split
            if not self._fits_screen():
                self.restore_default_layout()  # a layout saved on a bigger screen (or in presenter mode) would overflow

    def _fits_screen(self) -> bool:
        """Whether the window's docks and toolbars, as laid out now, fit the screen it is on."""
        screen = self.screen()
        if screen is None:
            return True
        need, room = self.minimumSizeHint(), screen.availableGeometry().size().expandedTo(self.size())
        return need.width() <= room.width() and need.height() <= room.height()

    def restore_default_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for d in (self.form_dock, self.account_dock, self.tables_dock):
            d.show()
        self._shared_height = False
        if self.isVisible():
            self.choose_corner()
            self.share_height()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.choose_corner()
        if not self._shared_height:
            self.share_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        tall = self.height() >= TALL_WINDOW_PX
        if self.isVisible() and (self.corner(Qt.Corner.BottomRightCorner) == Qt.DockWidgetArea.RightDockWidgetArea) != tall:
            self.choose_corner()  # crossed the line (maximised, moved to another screen, dragged)

    def choose_corner(self) -> None:
        """On a tall window the order book and the tape run the full height of the right side (16+ levels a side
        instead of 2–4 under a liquidation explainer); on a short one (a 720-pixel projector) the account and the
        tables keep the full width, so their read-outs stay on one row and the charts keep their height."""
        tall = self.height() >= TALL_WINDOW_PX
        area = Qt.DockWidgetArea.RightDockWidgetArea if tall else Qt.DockWidgetArea.BottomDockWidgetArea
        if self.corner(Qt.Corner.BottomRightCorner) == area:  # a restored layout keeps the corner it was saved
            other = Qt.DockWidgetArea.BottomDockWidgetArea if tall else Qt.DockWidgetArea.RightDockWidgetArea
            self.setCorner(Qt.Corner.BottomRightCorner, other)  # with: set it afresh so the docks follow
        self.setCorner(Qt.Corner.BottomRightCorner, area)

    def share_height(self) -> None:
        """The default split of the window's height: the tables take a fifth (a few rows), the charts the rest —
        on a 720-pixel projector the price chart is what the room looks at."""
        self._shared_height = True
        self.resizeDocks([self.tables_dock], [max(120, self.height() // 5)], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.unsaved_ok_to_close():
            event.ignore()
            return
        if self.bridge.running and not offscreen():
            ask = QMessageBox.question(self, "Quit", "The simulation is running. Quit anyway? "
                                       "(The account is saved as it is now.)")
            if ask != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.bridge.stop()
        s = self._settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self.bridge.close_store()
        super().closeEvent(event)


    ask_before_losing = not offscreen()  # a dialog on quit needs a screen (tests switch it on and answer it)

    def unsaved_ok_to_close(self) -> bool:
        """When saves are failing, try once more, then ask before quitting loses what is not on disk."""
        if not self.bridge.save_failing or self.bridge.retry_save() or not self.ask_before_losing:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Quit without saving?",
                          f"{self.bridge.save_note}\n\nQuitting now loses what is not on disk. Free some space or "
                          "make the folder writable, then try again — or quit anyway.", parent=self)
        box.setObjectName("dialog.unsavedQuit")
        again = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
        anyway = box.addButton("Quit anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(again)
        box.exec()
        if box.clickedButton() is again:
            return self.unsaved_ok_to_close()
        return box.clickedButton() is anyway


def build_window(session: TradingSession, *, store: Any = None, symbol: str | None = None,
                 status_note: str | None = None) -> MainWindow:
    """The whole window around ``session`` (no event loop is started)."""
    ensure_app()
    return MainWindow(session, store=store, symbol=symbol, status_note=status_note)


def build_main_window(data_dir: Path) -> QMainWindow:
    ensure_app()
    store, session, note = open_store(data_dir)
    return build_window(session, store=store, status_note=note)
