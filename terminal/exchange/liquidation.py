"""Liquidation: when a position's mark reaches its liquidation price, the exchange takes it over.

See MECHANICS.md section 4: open orders on the contract are cancelled, the position is closed at the
bankruptcy price, the trader loses the position margin (never more in isolated) and the difference
between the mark and the bankruptcy price goes to (or comes from) the insurance fund.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.domain.account import Fill, LiquidationRecord

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


def check_liquidation(ex: Exchange, symbol: str) -> None:
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return
    liq, _, _ = ex.liq_bk(symbol)
    mark = ex.markets[symbol].mark
    if liq is not None and ((mark <= liq) if pos.qty > 0 else (mark >= liq)):
        liquidate(ex, symbol)


def liquidate(ex: Exchange, symbol: str) -> None:
    inst = ex.catalog[symbol]
    pos = ex.positions[symbol]
    cur = inst.settle_currency
    mark = ex.markets[symbol].mark
    cross_balance = ex.cross_backing(symbol) if pos.cross else None
    f = pos.figures(inst, cross_balance=cross_balance)
    cancelled = [o.id for o in ex.orders.values() if o.symbol == symbol]
    ex.cancel_all(symbol, "cancelled by liquidation")
    entry = pos.entry_price(inst)
    bk = f.bankruptcy_exact if f.bankruptcy_exact is not None else mark
    at_bk = pos.unrealised_pnl(inst, bk)
    at_mark = pos.unrealised_pnl(inst, mark)
    # an order book closes the position into its bids / asks: the fund gains or pays the difference from bankruptcy
    closed = ex.matcher.liquidation_price(symbol, -pos.direction, abs(pos.qty), bk)
    close_px = closed[0] if closed is not None else None
    if close_px is not None:
        at_mark = pos.unrealised_pnl(inst, close_px)
    wallet = ex.wallets[cur].balance
    if pos.cross:
        loss = min(max(-at_bk, 0), wallet)
        rows = [("realised_pnl", -loss)]
    else:
        margin = ex.position_margin(pos)
        loss = min(margin, wallet)
        realised = max(at_bk, -loss)
        rows = [("realised_pnl", realised), ("liquidation", -(loss + realised))]
    fund = at_mark + loss
    ex.insurance_fund[cur] += fund
    fid = ex.next_fill_id
    ex.next_fill_id += 1
    for kind, amount in rows:
        ex.book(cur, kind, amount, symbol, fid, "liquidated at the bankruptcy price")
    side = "buy" if pos.qty > 0 else "sell"
    close_side = "sell" if pos.qty > 0 else "buy"
    qty = abs(pos.qty)
    fill = Fill(fid, ex.now_ms, None, symbol, close_side, qty, inst.round_price(bk) if close_px is None else close_px,
                "liquidation", 0, -loss, cur, "liquidation")
    if close_px is not None:
        d = -pos.direction
        fill.intended_price = inst.round_price(bk)
        fill.slippage_bps = round(d * (close_px - bk) / bk * 1e4, 4)
        fill.levels = closed[1] if closed is not None else None
    ex.fills.append(fill)
    rec = LiquidationRecord(
        time=ex.now_ms, symbol=symbol, side=side, qty=qty, entry_price=entry, leverage=pos.leverage,
        margin_mode="cross" if pos.cross else "isolated", mark_price=mark,
        liquidation_price=f.liquidation_price, bankruptcy_price=f.bankruptcy_price,
        initial_margin_minor=f.initial_margin + (0 if pos.cross else pos.added_margin),
        maint_margin_minor=f.maint_margin, loss_minor=loss, insurance_fund_minor=fund, currency=cur,
        cancelled_orders=cancelled,
    )
    pos.qty, pos.entry_value, pos.added_margin = 0, 0, 0
    pos.realised_pnl -= loss
    ex.liquidations.append(rec)
    ex.emit("fill", fill)
    ex.emit("liquidation", rec)
    ex.emit("position", symbol)
    ex.dirty_currency(cur)
