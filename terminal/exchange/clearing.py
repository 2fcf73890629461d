"""What follows an execution or a scheduled event: position, ledger, fees, liquidation, funding, expiry.

:meth:`Clearing.fill` is the one place an execution changes the account; the fill path
(:mod:`terminal.exchange.matching`, or an order book that replaces it) decides price and size and
calls it. Liquidation, funding and expiry settlement book their amounts here too, so every wallet
change of the exchange is in this file or in :meth:`Exchange.deposit`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.domain.account import Fill
from terminal.domain.margin import fee
from terminal.domain.orders import Order, OrderEvent, OrderStatus
from terminal.exchange.brackets import after_fill

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


class Clearing:
    """Books executions into positions and the ledger."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex

    def fill(self, o: Order, price: float, liquidity: str, qty: int | None = None) -> None:
        """Execute ``qty`` (default: all that is left) of order ``o`` at ``price`` as maker or taker."""
        ex = self.ex
        inst = ex.catalog[o.symbol]
        pos = ex.position(o.symbol)
        qty = o.leaves_qty if qty is None else min(qty, o.leaves_qty)
        if o.reduce_only:
            if pos.qty == 0 or (pos.qty > 0) == (o.direction > 0):
                ex.orders.pop(o.id, None)
                o.apply(OrderEvent.CANCEL, ex.now_ms)
                ex.emit("order", o)
                ex.dirty(o.symbol)
                return
            if qty > abs(pos.qty):  # a clipped reduce-only remainder is cancelled with the fill
                o.qty = o.filled_qty + abs(pos.qty)
                qty = abs(pos.qty)
        if qty <= 0:
            return
        if pos.qty == 0:
            s = ex.setting(o.symbol)
            pos.leverage, pos.cross = s.leverage, s.cross
        cur = inst.settle_currency
        value = inst.value_minor(qty, price)
        fee_minor = fee(value, inst.taker_fee if liquidity == "taker" else inst.maker_fee)
        realised = pos.apply_fill(inst, o.direction * qty, price, ex.now_ms)
        wallet = ex.wallets[cur].balance
        realised = max(realised, -wallet)  # a wallet never goes negative
        fid = ex.next_fill_id
        ex.next_fill_id += 1
        ex.book(cur, "realised_pnl", realised, o.symbol, fid, f"{o.side} {qty} @ {inst.format_price(price)}")
        charged = min(fee_minor, ex.wallets[cur].balance)
        ex.book(cur, "fee", -charged, o.symbol, fid, f"{liquidity} fee" if fee_minor >= 0 else "maker rebate")
        pos.realised_pnl -= charged  # BitMEX: a position's realised PnL counts the fees paid since it opened
        prev = o.filled_qty
        o.filled_qty += qty
        o.avg_fill_price = price if not prev or o.avg_fill_price is None else (
            (o.avg_fill_price * prev + price * qty) / o.filled_qty)
        if o.leaves_qty > 0:
            o.apply(OrderEvent.PARTIAL_FILL, ex.now_ms)
        else:
            o.apply(OrderEvent.FILL, ex.now_ms)
            ex.orders.pop(o.id, None)
        f = Fill(fid, ex.now_ms, o.id, o.symbol, o.side, qty, price, liquidity, fee_minor, realised, cur,
                 o.type.value)
        ex.fills.append(f)
        ex.emit("fill", f)
        ex.emit("order", o)
        ex.emit("position", o.symbol)
        if pos.qty == 0:
            pos.added_margin = 0
        after_fill(ex, o)
        self.shrink_reduce_only(o.symbol)
        ex.dirty(o.symbol)
        ex.dirty_cross(cur)  # this position's margin backs (or is backed by) the same wallet

    def shrink_reduce_only(self, symbol: str) -> None:
        ex = self.ex
        pos = ex.positions.get(symbol)
        pq = pos.qty if pos else 0
        for o in [o for o in ex.orders.values() if o.symbol == symbol and o.reduce_only]:
            if o.close_on_trigger and o.status == OrderStatus.UNTRIGGERED:
                continue  # close-on-trigger orders are clipped when they fire
            if pq == 0 or (pq > 0) == (o.direction > 0):
                ex.cancel_order(o.id, "reduce-only: the position it reduced is gone")
            elif o.leaves_qty > abs(pq):
                o.qty = o.filled_qty + abs(pq)
                ex.emit("order", o)
