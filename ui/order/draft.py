"""Reading the order form: the typed order as a :class:`Draft` (contracts, preview price, request fields), or the
reason in words why it cannot be sent."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from terminal.domain.orders import OrderType
from ui.order.price_field import typed_price


@dataclass
class Draft:
    """A valid order as typed: contracts, the price to preview at, and the request minus the side."""

    qty: int
    preview_price: float | None
    fields: dict[str, object]


def read_draft(form: Any) -> Draft | str:
    """The order typed in ``form`` (an :class:`ui.order.form.OrderForm`), or the reason it cannot be sent."""
    inst, t = form.inst, form.otype
    text = form.size_box.text().replace(",", "").strip()
    if not text:
        return "Enter a size."
    try:
        amount = float(text)
    except ValueError:
        return f"Size {form.size_box.text()!r} is not a number."
    if not math.isfinite(amount) or amount <= 0:
        return "Size must be more than zero."
    trailing = t == OrderType.TRAILING_STOP
    boxes = {"limit price": (form.price, t.has_limit_price),
             "stop price": (form.stop_price, t.is_conditional and not trailing),
             "trail offset": (form.trail_offset, trailing)}
    typed: dict[str, float] = {}
    for name, (spin, used) in boxes.items():
        if used:
            value = typed_price(spin, name, inst)
            if isinstance(value, str):
                return value
            typed[name] = value
    price, stop, trail = typed.get("limit price"), typed.get("stop price"), typed.get("trail offset")
    unit = inst.qty_units[max(0, form.size_unit.currentIndex())]
    ref = price or stop or form.last_price()
    raw = inst.contracts_from(amount, unit, ref)
    if not math.isfinite(raw) or raw > inst.max_order_qty + inst.lot_size / 2:
        return f"Size is above {inst.symbol}'s maximum order of {inst.max_order_qty:,} contracts."
    if unit != "contracts":
        raw = round(raw / inst.lot_size) * inst.lot_size
    elif abs(raw - round(raw)) > 1e-9 or round(raw) % inst.lot_size:
        return f"Size must be a multiple of {inst.lot_size:,} contracts (the lot size)."
    qty = int(round(raw))
    if qty < inst.min_order_qty:
        return f"Size is below {inst.symbol}'s minimum order of {inst.min_order_qty:,} contracts."
    if qty > inst.max_order_qty:
        return f"Size is above {inst.symbol}'s maximum order of {inst.max_order_qty:,} contracts."
    fields: dict[str, object] = {
        "symbol": inst.symbol, "qty": qty, "type": t, "price": price, "stop_price": stop,
        "trigger": form.trigger.currentText().lower(), "post_only": form.post_only.isChecked(),
        "reduce_only": form.reduce_only.isChecked(), "close_on_trigger": form.close_on_trigger.isChecked(),
        "trail_offset": trail,
        "time_in_force": None if t == OrderType.MARKET else form.tif.currentText(),
    }
    preview_price = price if price is not None else stop
    return Draft(qty, preview_price, fields)
