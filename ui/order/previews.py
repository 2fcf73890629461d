"""Previews the order form shows before a change is applied: an open position's liquidation price at the
leverage being dragged to, and after adding / removing isolated margin."""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtWidgets import QLabel

from terminal.domain.instruments import Instrument
from terminal.domain.money import to_minor
from ui.style import format as fmt


def show_leverage_preview(ex: Any, inst: Instrument, lev: float | None, label: QLabel) -> bool:
    """Fill ``label`` with "Liq. at 25x: … (now …)"; returns whether an isolated position is open."""
    pos = ex.positions.get(inst.symbol)
    isolated_open = pos is not None and pos.qty != 0 and not pos.cross
    if pos is None or pos.qty == 0 or lev is None or abs(lev - pos.leverage) < 1e-9:
        label.setText("")
        label.setVisible(False)
        return isolated_open
    trial = copy.copy(pos)
    trial.leverage = lev
    backing = ex.cross_backing(inst.symbol) if trial.cross else None
    liq = trial.figures(inst, cross_balance=backing).liquidation_price
    now = ex.liq_bk(inst.symbol)[0]
    label.setText(f"Liq. at {fmt.leverage(lev)}: {fmt.price(inst, liq)}  (now {fmt.price(inst, now)})")
    label.setVisible(True)
    return isolated_open


def show_margin_preview(ex: Any, inst: Instrument, amount: float, label: QLabel) -> None:
    pos = ex.positions.get(inst.symbol)
    if pos is None or pos.qty == 0 or amount <= 0:
        label.setText("")
        return
    parts = []
    for sign, word in ((1, "add"), (-1, "remove")):
        trial = copy.copy(pos)
        trial.added_margin += sign * to_minor(inst.settle_currency, amount)
        parts.append(f"{word} → liq {fmt.price(inst, trial.figures(inst).liquidation_price)}")
    label.setText("   ".join(parts))
