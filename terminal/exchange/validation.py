"""Order checks that BitMEX makes, each with a reason a trader understands.

A rejected request raises :class:`Rejected` before anything in the account changes.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from terminal.domain.errors import TerminalError
from terminal.domain.instruments import Instrument
from terminal.domain.orders import OrderRequest, OrderType

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


class Rejected(TerminalError):
    """An order or account change the exchange refuses; the message is for the trader."""


def fmt_qty(q: float) -> str:
    return f"{q:,.0f}" if float(q).is_integer() else f"{q:,}"


def best_prices(inst: Instrument, last: float, spread_ticks: int) -> tuple[float, float]:
    """(best bid, best ask) of the simulated book around the last trade."""
    half = spread_ticks * inst.tick_size
    d = inst.tick_decimals
    return round(last - half, d), round(last + half, d)  # last trades on the tick, so these are on it too


def check_size(inst: Instrument, qty: int) -> None:
    if qty <= 0:
        raise Rejected(f"Order size must be positive (got {fmt_qty(qty)} contracts).")
    if qty % inst.lot_size:
        raise Rejected(
            f"Order size {fmt_qty(qty)} is not a multiple of {inst.symbol}'s lot size of {fmt_qty(inst.lot_size)} contracts."
        )
    if qty < inst.min_order_qty:
        raise Rejected(f"Order size {fmt_qty(qty)} is below {inst.symbol}'s minimum of {fmt_qty(inst.min_order_qty)} contracts.")
    if qty > inst.max_order_qty:
        raise Rejected(
            f"Order size {fmt_qty(qty)} is above {inst.symbol}'s maximum of {fmt_qty(inst.max_order_qty)} contracts."
        )


def check_price(inst: Instrument, price: float | None, what: str, needed: bool) -> None:
    if price is None:
        if needed:
            raise Rejected(f"This order type needs a {what}.")
        return
    if not math.isfinite(price) or price <= 0:
        raise Rejected(f"The {what} must be a positive number (got {price:g}).")
    if price > inst.max_price:
        raise Rejected(
            f"The {what} {inst.format_price(price)} is above {inst.symbol}'s maximum price of {inst.format_price(inst.max_price)}."
        )
    if not inst.is_on_tick(price):
        raise Rejected(
            f"The {what} {price:,.{inst.tick_decimals + 2}f} is not on {inst.symbol}'s tick size of "
            f"{inst.tick_size:.{inst.tick_decimals}f}."
        )


def check_request(ex: Exchange, req: OrderRequest) -> None:
    """Everything but the balance check (that needs the order's cost)."""
    if req.symbol not in ex.catalog:
        raise Rejected(f"Unknown symbol {req.symbol!r}.")
    inst = ex.catalog[req.symbol]
    if inst.expiry is not None and ex.now_ms >= int(inst.expiry.timestamp() * 1000):
        raise Rejected(f"{inst.symbol} expired on {inst.expiry:%Y-%m-%d %H:%M} UTC and no longer trades.")
    check_size(inst, req.qty)
    t = req.type
    check_price(inst, req.price, "limit price", t.has_limit_price)
    if t != OrderType.MARKET and not t.has_limit_price and req.price is not None:
        raise Rejected(f"A {t.label} order takes no limit price.")
    needs_stop = t.is_conditional and t != OrderType.TRAILING_STOP
    check_price(inst, req.stop_price, "stop price", needs_stop)
    if not t.is_conditional and req.stop_price is not None:
        raise Rejected(f"A {t.label} order takes no stop price.")
    if t == OrderType.TRAILING_STOP:
        if req.trail_offset is None or req.trail_offset <= 0:
            raise Rejected("A trailing stop needs a positive trail offset (the distance it follows the market by).")
    if req.post_only:
        if t not in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT):
            raise Rejected("Post-only applies to limit orders only.")
        if req.tif in ("IOC", "FOK"):
            raise Rejected("Post-only orders must rest on the book: use Good-Till-Cancel.")
    m = ex.markets.get(req.symbol)
    if m is None or not math.isfinite(m.last):
        raise Rejected(f"No market price for {inst.symbol} yet: wait for the first tick.")
    if req.post_only and t == OrderType.LIMIT and req.price is not None:
        bid, ask = ex.matcher.quote(inst)  # the book the order would rest on (not last ± spread: with an order
        # book the last trade can stand outside it)
        crosses = req.price >= ask if req.direction > 0 else req.price <= bid
        if crosses:
            book = f"best ask {inst.format_price(ask)}" if req.direction > 0 else f"best bid {inst.format_price(bid)}"
            raise Rejected(
                f"Post-only order would take liquidity: a {req.side} at {inst.format_price(req.price)} crosses the {book}."
            )
    if t.is_conditional and t != OrderType.TRAILING_STOP and req.stop_price is not None:
        source = {"mark": m.mark, "last": m.last, "index": m.index}[req.trigger]
        if math.isfinite(source):
            fires_up = req.direction if not t.is_if_touched else -req.direction
            wrong = req.stop_price <= source if fires_up > 0 else req.stop_price >= source
            if wrong:
                kind = "take-profit" if t.is_if_touched else "stop"
                where = "above" if fires_up > 0 else "below"
                raise Rejected(
                    f"A {req.side} {kind} must be {where} the current {req.trigger} price "
                    f"({inst.format_price(source)}); {inst.format_price(req.stop_price)} would trigger at once."
                )
    pos = ex.positions.get(req.symbol)
    if req.reduce_only and not req.close_on_trigger:
        pq = pos.qty if pos else 0
        if pq == 0 or (pq > 0) == (req.direction > 0):
            have = "you have no position" if pq == 0 else f"you are {'long' if pq > 0 else 'short'} {fmt_qty(abs(pq))}"
            raise Rejected(f"Reduce-only order would increase your {inst.symbol} position ({have}).")
