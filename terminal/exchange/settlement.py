"""Scheduled settlements: funding of perpetuals (MECHANICS.md section 5) and expiry of dated futures."""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.domain.account import FundingRecord
from terminal.domain.money import round_half_up

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange

HOUR_MS = 3_600_000


def next_funding_after(t_ms: int, interval_h: int) -> int:
    """First funding instant strictly after ``t_ms``: 04:00, 12:00, 20:00 UTC for 8-hour funding."""
    period = interval_h * HOUR_MS
    offset = 4 * HOUR_MS % period
    k = (t_ms - offset) // period + 1
    return k * period + offset


def pay_funding(ex: Exchange, symbol: str) -> None:
    inst = ex.catalog[symbol]
    m = ex.markets[symbol]
    due = ex.next_funding_ms[symbol]
    ex.next_funding_ms[symbol] = next_funding_after(max(due, ex.now_ms), inst.funding_interval_h or 8)
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return
    cur = inst.settle_currency
    value = inst.value_minor(pos.qty, m.mark)
    amount = -pos.direction * round_half_up(value * m.funding_rate)
    amount = max(amount, -ex.wallets[cur].balance)
    saved, ex.now_ms = ex.now_ms, due
    ex.book(cur, "funding", amount, symbol, None, f"funding {m.funding_rate * 100:.4f} %")
    ex.now_ms = saved
    rec = FundingRecord(due, symbol, round(m.funding_rate, 10), m.mark, pos.qty, amount, cur)
    ex.funding.append(rec)
    ex.emit("funding", rec)


def settle_expiry(ex: Exchange, symbol: str) -> None:
    inst = ex.catalog[symbol]
    ex.cancel_all(symbol, f"{symbol} expired")
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return
    price = inst.round_price(ex.markets[symbol].mark)
    realised = pos.unrealised_pnl(inst, price)
    cur = inst.settle_currency
    realised = max(realised, -ex.wallets[cur].balance)
    ex.book(cur, "settlement", realised, symbol, None, f"settled at {inst.format_price(price)} on expiry")
    pos.qty, pos.entry_value, pos.added_margin = 0, 0, 0
    ex.emit("position", symbol)
    ex.dirty(symbol)
