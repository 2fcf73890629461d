"""What happens as prices move: triggers, fills, funding, expiry and liquidation.

``step`` walks a batch of ticks for one symbol. Between events it only scans prices against the
thresholds of :mod:`terminal.exchange.triggers`; at an event tick it updates the market, pays funding or
settles an expiry that is due, liquidates a position whose mark reached its liquidation price, then
triggers conditional orders and fills resting limits that the last price traded through.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from terminal.domain.account import Fill, FundingRecord, LiquidationRecord
from terminal.domain.margin import fee, order_cost
from terminal.domain.money import round_half_up
from terminal.domain.orders import Order, OrderEvent, OrderStatus, OrderType
from terminal.exchange.triggers import Thresholds, Trailing, first_crossing

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange
    from terminal.feeds.base import TickBatch

HOUR_MS = 3_600_000


def next_funding_after(t_ms: int, interval_h: int) -> int:
    """First funding instant strictly after ``t_ms``: 04:00, 12:00, 20:00 UTC for 8-hour funding."""
    period = interval_h * HOUR_MS
    offset = 4 * HOUR_MS % period
    k = (t_ms - offset) // period + 1
    return k * period + offset


class MarketEvents:
    """Mixin of :class:`terminal.exchange.engine.Exchange`: stepping through ticks."""

    def step(self: Exchange, symbol: str, batch: TickBatch) -> None:
        n = len(batch.t_ms)
        if n == 0:
            return
        inst = self.catalog[symbol]
        t = batch.t_ms
        arrays = {"last": batch.last, "mark": batch.mark, "index": batch.index}
        if symbol not in self.next_funding_ms:
            if inst.funding_interval_h:
                self.next_funding_ms[symbol] = next_funding_after(int(t[0]) - 1, inst.funding_interval_h)
            if symbol not in self.markets or not math.isfinite(self.market(symbol).last):
                self._update_market(symbol, batch, 0)
        expiry = int(inst.expiry.timestamp() * 1000) if inst.expiry is not None else None
        i = 0
        while i < n:
            th = self._thresholds_for(symbol)
            due = self.next_funding_ms.get(symbol)
            if expiry is not None and (due is None or expiry < due) and not self.markets[symbol].time >= expiry:
                due = expiry
            tk = n if due is None or int(t[n - 1]) < due else max(int(np.searchsorted(t, due, "left")), i)
            hit = first_crossing(arrays, th, i, tk)
            for tr in th.trailing:
                self.orders[tr.order_id].trail_anchor = tr.anchor
            if hit >= n:
                break
            self._update_market(symbol, batch, hit)
            if due is not None and self.now_ms >= due:
                if expiry is not None and due == expiry:
                    self._settle_expiry(symbol)
                else:
                    self._pay_funding(symbol)
            if self.config.liquidation:
                self._check_liquidation(symbol)
            self._check_orders(symbol)
            i = hit + 1
        self._update_market(symbol, batch, n - 1)
        pos = self.positions.get(symbol)
        if pos is not None and pos.qty and pos.cross:
            self._dirty_currency(inst.settle_currency)  # other cross positions' liquidation prices moved

    def _update_market(self: Exchange, symbol: str, batch: TickBatch, j: int) -> None:
        m = self.market(symbol)
        m.last = float(batch.last[j])
        m.mark = float(batch.mark[j])
        m.index = float(batch.index[j])
        m.funding_rate = float(batch.funding_rate[j])
        m.time = int(batch.t_ms[j])
        if m.time > self.now_ms:
            self.now_ms = m.time

    # ---------------------------------------------------------------- thresholds
    def _thresholds_for(self: Exchange, symbol: str) -> Thresholds:
        th = self._thresholds.get(symbol)
        if th is not None:
            return th
        th = Thresholds()
        inst = self.catalog[symbol]
        eps = inst.tick_size * 1e-6
        half = inst.tick_size * 0.5
        for o in self.orders.values():
            if o.symbol != symbol:
                continue
            if o.status == OrderStatus.UNTRIGGERED:
                if o.type == OrderType.TRAILING_STOP:
                    th.trailing.append(Trailing(o.id, o.trigger, o.direction, float(o.trail_offset or 0),
                                                float(o.trail_anchor)))
                elif o.trigger_direction() > 0:
                    th.add_up(o.trigger, o.stop_price - eps)
                else:
                    th.add_down(o.trigger, o.stop_price + eps)
            elif o.price is not None:
                if o.direction > 0:
                    th.add_down("last", o.price - half)
                else:
                    th.add_up("last", o.price + half)
        pos = self.positions.get(symbol)
        if self.config.liquidation and pos is not None and pos.qty:
            liq, _, _ = self.liq_bk(symbol)
            if liq is not None:
                if pos.qty > 0:
                    th.add_down("mark", liq + eps)
                else:
                    th.add_up("mark", liq - eps)
        self._thresholds[symbol] = th
        return th

    # ---------------------------------------------------------------- orders
    def _check_orders(self: Exchange, symbol: str) -> None:
        m = self.markets[symbol]
        for o in [o for o in self.orders.values() if o.symbol == symbol]:  # ids ascend in insertion order
            if o.id not in self.orders:
                continue
            if o.status == OrderStatus.UNTRIGGERED:
                src = getattr(m, o.trigger)
                if o.type == OrderType.TRAILING_STOP:
                    anchor = o.trail_anchor
                    stop = anchor - o.trail_offset if o.direction < 0 else anchor + o.trail_offset
                    fire = src <= stop if o.direction < 0 else src >= stop
                    o.trail_anchor = max(anchor, src) if o.direction < 0 else min(anchor, src)
                else:
                    fire = src >= o.stop_price if o.trigger_direction() > 0 else src <= o.stop_price
                if fire:
                    self._trigger(o)
            elif o.price is not None:
                if (m.last < o.price) if o.direction > 0 else (m.last > o.price):
                    self._fill(o, o.price, "maker")

    def _trigger(self: Exchange, o: Order) -> None:
        inst = self.catalog[o.symbol]
        o.triggered = True
        o.apply(OrderEvent.TRIGGER, self.now_ms)
        self._dirty(o.symbol)
        px = self._immediate_price(inst, o)
        if not o.reduce_only:
            if px is not None:
                need = self.immediate_cost(inst, o.direction, o.leaves_qty, px, o.leverage)
            else:
                o.cost = order_cost(inst, o.direction, o.qty, o.price, o.leverage)
                need = o.cost
            if need > self.available_balance(inst.settle_currency):
                del self.orders[o.id]
                o.apply(OrderEvent.CANCEL, self.now_ms)
                self._emit("order", o)
                self._reject("trigger", {"order_id": o.id, "symbol": o.symbol},
                             "Triggered order cancelled: insufficient available balance.")
                return
        if px is not None:
            self._fill(o, px, "taker")
        else:
            o.apply(OrderEvent.ACCEPT_RESTING, self.now_ms)
            self._emit("order", o)

    def _fill(self: Exchange, o: Order, price: float, liquidity: str) -> None:
        inst = self.catalog[o.symbol]
        pos = self.position(o.symbol)
        qty = o.leaves_qty
        if o.reduce_only:
            if pos.qty == 0 or (pos.qty > 0) == (o.direction > 0):
                self.orders.pop(o.id, None)
                o.apply(OrderEvent.CANCEL, self.now_ms)
                self._emit("order", o)
                self._dirty(o.symbol)
                return
            qty = min(qty, abs(pos.qty))
        if pos.qty == 0:
            s = self.setting(o.symbol)
            pos.leverage, pos.cross = s.leverage, s.cross
        cur = inst.settle_currency
        value = inst.value_minor(qty, price)
        fee_minor = fee(value, inst.taker_fee if liquidity == "taker" else inst.maker_fee)
        realised = pos.apply_fill(inst, o.direction * qty, price, self.now_ms)
        wallet = self.wallets[cur].balance
        realised = max(realised, -wallet)  # a wallet never goes negative
        fid = self.next_fill_id
        self.next_fill_id += 1
        self.book(cur, "realised_pnl", realised, o.symbol, fid, f"{o.side} {qty} @ {inst.format_price(price)}")
        self.book(cur, "fee", -min(fee_minor, self.wallets[cur].balance), o.symbol, fid,
                  f"{liquidity} fee" if fee_minor >= 0 else "maker rebate")
        prev = o.filled_qty
        o.filled_qty += qty
        o.avg_fill_price = price if not prev else (o.avg_fill_price * prev + price * qty) / o.filled_qty
        o.qty = o.filled_qty  # a clipped reduce-only remainder is cancelled with the fill
        o.apply(OrderEvent.FILL, self.now_ms)
        self.orders.pop(o.id, None)
        f = Fill(fid, self.now_ms, o.id, o.symbol, o.side, qty, price, liquidity, fee_minor, realised, cur,
                 o.type.value)
        self.fills.append(f)
        self._emit("fill", f)
        self._emit("order", o)
        self._emit("position", o.symbol)
        if pos.qty == 0:
            pos.added_margin = 0
        self._shrink_reduce_only(o.symbol)
        self._dirty(o.symbol)
        self._dirty_cross(cur)  # this position's margin backs (or is backed by) the same wallet

    def _shrink_reduce_only(self: Exchange, symbol: str) -> None:
        pos = self.positions.get(symbol)
        pq = pos.qty if pos else 0
        for o in [o for o in self.orders.values() if o.symbol == symbol and o.reduce_only]:
            if o.close_on_trigger and o.status == OrderStatus.UNTRIGGERED:
                continue  # close-on-trigger orders are clipped when they fire
            if pq == 0 or (pq > 0) == (o.direction > 0):
                self.cancel_order(o.id, "reduce-only: the position it reduced is gone")
            elif o.leaves_qty > abs(pq):
                o.qty = o.filled_qty + abs(pq)
                self._emit("order", o)

    # ---------------------------------------------------------------- liquidation
    def _check_liquidation(self: Exchange, symbol: str) -> None:
        pos = self.positions.get(symbol)
        if pos is None or pos.qty == 0:
            return
        liq, _, _ = self.liq_bk(symbol)
        mark = self.markets[symbol].mark
        if liq is not None and ((mark <= liq) if pos.qty > 0 else (mark >= liq)):
            self._liquidate(symbol)

    def _liquidate(self: Exchange, symbol: str) -> None:
        inst = self.catalog[symbol]
        pos = self.positions[symbol]
        cur = inst.settle_currency
        mark = self.markets[symbol].mark
        cross_balance = self.cross_backing(symbol) if pos.cross else None
        f = pos.figures(inst, cross_balance=cross_balance)
        cancelled = [o.id for o in self.orders.values() if o.symbol == symbol]
        self.cancel_all(symbol, "cancelled by liquidation")
        entry = pos.entry_price(inst)
        bk = f.bankruptcy_exact if f.bankruptcy_exact is not None else mark
        at_bk = pos.unrealised_pnl(inst, bk)
        at_mark = pos.unrealised_pnl(inst, mark)
        wallet = self.wallets[cur].balance
        if pos.cross:
            loss = min(max(-at_bk, 0), wallet)
            rows = [("realised_pnl", -loss)]
        else:
            margin = self.position_margin(pos)
            loss = min(margin, wallet)
            realised = max(at_bk, -loss)
            rows = [("realised_pnl", realised), ("liquidation", -(loss + realised))]
        fund = at_mark + loss
        self.insurance_fund[cur] += fund
        fid = self.next_fill_id
        self.next_fill_id += 1
        for kind, amount in rows:
            self.book(cur, kind, amount, symbol, fid, "liquidated at the bankruptcy price")
        side = "buy" if pos.qty > 0 else "sell"
        close_side = "sell" if pos.qty > 0 else "buy"
        qty = abs(pos.qty)
        fill = Fill(fid, self.now_ms, None, symbol, close_side, qty, inst.round_price(bk), "liquidation", 0,
                    -loss, cur, "liquidation")
        self.fills.append(fill)
        rec = LiquidationRecord(
            time=self.now_ms, symbol=symbol, side=side, qty=qty, entry_price=entry, leverage=pos.leverage,
            margin_mode="cross" if pos.cross else "isolated", mark_price=mark,
            liquidation_price=f.liquidation_price, bankruptcy_price=f.bankruptcy_price,
            initial_margin_minor=f.initial_margin + (0 if pos.cross else pos.added_margin),
            maint_margin_minor=f.maint_margin, loss_minor=loss, insurance_fund_minor=fund, currency=cur,
            cancelled_orders=cancelled,
        )
        pos.qty, pos.entry_value, pos.added_margin = 0, 0, 0
        pos.realised_pnl -= loss
        self.liquidations.append(rec)
        self._emit("fill", fill)
        self._emit("liquidation", rec)
        self._emit("position", symbol)
        self._dirty_currency(cur)

    # ---------------------------------------------------------------- funding and expiry
    def _pay_funding(self: Exchange, symbol: str) -> None:
        inst = self.catalog[symbol]
        m = self.markets[symbol]
        due = self.next_funding_ms[symbol]
        self.next_funding_ms[symbol] = next_funding_after(max(due, self.now_ms), inst.funding_interval_h or 8)
        pos = self.positions.get(symbol)
        if pos is None or pos.qty == 0:
            return
        cur = inst.settle_currency
        value = inst.value_minor(pos.qty, m.mark)
        amount = -pos.direction * round_half_up(value * m.funding_rate)
        amount = max(amount, -self.wallets[cur].balance)
        saved, self.now_ms = self.now_ms, due
        self.book(cur, "funding", amount, symbol, None, f"funding {m.funding_rate * 100:.4f} %")
        self.now_ms = saved
        rec = FundingRecord(due, symbol, round(m.funding_rate, 10), m.mark, pos.qty, amount, cur)
        self.funding.append(rec)
        self._emit("funding", rec)

    def _settle_expiry(self: Exchange, symbol: str) -> None:
        inst = self.catalog[symbol]
        self.cancel_all(symbol, f"{symbol} expired")
        pos = self.positions.get(symbol)
        if pos is None or pos.qty == 0:
            return
        price = inst.round_price(self.markets[symbol].mark)
        realised = pos.unrealised_pnl(inst, price)
        cur = inst.settle_currency
        realised = max(realised, -self.wallets[cur].balance)
        self.book(cur, "settlement", realised, symbol, None, f"settled at {inst.format_price(price)} on expiry")
        pos.qty, pos.entry_value, pos.added_margin = 0, 0, 0
        self._emit("position", symbol)
        self._dirty(symbol)
