"""Brackets: a take-profit and a stop-loss attached to an entry order, owned by the exchange.

* They **arm when the entry fills**: two reduce-only conditional orders on the other side — a take-profit market
  order at ``take_profit`` and a stop-market at ``stop_loss`` (trigger: the entry's trigger source) — sized to the
  quantity filled so far, and re-sized as more of the entry fills.
* They are **one-cancels-other**: when one leg fills, the other is cancelled.
* They go when the position closes (reduce-only orders are cancelled when the position they reduce is gone) and
  shrink with it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.domain.orders import Order, OrderEvent, OrderRequest, OrderType
from terminal.exchange.validation import Rejected

if TYPE_CHECKING:
    from terminal.domain.instruments import Instrument
    from terminal.exchange.engine import Exchange


def check_bracket_prices(inst: Instrument, req: OrderRequest, reference: float) -> None:
    """TP on the profit side of the entry, SL on the loss side, both on the tick."""
    d = req.direction
    for name, px, sign in (("take-profit", req.take_profit, 1), ("stop-loss", req.stop_loss, -1)):
        if px is None:
            continue
        if not px > 0 or px > inst.max_price:
            raise Rejected(f"The {name} price must be between 0 and {inst.format_price(inst.max_price)}.")
        if not inst.is_on_tick(px):
            raise Rejected(f"The {name} price {px:g} is not on {inst.symbol}'s tick size of "
                           f"{inst.tick_size:.{inst.tick_decimals}f}.")
        if (px - reference) * d * sign <= 0:
            where = "above" if d * sign > 0 else "below"
            raise Rejected(f"A {req.side}'s {name} must be {where} the entry price ({inst.format_price(reference)}).")
    if req.reduce_only and (req.take_profit is not None or req.stop_loss is not None):
        raise Rejected("Brackets (take-profit / stop-loss) belong on an order that opens a position, not a reduce-only one.")


def legs_of(ex: Exchange, entry_id: int) -> list[Order]:
    return [o for o in ex.orders.values() if o.bracket_parent == entry_id]


def arm(ex: Exchange, entry: Order) -> None:
    """After a fill of ``entry``: create the legs, or re-size them to what has filled."""
    if entry.take_profit is None and entry.stop_loss is None:
        return
    pos = ex.positions.get(entry.symbol)
    if pos is None or pos.qty * entry.direction <= 0:
        return  # the fill only reduced a position: nothing to protect
    size = min(entry.filled_qty, abs(pos.qty))
    legs = legs_of(ex, entry.id)
    if legs:
        for leg in legs:
            if leg.qty != leg.filled_qty + size:
                leg.qty = leg.filled_qty + size
                ex.emit("order", leg)
        ex.dirty(entry.symbol)
        return
    side = "sell" if entry.direction > 0 else "buy"
    placed: list[int] = []
    for otype, px, name in ((OrderType.TAKE_PROFIT_MARKET, entry.take_profit, "take-profit"),
                            (OrderType.STOP_MARKET, entry.stop_loss, "stop-loss")):
        if px is None:
            continue
        req = OrderRequest(symbol=entry.symbol, side=side, qty=size, type=otype, stop_price=px,
                           trigger=entry.trigger, reduce_only=True, ref=f"{entry.ref or entry.id}:{name}")
        ack = ex.place_order(req)
        if ack.accepted and ack.order_id is not None:
            ex.orders[ack.order_id].bracket_parent = entry.id
            placed.append(ack.order_id)
        else:
            ex.reject("bracket", {"order_id": entry.id, "symbol": entry.symbol},
                      f"Bracket {name} of order {entry.id} not armed: {ack.reason}")
    if len(placed) == 2:
        a, b = placed
        ex.orders[a].oco_id, ex.orders[b].oco_id = b, a


def after_fill(ex: Exchange, order: Order) -> None:
    """Arm an entry's legs; when a leg has filled, cancel the other one (OCO)."""
    arm(ex, order)
    if order.oco_id is not None and order.leaves_qty == 0:
        other = ex.orders.get(order.oco_id)
        if other is not None:
            other.apply(OrderEvent.CANCEL, ex.now_ms)
            del ex.orders[other.id]
            ex.emit("order", other)
            ex.dirty(other.symbol)
