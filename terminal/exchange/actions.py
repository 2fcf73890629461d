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
from terminal.exchange.types import Ack
from terminal.exchange.validation import Rejected, best_prices, check_request, fmt_qty

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


class OrderActions:
    """Mixin of :class:`terminal.exchange.engine.Exchange`: the account-changing actions."""

    # ---------------------------------------------------------------- rejections
    def _reject(self: Exchange, action: str, detail: dict[str, Any], reason: str) -> Ack:
        row = {"time": self.now_ms, "action": action, "reason": reason, **detail}
        self.rejections.append(row)
        self._emit("rejection", row)
        return Ack(False, None, reason)

    # ---------------------------------------------------------------- costs
    def _fill_price(self: Exchange, inst: Instrument, direction: int) -> float:
        bid, ask = best_prices(inst, self.markets[inst.symbol].last, self.config.spread_ticks)
        return ask if direction > 0 else bid

    def _increasing_qty(self: Exchange, symbol: str, direction: int, qty: int) -> int:
        pos = self.positions.get(symbol)
        pq = pos.qty if pos else 0
        offset = abs(pq) if pq * direction < 0 else 0
        return max(0, qty - offset)

    def _check_risk_step(self: Exchange, inst: Instrument, extra_qty: int, price: float, leverage: float) -> None:
        if not inst.risk_limit or not inst.risk_step:
            return
        pos = self.positions.get(inst.symbol)
        gross = inst.value_minor((abs(pos.qty) if pos else 0) + extra_qty, price)
        allowed = inst.max_leverage_at(gross)
        if leverage > allowed + 1e-9:
            raise Rejected(
                f"Leverage {leverage:g}x is above the {allowed:g}x allowed for a {inst.symbol} position of this size "
                f"(risk limit); lower the leverage or the size."
            )

    def immediate_cost(self: Exchange, inst: Instrument, direction: int, qty: int, price: float,
                       leverage: float) -> int:
        """Balance an order that fills at once takes: the cost of the part that opens exposure."""
        inc = self._increasing_qty(inst.symbol, direction, qty)
        if inc == 0:
            return 0
        mark = self.markets[inst.symbol].mark
        return order_cost(inst, direction, inc, price, leverage, mark_price=mark if math.isfinite(mark) else None)

    # ---------------------------------------------------------------- orders
    def place_order(self: Exchange, req: OrderRequest | dict[str, Any]) -> Ack:
        raw = req

        def detail() -> dict[str, Any]:  # only a rejection needs it
            return raw.model_dump(mode="json") if isinstance(raw, OrderRequest) else dict(raw)

        try:
            if not isinstance(req, OrderRequest):
                req = OrderRequest.model_validate(req)
        except ValidationError as exc:
            return self._reject("order", detail(), request_error(exc))
        try:
            check_request(self, req)
            inst = self.catalog[req.symbol]
            setting = self.setting(req.symbol)
            order = Order(self.next_order_id, req, self.now_ms, setting.leverage, setting.cross)
            immediate_price = self._immediate_price(inst, order)
            ref_price = immediate_price or req.price or req.stop_price or self.markets[req.symbol].last
            if not req.reduce_only:
                self._check_risk_step(inst, req.qty, ref_price, setting.leverage)
            cur = inst.settle_currency
            if not order.type.is_conditional and not order.reduce_only:
                if immediate_price is not None:
                    need = self.immediate_cost(inst, order.direction, order.qty, immediate_price, order.leverage)
                else:
                    order.cost = order_cost(inst, order.direction, order.qty, order.price, order.leverage)
                    before = self.order_margin(req.symbol)
                    order.status = OrderStatus.OPEN
                    need = self.order_margin(req.symbol, extra=order) - before
                    order.status = OrderStatus.NEW
                have = self.available_balance(cur)
                if need > have:
                    raise insufficient(cur, need, max(have, 0))
        except Rejected as exc:
            return self._reject("order", detail(), str(exc))
        self.next_order_id += 1
        if order.type.is_conditional:
            order.apply(OrderEvent.ACCEPT_CONDITIONAL, self.now_ms)
            if order.type == OrderType.TRAILING_STOP:
                order.trail_anchor = getattr(self.markets[order.symbol], order.trigger)
            self.orders[order.id] = order
            self._emit("order", order)
        elif immediate_price is not None:
            order.apply(OrderEvent.ACCEPT_IMMEDIATE, self.now_ms)
            self._emit("order", order)
            self._fill(order, immediate_price, "taker")
        elif order.tif in ("IOC", "FOK"):
            order.apply(OrderEvent.CANCEL, self.now_ms)
            self._emit("order", order)
        else:
            order.apply(OrderEvent.ACCEPT_RESTING, self.now_ms)
            self.orders[order.id] = order
            self._emit("order", order)
        self._dirty(order.symbol)
        return Ack(True, order.id, None)

    def _immediate_price(self: Exchange, inst: Instrument, order: Order) -> float | None:
        """The price an order fills at on arrival, or None if it rests (or waits for a trigger)."""
        if order.type.is_conditional and not order.triggered:
            return None
        px = self._fill_price(inst, order.direction)
        if order.type in (OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET,
                          OrderType.TRAILING_STOP):
            return px
        assert order.price is not None
        if (order.price >= px) if order.direction > 0 else (order.price <= px):
            return None if order.post_only else px
        return None

    def find_order(self: Exchange, order_id: int | str) -> Order | None:
        if isinstance(order_id, str) and not order_id.isdigit():
            for o in self.orders.values():
                if o.ref == order_id:
                    return o
            return None
        return self.orders.get(int(order_id))

    def cancel_order(self: Exchange, order_id: int | str, reason: str = "cancelled by you") -> Ack:
        o = self.find_order(order_id)
        if o is None:
            return self._reject("cancel", {"order_id": order_id}, f"No open order {order_id} to cancel.")
        o.apply(OrderEvent.CANCEL, self.now_ms)
        del self.orders[o.id]
        self._emit("order", o)
        self._dirty(o.symbol)
        return Ack(True, o.id, reason)

    def cancel_all(self: Exchange, symbol: str | None = None, reason: str = "cancelled by you") -> int:
        ids = [o.id for o in self.orders.values() if symbol is None or o.symbol == symbol]
        for oid in ids:
            self.cancel_order(oid, reason)
        return len(ids)

    def amend_order(self: Exchange, order_id: int | str, *, price: float | None = None,
                    stop_price: float | None = None, qty: int | None = None) -> Ack:
        o = self.find_order(order_id)
        detail = {"order_id": order_id, "price": price, "stop_price": stop_price, "qty": qty}
        if o is None:
            return self._reject("amend", detail, f"No open order {order_id} to amend.")
        inst = self.catalog[o.symbol]
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
            check_request(self, req)
            if req.qty < o.filled_qty:
                raise Rejected(f"Size cannot go below the {fmt_qty(o.filled_qty)} contracts already filled.")
        except ValidationError as exc:
            return self._reject("amend", detail, request_error(exc))
        except Rejected as exc:
            return self._reject("amend", detail, str(exc))
        new = copy.copy(o)
        new.qty, new.price, new.stop_price = req.qty, req.price, req.stop_price
        if new.status != OrderStatus.UNTRIGGERED and not new.reduce_only:
            new.cost = order_cost(inst, new.direction, new.qty, new.price, new.leverage)
            before = self.order_margin(o.symbol)
            self.orders[o.id] = new
            self._order_margin.pop(o.symbol, None)
            need = self.order_margin(o.symbol) - before
            self.orders[o.id] = o
            self._order_margin.pop(o.symbol, None)
            have = self.available_balance(inst.settle_currency)
            if need > 0 and need > have:
                return self._reject("amend", detail, str(insufficient(inst.settle_currency, need, max(have, 0))))
        o.qty, o.price, o.stop_price, o.cost = new.qty, new.price, new.stop_price, new.cost
        o.apply(OrderEvent.AMEND, self.now_ms)
        self._emit("order", o)
        self._dirty(o.symbol)
        if o.status != OrderStatus.UNTRIGGERED:
            px = self._immediate_price(inst, o)
            if px is not None:
                self._fill(o, px, "taker")
        return Ack(True, o.id, None)

    def close_position(self: Exchange, symbol: str, price: float | None = None) -> Ack:
        pos = self.positions.get(symbol)
        if symbol not in self.catalog:
            return self._reject("close", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        if pos is None or pos.qty == 0:
            return self._reject("close", {"symbol": symbol}, f"You have no {symbol} position to close.")
        side = "sell" if pos.qty > 0 else "buy"
        otype = OrderType.LIMIT if price is not None else OrderType.MARKET
        return self.place_order(OrderRequest(symbol=symbol, side=side, qty=abs(pos.qty), type=otype,
                                             price=price, reduce_only=True))

    # ---------------------------------------------------------------- leverage and margin
    def _validate_leverage(self: Exchange, inst: Instrument, leverage: float) -> None:
        if not isinstance(leverage, (int, float)) or not math.isfinite(leverage):
            raise Rejected("Leverage must be a number.")
        if leverage < 1:
            raise Rejected(f"Leverage must be at least 1x (got {leverage:g}x).")
        if leverage > inst.max_leverage + 1e-9:
            raise Rejected(f"Leverage {leverage:g}x is above {inst.symbol}'s maximum of {inst.max_leverage:g}x.")

    def _apply_position_settings(self: Exchange, symbol: str, leverage: float, cross: bool,
                                 action: str, detail: dict[str, Any]) -> Ack:
        inst = self.catalog[symbol]
        pos = self.positions.get(symbol)
        try:
            self._validate_leverage(inst, leverage)
            if pos is not None and pos.qty:
                price = pos.entry_price(inst)
                self._check_risk_step(inst, 0, price, leverage)
                trial = copy.copy(pos)
                trial.leverage, trial.cross = leverage, cross
                if cross:
                    trial.added_margin = 0
                need = self.position_margin(trial) - self.position_margin(pos)
                have = self.available_balance(inst.settle_currency)
                if need > 0 and need > have:
                    raise insufficient(inst.settle_currency, need, max(have, 0))
        except Rejected as exc:
            return self._reject(action, detail, str(exc))
        setting = self.setting(symbol)
        setting.leverage, setting.cross = float(leverage), cross
        if pos is not None:
            pos.leverage, pos.cross = float(leverage), cross
            if cross:
                pos.added_margin = 0
        for o in self.orders.values():
            if o.symbol == symbol:
                o.leverage, o.cross = float(leverage), cross
                if o.price is not None:
                    o.cost = order_cost(inst, o.direction, o.qty, o.price, o.leverage)
        self._emit("settings", symbol)
        self._dirty_currency(inst.settle_currency)
        self._dirty(symbol)
        return Ack(True)

    def set_leverage(self: Exchange, symbol: str, leverage: float) -> Ack:
        if symbol not in self.catalog:
            return self._reject("leverage", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        return self._apply_position_settings(symbol, leverage, self.setting(symbol).cross, "leverage",
                                             {"symbol": symbol, "leverage": leverage})

    def set_margin_mode(self: Exchange, symbol: str, cross: bool, leverage: float | None = None) -> Ack:
        if symbol not in self.catalog:
            return self._reject("margin_mode", {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        inst = self.catalog[symbol]
        lev = leverage if leverage is not None else (inst.max_leverage if cross else self.setting(symbol).leverage)
        return self._apply_position_settings(symbol, lev, cross, "margin_mode",
                                             {"symbol": symbol, "cross": cross, "leverage": lev})

    def adjust_margin(self: Exchange, symbol: str, amount_minor: int) -> Ack:
        """Add (positive) or remove (negative) margin on an isolated position."""
        detail = {"symbol": symbol, "amount_minor": amount_minor}
        pos = self.positions.get(symbol)
        if symbol not in self.catalog:
            return self._reject("margin", detail, f"Unknown symbol {symbol!r}.")
        inst = self.catalog[symbol]
        cur = inst.settle_currency
        if pos is None or pos.qty == 0:
            return self._reject("margin", detail, f"You have no {symbol} position to add margin to.")
        if pos.cross:
            return self._reject("margin", detail, "Cross positions use the whole wallet: switch to isolated to set margin.")
        if amount_minor == 0:
            return self._reject("margin", detail, "The margin change is zero.")
        if amount_minor > 0:
            have = self.available_balance(cur)
            if amount_minor > have:
                return self._reject("margin", detail, str(insufficient(cur, amount_minor, max(have, 0))))
        elif pos.added_margin + amount_minor < 0:
            a, b = fmt_pair(cur, -amount_minor, pos.added_margin)
            return self._reject("margin", detail,
                                f"You can remove at most the margin you added ({b}); {a} would go below the initial margin.")
        trial = copy.copy(pos)
        trial.added_margin += amount_minor
        liq = trial.figures(inst).liquidation_price
        mark = self.markets.get(symbol)
        if amount_minor < 0 and liq is not None and mark is not None and math.isfinite(mark.mark):
            if (mark.mark - liq) * pos.direction <= 0:
                return self._reject("margin", detail, "Removing that much margin would liquidate the position at once.")
        pos.added_margin += amount_minor
        self._emit("position", symbol)
        self._dirty_currency(cur)
        return Ack(True)

    # ---------------------------------------------------------------- preview
    def preview(self: Exchange, symbol: str, qty: int, price: float | None = None,
                leverage: float | None = None, cross: bool | None = None) -> OrderPreview:
        """What the order form shows for ``qty`` contracts: cost, value, est. liquidation, per side."""
        inst = self.catalog[symbol]
        setting = self.setting(symbol)
        lev = setting.leverage if leverage is None else leverage
        is_cross = setting.cross if cross is None else cross
        pos = self.positions.get(symbol)
        m = self.markets.get(symbol)
        have = self.available_balance(inst.settle_currency)
        sides = []
        for d in (1, -1):
            px = price
            if px is None:
                px = self._fill_price(inst, d) if m and math.isfinite(m.last) else inst.typical_price
            after = (pos.qty if pos else 0) + d * qty
            inc = self._increasing_qty(symbol, d, qty)
            f = figures(inst, d, max(qty, 1), px, lev,
                        cross_balance=self.cross_backing(symbol) if is_cross else None)
            liq = f.liquidation_price
            if pos is not None and pos.qty * d > 0:  # adding to a position: liquidation of the whole
                trial = copy.copy(pos)
                trial.leverage, trial.cross = lev, is_cross
                trial.apply_fill(inst, d * qty, px, self.now_ms)
                liq = trial.figures(inst, cross_balance=self.cross_backing(symbol) if is_cross else None).liquidation_price
            mark = m.mark if m is not None and math.isfinite(m.mark) else None
            cost = order_cost(inst, d, inc, px, lev, mark_price=mark) if inc else 0
            sides.append(SidePreview(cost, inst.value_minor(qty, px), liq, after, px))
        return OrderPreview(inst.settle_currency, have, sides[0], sides[1])
