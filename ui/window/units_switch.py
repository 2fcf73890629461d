"""The units switch (``view.units``): money in the coin, in satoshis, or in US dollars at the mark — for the account
strip, the tables and the order form's read-outs at once (``ui.style.units``).

In USD the rate is the XBTUSD mark of the latest frame; the account strip is re-priced when the mark moves.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox

from ui.style import units

RATE_SYMBOLS = {"XBT": "XBTUSD"}  # the mark that prices a coin in USD


class UnitsSwitch(QComboBox):
    def __init__(self, win: Any) -> None:
        super().__init__()
        self.win = win
        self.setObjectName("view.units")
        self.setToolTip("Show money in the coin, in satoshis, or in US dollars at the mark")
        for u in units.UNITS:
            self.addItem(units.LABELS[u], u)
        units.set_unit("coin")  # a new window opens in the coin, as BitMEX shows it
        self.currentIndexChanged.connect(lambda i: self.set_unit(units.UNITS[i]))
        self._rate_shown: float | None = None
        win.bridge.frame.connect(self.on_frame)
        self.unit_actions: dict[str, QAction] = {}  # `actions` would hide QWidget.actions

    def menu_actions(self, menu: Any) -> None:
        """A "Units" submenu of the View menu, in step with the combo box."""
        sub = menu.addMenu("Units")
        group = QActionGroup(sub)
        for u in units.UNITS:
            a = QAction(units.LABELS[u], sub)
            a.setObjectName(f"view.units.{u}")
            a.setCheckable(True)
            a.setChecked(u == units.current())
            a.triggered.connect(lambda _=False, u=u: self.setCurrentIndex(units.UNITS.index(u)))
            group.addAction(a)
            sub.addAction(a)
            self.unit_actions[u] = a

    def on_frame(self, frame: Any) -> None:
        markets = frame.snapshot.markets
        for cur, sym in RATE_SYMBOLS.items():
            m = markets.get(sym)
            if m is not None and m.mark and m.mark > 0:
                units.CURRENT.usd_per[cur] = float(m.mark)
        rate = units.CURRENT.usd_per.get("XBT")
        if units.current() == "usd" and rate and (self._rate_shown is None or abs(rate / self._rate_shown - 1) > 1e-5):
            self._rate_shown = rate
            self._account_strip()

    def set_unit(self, unit: str) -> None:
        units.set_unit(unit)
        if unit in self.unit_actions:
            self.unit_actions[unit].setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        """Every money read-out again, in the new unit."""
        win = self.win
        self._account_strip()
        tables = getattr(win, "tables", None)
        for name in ("positions", "orders", "fills", "ledger"):
            model = getattr(tables, name, None)
            if model is not None:
                model.reformat()
        form = getattr(win, "form", None)
        if form is not None:
            form.refresh()
        training = getattr(win, "training", None)
        if training is not None:
            training.presenter.show_action(f"Units: {units.LABELS[units.current()]}")

    def _account_strip(self) -> None:
        win = self.win
        last = win.bridge.last
        account = getattr(win, "account", None)
        if last is None or account is None:
            return
        account._last = None  # re-render even though the wallet did not change
        account.update_wallet(last.wallet)


def install_units_switch(win: Any, view_menu: Any = None) -> UnitsSwitch:
    switch = UnitsSwitch(win)
    win.toolbar.sim_bar.addWidget(switch)
    if view_menu is not None:
        switch.menu_actions(view_menu)
    return switch
