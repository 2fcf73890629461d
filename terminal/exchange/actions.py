"""What a trader does to the account: place, amend and cancel orders, change leverage, margin mode
and isolated margin, close a position — and the order form's live preview.

Every action is checked completely before anything changes; a refusal is an ``Ack`` with a reason,
recorded in ``rejections`` and leaving the account untouched.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from terminal.domain.instruments import Instrument
from terminal.domain.margin import figures, order_cost
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.domain.orders import Order, OrderEvent, OrderRequest, OrderStatus, OrderType
from terminal.exchange.brackets import check_bracket_prices
from terminal.exchange.types import Ack
from terminal.exchange.validation import Rejected, check_request, fmt_qty

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


def fmt_pair(currency: str, need: int, have: int) -> tuple[str, str]:
    """Format two amounts with the fewest decimals (≥ 4) that tell them apart."""
    mpm = MINOR_PER_MAJOR[currency]
    max_dec = len(str(mpm)) - 1
    dec = 4 if currency == "XBT" else 2
    while dec < max_dec and round(need / mpm, dec) == round(have / mpm, dec):
        dec += 1
    return f"{need / mpm:,.{dec}f} {currency}", f"{have / mpm:,.{dec}f} {currency}"


def insufficient(currency: str, need: int, have: int) -> Rejected:
    n, h = fmt_pair(currency, need, have)
    return Rejected(f"Insufficient available balance: need {n}, have {h}.")


def request_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "order"
    names = {"qty": "size", "price": "limit price", "stop_price": "stop price", "side": "side", "type": "order type",
             "trail_offset": "trail offset"}
    msg = str(err["msg"]).removeprefix("Value error, ").rstrip(".")
    return f"Invalid {names.get(field, field)}: {msg}."


@dataclass(frozen=True)
class SidePreview:
    cost: int
    order_value: int
    liquidation_price: float | None
    position_after: int
    price: float


@dataclass(frozen=True)
class OrderPreview:
    currency: str
    available_balance: int
    buy: SidePreview
    sell: SidePreview


class OrderDesk:
    """The account-changing actions of an :class:`Exchange` (composition: the exchange owns one)."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex

    def increasing_qty(self, symbol: str, direction: int, qty: int) -> int:
        ex = self.ex
        pos = ex.positions.get(symbol)
        pq = pos.qty if pos else 0
        offset = abs(pq) if pq * direction < 0 else 0
        return max(0, qty - offset)

    def check_risk_step(self, inst: Instrument, extra_qty: int, price: float, leverage: float) -> None:
        ex = self.ex
        if not inst.risk_limit or not inst.risk_step:
            return
        pos = ex.positions.get(inst.symbol)
        gross = inst.value_minor((abs(pos.qty) if pos else 0) + extra_qty, price)
        allowed = inst.max_leverage_at(gross)
        if leverage > allowed + 1e-9:
            raise Rejected(
                f"Leverage {leverage:g}x is above the {allowed:g}x allowed for a {inst.symbol} position of this size "
                f"(risk limit); lower the leverage or the size."
            )

    def immediate_cost(self, inst: Instrument, direction: int, qty: int, price: float,
                       leverage: float) -> int:
        """Balance an order that fills at once takes: the cost of the part that opens exposure."""
        ex = self.ex
        inc = self.increasing_qty(inst.symbol, direction, qty)
        if inc == 0:
            return 0
        mark = ex.markets[inst.symbol].mark
        return order_cost(inst, direction, inc, price, leverage, mark_price=mark if math.isfinite(mark) else None)

    # ---------------------------------------------------------------- orders
    def place_order(self, req: OrderRequest | dict[str, Any]) -> Ack:
        ex = self.ex
        raw = req

        def detail() -> dict[str, Any]:  # only a rejection needs it
            return raw.model_dump(mode="json") if isinstance(raw, OrderRequest) else dict(raw)

        try:
            if not isinstance(req, OrderRequest):
                req = OrderRequest.model_validate(req)
        except ValidationError as exc:
            return ex.reject("order", detail(), request_error(exc))
        try:
            check_request(ex, req)
            inst = ex.catalog[req.symbol]
            setting = ex.setting(req.symbol)
            order = Order(ex.next_order_id, req, ex.now_ms, setting.leverage, setting.cross)
            protect = getattr(ex.matcher, "protection_reason", None)  # an order book's fat-finger rule for limits
            refused = protect(inst, order) if protect is not None else None
            if refused:
                raise Rejected(refused)
            immediate_price = ex.matcher.immediate_price(inst, order)
            if immediate_price is not None and immediate_price <= 0:
                raise Rejected(
                    f"A market {req.side} cannot fill: the best bid would be at or below zero with {inst.symbol} "
                    f"last at {inst.format_price(ex.markets[req.symbol].last)}; use a limit order."
                )
            ref_price = immediate_price or req.price or req.stop_price or ex.markets[req.symbol].last
            check_bracket_prices(inst, req, ref_price)
            if not req.reduce_only:
                self.check_risk_step(inst, req.qty, ref_price, setting.leverage)
            cur = inst.settle_currency
            if not order.type.is_conditional and not order.reduce_only:
                if immediate_price is not None:
                    need = self.immediate_cost(inst, order.direction, order.qty, immediate_price, order.leverage)
                else:
                    assert order.price is not None  # an order that rests has a limit price
                    order.cost = order_cost(inst, order.direction, order.qty, order.price, order.leverage)
                    before = ex.order_margin(req.symbol)
                    order.status = OrderStatus.OPEN
                    need = ex.order_margin(req.symbol, extra=order) - before
                    order.status = OrderStatus.NEW
                have = ex.available_balance(cur)
                if need > have:
                    raise insufficient(cur, need, max(have, 0))
        except Rejected as exc:
            return ex.reject("order", detail(), str(exc))
        ex.next_order_id += 1
        if order.type.is_conditional:
            order.apply(OrderEvent.ACCEPT_CONDITIONAL, ex.now_ms)
            if order.type == OrderType.TRAILING_STOP:
                order.trail_anchor = getattr(ex.markets[order.symbol], order.trigger)
            ex.orders[order.id] = order
            ex.emit("order", order)
        elif immediate_price is not None:
            order.apply(OrderEvent.ACCEPT_IMMEDIATE, ex.now_ms)
            ex.emit("order", order)
            ex.matcher.execute_immediate(order, immediate_price)
        elif order.tif in ("IOC", "FOK"):
            order.apply(OrderEvent.CANCEL, ex.now_ms)
            ex.emit("order", order)
            ex.dirty(order.symbol)
            name = "Immediate-or-cancel" if order.tif == "IOC" else "Fill-or-kill"
            ack = ex.reject("order", detail(), f"{name} order cancelled: nothing could fill at once.")
            return Ack(False, order.id, ack.reason)
        else:
            order.apply(OrderEvent.ACCEPT_RESTING, ex.now_ms)
            ex.orders[order.id] = order
            ex.emit("order", order)
            ex.matcher.rested(order)
        ex.dirty(order.symbol)
        return Ack(True, order.id, None)

    def find_order(self, order_id: int | str) -> Order | None:
        ex = self.ex
        if isinstance(order_id, str) and not order_id.isdigit():
            for o in ex.orders.values():
                if o.ref == order_id:
                    return o
            return None
        return ex.orders.get(int(order_id))

    def cancel_order(self, order_id: int | str, reason: str = "cancelled by you") -> Ack:
        ex = self.ex
        o = self.find_order(order_id)
        if o is None:
            return ex.reject("cancel", {"order_id": order_id}, f"No open order {order_id} to cancel.")
        o.apply(OrderEvent.CANCEL, ex.now_ms)
        del ex.orders[o.id]
        ex.emit("order", o)
        ex.dirty(o.symbol)
        return Ack(True, o.id, reason)

    def cancel_all(self, symbol: str | None = None, reason: str = "cancelled by you") -> int:
        ex = self.ex
        ids = [o.id for o in ex.orders.values() if symbol is None or o.symbol == symbol]
        for oid in ids:
            ex.cancel_order(oid, reason)
        return len(ids)

    def amend_order(self, order_id: int | str, *, price: float | None = None,
                    stop_price: float | None = None, qty: int | None = None) -> Ack:
        ex = self.ex
        o = self.find_order(order_id)
        detail = {"order_id": order_id, "price": price, "stop_price": stop_price, "qty": qty}
        if o is None:
            return ex.reject("amend", detail, f"No open order {order_id} to amend.")
        inst = ex.catalog[o.symbol]
        try:
            req = OrderRequest(
                symbol=o.symbol, side=o.side, qty=qty if qty is not None else o.qty, type=o.type,
                price=price if price is not None else o.price,
                stop_price=stop_price if stop_price is not None else o.stop_price,
                trigger=o.trigger, time_in_force=o.tif, post_only=o.post_only,
                reduce_only=o.reduce_only and not o.close_on_trigger, close_on_trigger=o.close_on_trigger,
                trail_offset=o.trail_offset,
            )
            if o.type.is_conditional and o.triggered:
                req = req.model_copy(update={"type": OrderType.LIMIT, "stop_price": None})
            check_request(ex, req)
            if req.qty < o.filled_qty:
                raise Rejected(f"Size cannot go below the {fmt_qty(o.filled_qty)} contracts already filled.")
        except ValidationError as exc:
            return ex.reject("amend", detail, request_error(exc))
        except Rejected as exc:
            return ex.reject("amend", detail, str(exc))
        new = copy.copy(o)
        new.qty, new.price, new.stop_price = req.qty, req.price, req.stop_price
        if new.status != OrderStatus.UNTRIGGERED and not new.reduce_only and new.price is not None:
            new.cost = order_cost(inst, new.direction, new.qty, new.price, new.leverage)
            before = ex.order_margin(o.symbol)
            ex.orders[o.id] = new
            ex.order_margins.pop(o.symbol, None)
            need = ex.order_margin(o.symbol) - before
            ex.orders[o.id] = o
            ex.order_margins.pop(o.symbol, None)
            have = ex.available_balance(inst.settle_currency)
            if need > 0 and need > have:
                return ex.reject("amend", detail, str(insufficient(inst.settle_currency, need, max(have, 0))))
        moved, grew = new.price != o.price, new.qty > o.qty
        o.qty, o.price, o.stop_price, o.cost = new.qty, new.price, new.stop_price, new.cost
        o.apply(OrderEvent.AMEND, ex.now_ms)
        ex.emit("order", o)
        ex.dirty(o.symbol)
        if o.status != OrderStatus.UNTRIGGERED:
            px = ex.matcher.immediate_price(inst, o)
            if px is not None and px > 0:
                ex.matcher.execute_immediate(o, px)
            elif moved or grew:  # BitMEX: only a smaller size keeps the order's place in the queue
                ex.matcher.rested(o)
        return Ack(True, o.id, None)

    def close_position(self, symbol: str, price: float | None = None) -> Ack:
        ex = self.ex
        pos = ex.positions.get(symbol)
        if symbol not in ex.catalog:
            return ex.reject("close", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        if pos is None or pos.qty == 0:
            return ex.reject("close", {"symbol": symbol}, f"You have no {symbol} position to close.")
        side = "sell" if pos.qty > 0 else "buy"
        otype = OrderType.LIMIT if price is not None else OrderType.MARKET
        return ex.place_order(OrderRequest(symbol=symbol, side=side, qty=abs(pos.qty), type=otype,
                                             price=price, reduce_only=True))

    # ---------------------------------------------------------------- leverage and margin
    def validate_leverage(self, inst: Instrument, leverage: float) -> None:
        if not isinstance(leverage, (int, float)) or not math.isfinite(leverage):
            raise Rejected("Leverage must be a number.")
        if leverage < 1:
            raise Rejected(f"Leverage must be at least 1x (got {leverage:g}x).")
        if leverage > inst.max_leverage + 1e-9:
            raise Rejected(f"Leverage {leverage:g}x is above {inst.symbol}'s maximum of {inst.max_leverage:g}x.")

    def apply_position_settings(self, symbol: str, leverage: float, cross: bool,
                                 action: str, detail: dict[str, Any]) -> Ack:
        ex = self.ex
        inst = ex.catalog[symbol]
        pos = ex.positions.get(symbol)
        try:
            self.validate_leverage(inst, leverage)
            if pos is not None and pos.qty:
                price = pos.entry_price(inst)
                self.check_risk_step(inst, 0, price, leverage)
                trial = copy.copy(pos)
                trial.leverage, trial.cross = leverage, cross
                if cross:
                    trial.added_margin = 0
                need = ex.position_margin(trial) - ex.position_margin(pos)
                have = ex.available_balance(inst.settle_currency)
                if need > 0 and need > have:
                    raise insufficient(inst.settle_currency, need, max(have, 0))
        except Rejected as exc:
            return ex.reject(action, detail, str(exc))
        setting = ex.setting(symbol)
        setting.leverage, setting.cross = float(leverage), cross
        if pos is not None:
            pos.leverage, pos.cross = float(leverage), cross
            if cross:
                pos.added_margin = 0
        for o in ex.orders.values():
            if o.symbol == symbol:
                o.leverage, o.cross = float(leverage), cross
                if o.price is not None:
                    o.cost = order_cost(inst, o.direction, o.qty, o.price, o.leverage)
        ex.emit("settings", symbol)
        ex.dirty_currency(inst.settle_currency)
        ex.dirty(symbol)
        return Ack(True)

    def set_leverage(self, symbol: str, leverage: float) -> Ack:
        ex = self.ex
        if symbol not in ex.catalog:
            return ex.reject("leverage", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        return self.apply_position_settings(symbol, leverage, ex.setting(symbol).cross, "leverage",
                                             {"symbol": symbol, "leverage": leverage})

    def set_margin_mode(self, symbol: str, cross: bool, leverage: float | None = None) -> Ack:
        ex = self.ex
        if symbol not in ex.catalog:
            return ex.reject("margin_mode", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        inst = ex.catalog[symbol]
        lev = leverage if leverage is not None else (inst.max_leverage if cross else ex.setting(symbol).leverage)
        return self.apply_position_settings(symbol, lev, cross, "margin_mode",
                                             {"symbol": symbol, "cross": cross, "leverage": lev})

    def adjust_margin(self, symbol: str, amount_minor: int) -> Ack:
        """Add (positive) or remove (negative) margin on an isolated position."""
        ex = self.ex
        detail = {"symbol": symbol, "amount_minor": amount_minor}
        pos = ex.positions.get(symbol)
        if symbol not in ex.catalog:
            return ex.reject("margin", detail, f"Unknown symbol {symbol!r}.")
        inst = ex.catalog[symbol]
        cur = inst.settle_currency
        if pos is None or pos.qty == 0:
            return ex.reject("margin", detail, f"You have no {symbol} position to add margin to.")
        if pos.cross:
            return ex.reject("margin", detail, "Cross positions use the whole wallet: switch to isolated to set margin.")
        if amount_minor == 0:
            return ex.reject("margin", detail, "The margin change is zero.")
        if amount_minor > 0:
            have = ex.available_balance(cur)
            if amount_minor > have:
                return ex.reject("margin", detail, str(insufficient(cur, amount_minor, max(have, 0))))
        elif pos.added_margin + amount_minor < 0:
            a, b = fmt_pair(cur, -amount_minor, pos.added_margin)
            return ex.reject("margin", detail,
                                f"You can remove at most the margin you added ({b}); {a} would go below the initial margin.")
        trial = copy.copy(pos)
        trial.added_margin += amount_minor
        liq = ex.figures_of(trial).liquidation_price
        mark = ex.markets.get(symbol)
        if amount_minor < 0 and liq is not None and mark is not None and math.isfinite(mark.mark):
            if (mark.mark - liq) * pos.direction <= 0:
                return ex.reject("margin", detail, "Removing that much margin would liquidate the position at once.")
        pos.added_margin += amount_minor
        ex.emit("position", symbol)
        ex.dirty_currency(cur)
        return Ack(True)

    # ---------------------------------------------------------------- preview
    def preview(self, symbol: str, qty: int, price: float | None = None,
                leverage: float | None = None, cross: bool | None = None) -> OrderPreview:
        """What the order form shows for ``qty`` contracts: cost, value, est. liquidation, per side."""
        ex = self.ex
        inst = ex.catalog[symbol]
        setting = ex.setting(symbol)
        lev = setting.leverage if leverage is None else leverage
        is_cross = setting.cross if cross is None else cross
        pos = ex.positions.get(symbol)
        m = ex.markets.get(symbol)
        have = ex.available_balance(inst.settle_currency)
        sides = []
        for d in (1, -1):
            px = price
            if px is None:
                px = ex.matcher.fill_price(inst, d) if m and math.isfinite(m.last) else inst.typical_price
            px = max(px, inst.tick_size)  # a bid at or below zero cannot fill (place_order says so); show one tick
            after = (pos.qty if pos else 0) + d * qty
            inc = self.increasing_qty(symbol, d, qty)
            f = figures(inst, d, max(qty, 1), px, lev, funding_rate=ex.funding_rate(symbol),
                        cross_balance=ex.cross_backing(symbol) if is_cross else None)
            liq = f.liquidation_price
            if pos is not None and pos.qty * d > 0:  # adding to a position: liquidation of the whole
                trial = copy.copy(pos)
                trial.leverage, trial.cross = lev, is_cross
                trial.apply_fill(inst, d * qty, px, ex.now_ms)
                liq = ex.figures_of(trial, ex.cross_backing(symbol) if is_cross else None).liquidation_price
            mark = m.mark if m is not None and math.isfinite(m.mark) else None
            cost = order_cost(inst, d, inc, px, lev, mark_price=mark) if inc else 0
            sides.append(SidePreview(cost, inst.value_minor(qty, px), liq, after, px))
        return OrderPreview(inst.settle_currency, have, sides[0], sides[1])
