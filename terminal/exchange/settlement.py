"""Scheduled settlements: funding of perpetuals and expiry of dated futures (MECHANICS.md section 5).

* Funding at T pays ``mark value × F`` with the **fixed** rate ``F`` — the prediction at the close of the window
  that ended at T − 8 h (BitMEX support, "Why is the funding rate higher or lower than I expect": the payment at
  04:00 uses the value at 20:00). After paying, the window that just closed fixes the rate for the next funding.
* A dated future settles at the **30-minute average of the index** before expiry (.BXBT30M / .BETH30M), not at
  the last mark.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from terminal.domain.account import FundingRecord
from terminal.domain.money import round_half_up

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange
    from terminal.feeds.base import TickBatch

HOUR_MS = 3_600_000
SETTLEMENT_WINDOW_MS = 30 * 60_000


def next_funding_after(t_ms: int, interval_h: int) -> int:
    """First funding instant strictly after ``t_ms``: 04:00, 12:00, 20:00 UTC for 8-hour funding."""
    period = interval_h * HOUR_MS
    offset = 4 * HOUR_MS % period
    k = (t_ms - offset) // period + 1
    return k * period + offset


def pay_funding(ex: Exchange, symbol: str, window_final: float) -> None:
    """Pay the fixed rate due now; ``window_final`` (the prediction as the window closed) is fixed for the next."""
    inst = ex.catalog[symbol]
    m = ex.markets[symbol]
    due = ex.next_funding_ms[symbol]
    ex.next_funding_ms[symbol] = next_funding_after(max(due, ex.now_ms), inst.funding_interval_h or 8)
    rate = ex.funding_rate(symbol)
    m.funding_rate = window_final
    ex.dirty_currency(inst.settle_currency)  # the funding reserve in maintenance margins changed
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return
    cur = inst.settle_currency
    value = inst.value_minor(pos.qty, m.mark)
    amount = -pos.direction * round_half_up(value * rate)
    amount = max(amount, -ex.wallets[cur].balance)
    saved, ex.now_ms = ex.now_ms, due
    ex.book(cur, "funding", amount, symbol, None, f"funding {rate * 100:.4f} %")
    ex.now_ms = saved
    rec = FundingRecord(due, symbol, round(rate, 10), m.mark, pos.qty, amount, cur)
    ex.funding.append(rec)
    ex.emit("funding", rec)


def accumulate_settlement_index(ex: Exchange, symbol: str, batch: TickBatch, expiry_ms: int) -> None:
    """Add the batch's index prices of the 30 minutes before expiry to the running settlement average."""
    t = batch.t_ms
    mask = (t >= expiry_ms - SETTLEMENT_WINDOW_MS) & (t < expiry_ms)
    n = int(np.count_nonzero(mask))
    if n:
        total, count = ex.settlement_index.get(symbol, (0.0, 0))
        ex.settlement_index[symbol] = (total + float(np.sum(batch.index[mask])), count + n)


def settlement_price(ex: Exchange, symbol: str) -> float:
    """The 30-minute index average before expiry (the last mark if no index was seen in that window)."""
    inst = ex.catalog[symbol]
    total, count = ex.settlement_index.get(symbol, (0.0, 0))
    return inst.round_price(total / count if count else ex.markets[symbol].mark)


def settle_expiry(ex: Exchange, symbol: str) -> None:
    inst = ex.catalog[symbol]
    ex.cancel_all(symbol, f"{symbol} expired")
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return
    price = settlement_price(ex, symbol)
    realised = pos.unrealised_pnl(inst, price)
    cur = inst.settle_currency
    realised = max(realised, -ex.wallets[cur].balance)
    ex.book(cur, "settlement", realised, symbol, None, f"settled at {inst.format_price(price)} (30-minute index average) on expiry")
    pos.qty, pos.entry_value, pos.added_margin = 0, 0, 0
    ex.emit("position", symbol)
    ex.dirty(symbol)
