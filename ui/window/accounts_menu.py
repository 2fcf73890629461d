"""The Account menu: named practice accounts (one per trainee), switch, reset to a chosen balance, delete,
and the training option "reset after liquidation".

The actions work on the window's store and bridge; each dialog only gathers inputs for a plain method, so
tests call the methods and people use the menu.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from terminal.domain.money import MINOR_PER_MAJOR
from ui.services.accounts import Accounts
from ui.services.bridge import Frame

DEFAULT_BALANCES = {"XBT": 1.0, "USDT": 10_000.0}


class BalanceDialog(QDialog):
    """Name (optional) and starting balances in XBT and USDT."""

    def __init__(self, parent: QWidget | None, title: str, ask_name: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. trainee-1")
        if ask_name:
            form.addRow("Account name", self.name)
        self.spins: dict[str, QDoubleSpinBox] = {}
        for cur, default in DEFAULT_BALANCES.items():
            spin = QDoubleSpinBox(self)
            spin.setDecimals(4 if cur == "XBT" else 2)
            spin.setRange(0, 1_000 if cur == "XBT" else 100_000_000)
            spin.setValue(default)
            spin.setSuffix(f" {cur}")
            form.addRow(f"Starting {cur}", spin)
            self.spins[cur] = spin
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def wallets_minor(self) -> dict[str, int]:
        return {cur: round(spin.value() * MINOR_PER_MAJOR[cur]) for cur, spin in self.spins.items()}


class AccountActions:
    """What the Account menu does, on a MainWindow (``account_service``, ``bridge``, ``set_saved_note``, ``form``).

    The work is done by :class:`ui.services.accounts.Accounts`; this class says how it went in the form's message
    line and keeps the window's title and "saved to" note in step.
    """

    def __init__(self, window: Any) -> None:
        self.window = window
        self.service: Accounts = window.account_service
        self.settings = QSettings("LeverageTerminal", "Leverage Terminal")
        self.reset_after_liquidation = bool(self.settings.value("training/resetAfterLiquidation", False, type=bool))
        self.reset_wallets: dict[str, int] | None = None
        window.bridge.frame.connect(self._on_frame)

    @property
    def data_dir(self) -> Path | None:
        return self.service.data_dir

    def accounts(self) -> list[str]:
        return self.service.names()

    def _adopted(self) -> None:
        w = self.window
        w.setWindowTitle(f"Leverage Terminal — {self.service.name}")
        w.set_saved_note(None)

    def switch(self, name: str) -> None:
        """Save and close this account, open ``name`` (the active account from now on)."""
        if self.service.data_dir is None or name == self.service.name:
            return
        error = self.service.switch(name)
        if error is not None:
            self.window.form.say(error, "reject")
            return
        self._adopted()
        self.window.form.say(f"Switched to account “{name}”.", "ok")

    def create(self, name: str, wallets_minor: dict[str, int]) -> None:
        if self.data_dir is None:
            return
        error = self.service.create(name, wallets_minor)
        if error is not None:
            self.window.form.say(error, "reject")
            return
        self._adopted()
        self.window.form.say(f"Switched to account “{name}”.", "ok")

    def reset(self, wallets_minor: dict[str, int] | None) -> None:
        lessons = self.window.lessons.service
        if lessons.in_lesson:  # the practice account is set aside: a reset here starts the lesson over
            lessons.start(lessons.lesson, lessons.lesson_text, lessons.pack_checksum)
            self.window.form.say("The lesson started over: its own market and account again.", "ok")
            return
        self.service.reset(wallets_minor)
        self.window.form.say("Account reset.", "ok")

    def delete(self, name: str) -> None:
        error = self.service.delete(name)
        if error is not None:
            self.window.form.say(error, "reject")

    def set_reset_after_liquidation(self, on: bool) -> None:
        self.reset_after_liquidation = bool(on)
        self.settings.setValue("training/resetAfterLiquidation", self.reset_after_liquidation)

    def _on_frame(self, frame: Frame) -> None:
        if self.reset_after_liquidation and frame.liquidations and not self.window.lessons.service.in_lesson:
            # (in a lesson the liquidation stays: its checks and debrief are about it)
            self.reset(self.reset_wallets)
            self.window.form.say("Liquidated — the account was reset for another try (training option).", "input")

    # ------------------------------------------------------------ menu
    def install(self, menu: QMenu) -> None:
        w = self.window
        new = QAction("New account…", w)
        new.setObjectName("account.new")
        new.triggered.connect(self._ask_new)
        menu.addAction(new)
        switch = menu.addMenu("Switch account")
        switch.setObjectName("account.switch")
        switch.aboutToShow.connect(lambda: self._fill_switch(switch))
        reset = QAction("Reset to a starting balance…", w)
        reset.setObjectName("account.resetTo")
        reset.triggered.connect(self._ask_reset)
        menu.addAction(reset)
        delete = QAction("Delete an account…", w)
        delete.setObjectName("account.delete")
        delete.triggered.connect(self._ask_delete)
        menu.addAction(delete)
        menu.addSeparator()
        auto = QAction("Reset after liquidation (training)", w)
        auto.setObjectName("account.resetAfterLiquidation")
        auto.setCheckable(True)
        auto.setChecked(self.reset_after_liquidation)
        auto.toggled.connect(self.set_reset_after_liquidation)
        menu.addAction(auto)
        if w.store is None:
            for action in (new, reset, delete):
                action.setEnabled(action is reset)
            switch.setEnabled(False)

    def _fill_switch(self, menu: QMenu) -> None:
        menu.clear()
        current = self.service.name
        for name in self.accounts():
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(name == current)
            act.triggered.connect(lambda _=False, n=name: self.switch(n))

    def _ask_new(self) -> None:
        dlg = BalanceDialog(self.window, "New practice account", ask_name=True)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.name.text().strip():
            self.create(dlg.name.text().strip(), dlg.wallets_minor())

    def _ask_reset(self) -> None:
        dlg = BalanceDialog(self.window, "Reset account", ask_name=False)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        ask = QMessageBox.question(self.window, "Reset account", "Wipe positions, orders, fills and the ledger of "
                                   "this account and start with these balances?")
        if ask == QMessageBox.StandardButton.Yes:
            self.reset_wallets = dlg.wallets_minor()
            self.reset(self.reset_wallets)

    def _ask_delete(self) -> None:
        current = self.service.name
        names = [n for n in self.accounts() if n != current]
        if not names:
            self.window.form.say("There is no other account to delete.")
            return
        name, ok = QInputDialog.getItem(self.window, "Delete an account", "Account", names, 0, False)
        if ok and QMessageBox.question(self.window, "Delete an account",
                                       f"Delete “{name}” and everything in it?") == QMessageBox.StandardButton.Yes:
            self.delete(name)
