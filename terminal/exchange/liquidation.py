"""Liquidation: when a position's mark reaches its liquidation price, the exchange takes it over.

MECHANICS.md sections 3 and 4, and BitMEX's liquidation pages:

1. Open orders on the contract are cancelled (for cross: on every cross contract of the currency, which frees
   order margin in the pool); if that brings the margin back above maintenance, nothing more happens.
2. A position above the base risk tier is first **partly liquidated**: "a FillOrKill order, of a size to bring
   the position value below a lower tier Risk Limit and thus reduce the maintenance margin requirement, is
   submitted on behalf of the user" (bitmex.com/app/liquidationExamples, "Users on Higher Risk Limit tiers");
   the engine repeats that tier by tier while the position is still in liquidation.
3. Otherwise the position is closed at the **bankruptcy price**; the trader loses the position margin (never
   more in isolated) and the difference between the mark and the bankruptcy price goes to (or comes from) the
   insurance fund.
4. Cross (2024 rules): when the pool's margin balance falls to the cross positions' maintenance margins, **all
   cross positions of that currency are liquidated together**; the trader loses the cross collateral.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from terminal.domain.account import Fill, LiquidationRecord, Position
from terminal.domain.orders import OrderRequest, OrderType

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange

LIQUIDATION_TEXT = "liquidated at the bankruptcy price"


def in_liquidation(ex: Exchange, symbol: str) -> bool:
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return False
    liq, _, _ = ex.liq_bk(symbol)
    mark = ex.markets[symbol].mark
    return liq is not None and ((mark <= liq) if pos.qty > 0 else (mark >= liq))


def check_liquidation(ex: Exchange, symbol: str) -> None:
    if not in_liquidation(ex, symbol):
        return
    pos = ex.positions[symbol]
    cur = ex.catalog[symbol].settle_currency
    if pos.cross:
        cross_symbols = [p.symbol for p in ex.cross_positions(cur)]
        for s in cross_symbols:
            ex.cancel_all(s, "cancelled by liquidation")
        if not ex.cross_in_liquidation(cur):
            return
        for s in cross_symbols:
            reduce_to_lower_tiers(ex, s, cross=True)
        if ex.cross_in_liquidation(cur):
            liquidate_cross(ex, cur)
        return
    cancelled = [o.id for o in ex.orders.values() if o.symbol == symbol]
    ex.cancel_all(symbol, "cancelled by liquidation")
    reduce_to_lower_tiers(ex, symbol, cross=False)
    if in_liquidation(ex, symbol):
        liquidate(ex, symbol, cancelled)


def tier_limit_below(ex: Exchange, symbol: str, value_minor: int) -> int | None:
    """The risk limit of the tier below the one a position worth ``value_minor`` is in (None at the base tier)."""
    inst = ex.catalog[symbol]
    if not inst.risk_limit or not inst.risk_step:
        return None
    base = round(inst.risk_limit * inst.minor_per_major)
    step = round(inst.risk_step * inst.minor_per_major)
    if value_minor <= base:
        return None
    steps = math.ceil((value_minor - base) / step - 1e-12)
    return base + (steps - 1) * step


def reduce_to_lower_tiers(ex: Exchange, symbol: str, *, cross: bool) -> None:
    """Partial liquidation: FillOrKill reduce orders, one risk tier at a time, while still in liquidation."""
    inst = ex.catalog[symbol]
    while True:
        pos = ex.positions.get(symbol)
        if pos is None or pos.qty == 0:
            return
        still = ex.cross_in_liquidation(inst.settle_currency) if cross else in_liquidation(ex, symbol)
        if not still:
            return
        limit = tier_limit_below(ex, symbol, pos.entry_value)
        if limit is None:
            return
        keep = abs(pos.qty) * limit // max(pos.entry_value, 1)  # contracts whose value stays within the lower tier
        keep -= keep % inst.lot_size
        qty = abs(pos.qty) - keep
        if qty <= 0 or keep <= 0:
            return
        side = "sell" if pos.qty > 0 else "buy"
        ack = ex.place_order(OrderRequest(symbol=symbol, side=side, qty=qty, type=OrderType.MARKET, reduce_only=True,
                                          time_in_force="FOK"))
        if not ack.accepted or abs(ex.positions[symbol].qty) != keep:
            return  # the FillOrKill did not execute: the whole position goes


def _close_position(ex: Exchange, pos: Position, realised: int, rows: list[tuple[str, int]],
                    bk: float, cancelled: list[int], loss: int, fund: int) -> None:
    """Book one liquidated position: ledger rows, the fill at the bankruptcy price, the record."""
    symbol = pos.symbol
    inst = ex.catalog[symbol]
    cur = inst.settle_currency
    f = ex.figures_of(pos, ex.cross_backing(symbol) if pos.cross else None)
    # an order book (terminal/market) closes the position into its bids / asks: the insurance fund gains or pays
    # the close's difference from the mark; None = the one-level book, closed at the bankruptcy price
    closed = ex.matcher.liquidation_price(symbol, -pos.direction, abs(pos.qty), bk)
    if closed is not None:
        fund += pos.unrealised_pnl(inst, closed[0]) - pos.unrealised_pnl(inst, ex.markets[symbol].mark)
    ex.insurance_fund[cur] += fund
    fid = ex.next_fill_id
    ex.next_fill_id += 1
    for kind, amount in rows:
        ex.book(cur, kind, amount, symbol, fid, LIQUIDATION_TEXT)
    side = "buy" if pos.qty > 0 else "sell"
    close_side = "sell" if pos.qty > 0 else "buy"
    qty = abs(pos.qty)
    fill = Fill(fid, ex.now_ms, None, symbol, close_side, qty, inst.round_price(bk) if closed is None else closed[0],
                "liquidation", 0, realised, cur, "liquidation")
    if closed is not None:  # the slippage receipt: against the bankruptcy price the engine's order was placed at
        fill.intended_price = inst.round_price(bk)
        fill.slippage_bps = round(-pos.direction * (closed[0] - bk) / bk * 1e4, 4) + 0.0  # never -0.0
        fill.levels = closed[1]
    ex.fills.append(fill)
    rec = LiquidationRecord(
        time=ex.now_ms, symbol=symbol, side=side, qty=qty, entry_price=pos.entry_price(inst), leverage=pos.leverage,
        margin_mode="cross" if pos.cross else "isolated", mark_price=ex.markets[symbol].mark,
        liquidation_price=f.liquidation_price, bankruptcy_price=f.bankruptcy_price,
        initial_margin_minor=f.initial_margin + (0 if pos.cross else pos.added_margin),
        maint_margin_minor=f.maint_margin, loss_minor=loss, insurance_fund_minor=fund, currency=cur,
        cancelled_orders=cancelled,
    )
    pos.qty, pos.entry_value, pos.entry_exact, pos.added_margin = 0, 0, 0.0, 0
    pos.realised_pnl -= loss
    ex.liquidations.append(rec)
    ex.emit("fill", fill)
    ex.emit("liquidation", rec)
    ex.emit("position", symbol)


def liquidate(ex: Exchange, symbol: str, cancelled: list[int] | None = None) -> None:
    """Isolated: close at the bankruptcy price; the trader loses the position margin, never more."""
    inst = ex.catalog[symbol]
    pos = ex.positions[symbol]
    cur = inst.settle_currency
    mark = ex.markets[symbol].mark
    f = ex.figures_of(pos)
    bk = f.bankruptcy_price if f.bankruptcy_price is not None else mark
    at_bk = pos.unrealised_pnl(inst, bk)
    at_mark = pos.unrealised_pnl(inst, mark)
    margin = ex.position_margin(pos)
    loss = min(margin, ex.wallets[cur].balance)
    realised = max(at_bk, -loss)
    rows = [("realised_pnl", realised), ("liquidation", -(loss + realised))]
    _close_position(ex, pos, -loss, rows, bk, cancelled or [], loss, at_mark + loss)
    ex.dirty_currency(cur)


def liquidate_cross(ex: Exchange, currency: str) -> None:
    """Cross: every cross position of ``currency`` goes at once; the trader loses the cross collateral
    (wallet − isolated margins), each position realising its PnL at the mark and the rest going as a liquidation
    loss; the difference between the mark PnL and the loss goes to the insurance fund."""
    positions = ex.cross_positions(currency)
    if not positions:
        return
    iso = sum(ex.position_margin(p) for p in ex.positions.values()
              if p.qty and not p.cross and ex.catalog[p.symbol].settle_currency == currency)
    collateral = max(ex.wallets[currency].balance - iso, 0)
    left = collateral
    plans = []
    for p in positions:
        inst = ex.catalog[p.symbol]
        mark = ex.markets[p.symbol].mark if p.symbol in ex.markets else p.entry_price(inst)
        _, bk, _ = ex.liq_bk(p.symbol)
        plans.append((p, p.unrealised_pnl(inst, mark), bk if bk is not None else mark))
    for n, (p, at_mark, bk) in enumerate(plans):
        last = n == len(plans) - 1
        realised = max(at_mark, -left)
        left += realised
        rows = [("realised_pnl", realised)]
        loss = -realised
        if last:
            rows.append(("liquidation", -left))
            loss += left
            left = 0
        _close_position(ex, p, -loss, rows, bk, [], loss, at_mark + loss)
    ex.dirty_currency(currency)
