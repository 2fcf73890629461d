"""Stored state checked on load: types and ranges a real account can have, so a damaged or hand-edited file is
refused as damaged (and kept aside by the caller) instead of being traded on.

A position of 1e300 contracts, a wallet of -5 satoshi, a leverage of NaN, a resting order at a price of 0 — each
is a :class:`ValueError` naming the symbol or order and the field; ``load_session`` turns it into
``StoreError(kind="corrupt")``, which the window answers with "keep a copy and start fresh".
"""
from __future__ import annotations

import math
from typing import Any

from terminal.exchange.engine import Exchange

MAX_WALLET_MINOR = 10**18  # 10 billion XBT in satoshi: no real practice wallet comes near
POSITION_ORDERS = 1_000  # a position is at most this many maximum-size orders
LATEST_MS = 4_102_444_800_000  # 2100-01-01


def _int(v: Any, what: str, lo: int, hi: int) -> None:
    if type(v) is not int:  # bool is not a count, 1.0 is not a count of satoshi
        raise ValueError(f"{what} is {v!r}: expected a whole number")
    if not lo <= v <= hi:
        raise ValueError(f"{what} is {v:,}: outside {lo:,} … {hi:,}")


def _num(v: Any, what: str, lo: float, hi: float, *, nan_ok: bool = False) -> None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{what} is {v!r}: expected a number")
    if math.isnan(v) and nan_ok:
        return
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{what} is {v!r}: outside {lo:g} … {hi:g}")


def check_exchange(ex: Exchange) -> None:
    """Raise ValueError at the first value no account can hold."""
    _int(ex.now_ms, "the clock", 0, LATEST_MS)
    for cur, w in ex.wallets.items():
        _int(w.balance, f"the {cur} wallet", 0, MAX_WALLET_MINOR)
    for sym, pos in ex.positions.items():
        if sym not in ex.catalog:
            raise ValueError(f"a position in {sym!r}, which is not an instrument")
        inst = ex.catalog[sym]
        where = f"the {sym} position's"
        limit = inst.max_order_qty * POSITION_ORDERS
        _int(pos.qty, f"{where} size", -limit, limit)
        if pos.qty % inst.lot_size:
            raise ValueError(f"{where} size {pos.qty:,} is not a multiple of the lot size {inst.lot_size}")
        _int(pos.entry_value, f"{where} entry value", -MAX_WALLET_MINOR * 1000, MAX_WALLET_MINOR * 1000)
        _num(pos.leverage, f"{where} leverage", 0.01, inst.max_leverage + 1e-9)
        _int(pos.added_margin, f"{where} added margin", -MAX_WALLET_MINOR, MAX_WALLET_MINOR)
        _int(pos.realised_pnl, f"{where} realised PnL", -MAX_WALLET_MINOR * 1000, MAX_WALLET_MINOR * 1000)
        _num(pos.entry_exact, f"{where} exact entry value", -1e30, 1e30)
    for sym, st in ex.settings.items():
        if sym not in ex.catalog:
            raise ValueError(f"settings for {sym!r}, which is not an instrument")
        _num(st.leverage, f"the {sym} leverage setting", 0.01, ex.catalog[sym].max_leverage + 1e-9)
    for oid, o in ex.orders.items():
        if o.symbol not in ex.catalog:
            raise ValueError(f"order {oid} is in {o.symbol!r}, which is not an instrument")
        inst = ex.catalog[o.symbol]
        _int(o.qty, f"order {oid}'s size", 1, inst.max_order_qty)
        for name in ("price", "stop_price"):
            v = getattr(o, name)
            if v is not None:
                _num(v, f"order {oid}'s {name}", inst.tick_size * 0.999, inst.max_price)
    for sym, m in ex.markets.items():
        if sym in ex.catalog:
            hi = ex.catalog[sym].max_price
            for name in ("last", "mark", "index"):
                _num(getattr(m, name), f"the {sym} {name} price", 0.0, hi, nan_ok=True)
