"""What happens as prices move: the exchange's :class:`MarketStepper`.

``step`` walks a batch of ticks for one symbol. Between events it only scans prices against the
thresholds of :mod:`terminal.exchange.triggers`; at an event tick it updates the market, pays funding or
settles an expiry that is due (:mod:`terminal.exchange.settlement`), liquidates a position whose mark
reached its liquidation price (:mod:`terminal.exchange.liquidation`), then triggers conditional orders
and lets the fill path (``exchange.matcher``, :mod:`terminal.exchange.matching`) match resting limits.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from terminal.domain.margin import order_cost
from terminal.domain.orders import Order, OrderEvent, OrderStatus, OrderType
from terminal.exchange.liquidation import check_liquidation
from terminal.exchange.settlement import accumulate_settlement_index, next_funding_after, pay_funding, settle_expiry
from terminal.exchange.triggers import Thresholds, Trailing, first_crossing

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange
    from terminal.feeds.base import TickBatch

__all__ = ["MarketStepper", "next_funding_after"]


def _stop(o: Order) -> float:
    assert o.stop_price is not None  # validation requires a stop price on every stop but a trailing one
    return o.stop_price


def _anchor(o: Order) -> float:
    assert o.trail_anchor is not None  # set when a trailing stop is accepted
    return float(o.trail_anchor)


class MarketStepper:
    """Steps the exchange through price ticks (composition: owned by :class:`Exchange`)."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex

    def step(self, symbol: str, batch: TickBatch) -> None:
        ex = self.ex
        n = len(batch.t_ms)
        if n == 0:
            return
        inst = ex.catalog[symbol]
        batch = ex.matcher.prepare(symbol, batch)  # an order book prints its own trades: they are the last price
        t = batch.t_ms
        arrays = {"last": batch.last, "mark": batch.mark, "index": batch.index}
        if symbol not in ex.next_funding_ms:
            if inst.funding_interval_h:
                ex.next_funding_ms[symbol] = next_funding_after(int(t[0]) - 1, inst.funding_interval_h)
            if symbol not in ex.markets or not math.isfinite(ex.market(symbol).last):
                self.update_market(symbol, batch, 0)
        expiry = int(inst.expiry.timestamp() * 1000) if inst.expiry is not None else None
        if expiry is not None:
            accumulate_settlement_index(ex, symbol, batch, expiry)
        i = 0
        while i < n:
            th = self.thresholds_for(symbol)
            due = ex.next_funding_ms.get(symbol)
            if expiry is not None and (due is None or expiry < due) and not ex.markets[symbol].time >= expiry:
                due = expiry
            tk = n if due is None or int(t[n - 1]) < due else max(int(np.searchsorted(t, due, "left")), i)
            hit = first_crossing(arrays, th, i, tk)
            hit = ex.matcher.next_event(symbol, i, hit)  # a resting order's queue eaten by the prints
            for tr in th.trailing:
                ex.orders[tr.order_id].trail_anchor = tr.anchor
            if hit >= n:
                break
            window_final = batch.funding_rate[hit] if int(t[hit]) == due else (
                batch.funding_rate[hit - 1] if hit > 0 else ex.markets[symbol].predicted_funding_rate)
            self.update_market(symbol, batch, hit)
            if due is not None and ex.now_ms >= due:
                if expiry is not None and due == expiry:
                    settle_expiry(ex, symbol)
                else:
                    pay_funding(ex, symbol, float(window_final))
            if ex.config.liquidation:
                check_liquidation(ex, symbol)
            self.check_orders(symbol)
            i = hit + 1
        self.update_market(symbol, batch, n - 1)
        ex.matcher.finish(symbol)
        pos = ex.positions.get(symbol)
        if pos is not None and pos.qty and pos.cross:
            ex.dirty_currency(inst.settle_currency)  # other cross positions' liquidation prices moved

    def update_market(self, symbol: str, batch: TickBatch, j: int) -> None:
        ex = self.ex
        m = ex.market(symbol)
        m.last = float(batch.last[j])
        m.mark = float(batch.mark[j])
        m.index = float(batch.index[j])
        m.predicted_funding_rate = float(batch.funding_rate[j])
        if not math.isfinite(m.funding_rate):
            # first tick: the window before it was never seen; the first prediction stands in for the fixed rate
            m.funding_rate = m.predicted_funding_rate if ex.catalog[symbol].funding_interval_h else 0.0
        m.time = int(batch.t_ms[j])
        if m.time > ex.now_ms:
            ex.now_ms = m.time

    # ---------------------------------------------------------------- thresholds
    def thresholds_for(self, symbol: str) -> Thresholds:
        ex = self.ex
        th = ex.thresholds.get(symbol)
        if th is not None:
            return th
        th = Thresholds()
        inst = ex.catalog[symbol]
        eps = inst.tick_size * 1e-6
        half = inst.tick_size * 0.5
        prints_match = ex.matcher.rests_on_prints(symbol)  # an order book matches resting limits itself
        for o in ex.orders.values():
            if o.symbol != symbol:
                continue
            if o.status == OrderStatus.UNTRIGGERED:
                if o.type == OrderType.TRAILING_STOP:
                    th.trailing.append(Trailing(o.id, o.trigger, o.direction, float(o.trail_offset or 0),
                                                _anchor(o)))
                elif o.trigger_direction() > 0:
                    th.add_up(o.trigger, _stop(o) - eps)
                else:
                    th.add_down(o.trigger, _stop(o) + eps)
            elif o.price is not None and not prints_match:
                if o.direction > 0:
                    th.add_down("last", o.price - half)
                else:
                    th.add_up("last", o.price + half)
        pos = ex.positions.get(symbol)
        if ex.config.liquidation and pos is not None and pos.qty:
            liq, _, _ = ex.liq_bk(symbol)
            if liq is not None:
                if pos.qty > 0:
                    th.add_down("mark", liq + eps)
                else:
                    th.add_up("mark", liq - eps)
        ex.thresholds[symbol] = th
        return th

    # ---------------------------------------------------------------- orders
    def check_orders(self, symbol: str) -> None:
        ex = self.ex
        m = ex.markets[symbol]
        for o in [o for o in ex.orders.values() if o.symbol == symbol]:  # ids ascend in insertion order
            if o.id not in ex.orders:
                continue
            if o.status == OrderStatus.UNTRIGGERED:
                src = getattr(m, o.trigger)
                if o.type == OrderType.TRAILING_STOP:
                    anchor = _anchor(o)
                    offset = float(o.trail_offset or 0)
                    stop = anchor - offset if o.direction < 0 else anchor + offset
                    fire = src <= stop if o.direction < 0 else src >= stop
                    o.trail_anchor = max(anchor, src) if o.direction < 0 else min(anchor, src)
                else:
                    fire = src >= _stop(o) if o.trigger_direction() > 0 else src <= _stop(o)
                if fire:
                    self.trigger(o)
            elif o.price is not None:
                ex.matcher.match_resting(o)

    def trigger(self, o: Order) -> None:
        ex = self.ex
        inst = ex.catalog[o.symbol]
        o.triggered = True
        o.apply(OrderEvent.TRIGGER, ex.now_ms)
        ex.dirty(o.symbol)
        px = ex.matcher.immediate_price(inst, o)
        if px is not None and px <= 0:
            del ex.orders[o.id]
            o.apply(OrderEvent.CANCEL, ex.now_ms)
            ex.emit("order", o)
            ex.reject("trigger", {"order_id": o.id, "symbol": o.symbol},
                      "Triggered order cancelled: the best bid is at or below zero, a market sell cannot fill.")
            return
        if not o.reduce_only:
            if px is not None:
                need = ex.desk.immediate_cost(inst, o.direction, o.leaves_qty, px, o.leverage)
            else:
                assert o.price is not None  # an untriggered order that rests after triggering is a limit
                o.cost = order_cost(inst, o.direction, o.qty, o.price, o.leverage)
                need = o.cost
            if need > ex.available_balance(inst.settle_currency):
                del ex.orders[o.id]
                o.apply(OrderEvent.CANCEL, ex.now_ms)
                ex.emit("order", o)
                ex.reject("trigger", {"order_id": o.id, "symbol": o.symbol},
                          "Triggered order cancelled: insufficient available balance.")
                return
        if px is None and o.post_only and o.price is not None:
            touch = ex.matcher.fill_price(inst, o.direction)
            if (o.price >= touch) if o.direction > 0 else (o.price <= touch):  # it would take: BitMEX cancels it
                del ex.orders[o.id]
                o.apply(OrderEvent.CANCEL, ex.now_ms)
                ex.emit("order", o)
                ex.reject("trigger", {"order_id": o.id, "symbol": o.symbol},
                          f"Triggered post-only order cancelled: its limit {inst.format_price(o.price)} would take "
                          f"liquidity at the {'best ask' if o.direction > 0 else 'best bid'} "
                          f"{inst.format_price(touch)}.")
                return
        if px is not None:
            ex.matcher.execute_immediate(o, px)
        else:
            o.apply(OrderEvent.ACCEPT_RESTING, ex.now_ms)
            ex.emit("order", o)
            ex.matcher.rested(o)  # an order book gives it its place in line now, at this tick
