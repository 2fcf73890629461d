"""Previews the order form shows before a change is applied: an open position's liquidation price at the
leverage being dragged to, and after adding / removing isolated margin (numbers from the order service)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from terminal.domain.instruments import Instrument
from terminal.session.order_service import LeveragePreview, MarginPreview
from ui.style import format as fmt


def show_leverage_preview(inst: Instrument, preview: LeveragePreview | None, label: QLabel) -> None:
    """Fill ``label`` with "Liq. at 25x: … (now …)", or hide it when there is nothing to preview."""
    if preview is None:
        label.setText("")
        label.setVisible(False)
        return
    label.setText(f"Liq. at {fmt.leverage(preview.leverage)}: {fmt.price(inst, preview.liquidation_price)}  "
                  f"(now {fmt.price(inst, preview.liquidation_price_now)})")
    label.setVisible(True)


def show_margin_preview(inst: Instrument, preview: MarginPreview | None, label: QLabel) -> None:
    if preview is None:
        label.setText("")
        return
    label.setText(f"add → liq {fmt.price(inst, preview.liquidation_if_added)}   "
                  f"remove → liq {fmt.price(inst, preview.liquidation_if_removed)}")
