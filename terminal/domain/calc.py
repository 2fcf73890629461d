"""`leverage-terminal calc`: what the BitMEX order-form calculator shows, as a JSON-able dict.

Cost comes from :func:`terminal.domain.margin.order_cost` (through :func:`figures`) — the same function the
order form and the exchange's balance check use. With ``--exit`` beyond the liquidation price the result says
``"liquidated_before_exit": true`` and gives the PnL of the liquidation (the position margin lost, or the cross
balance), as the GUI calculator does.
"""
from __future__ import annotations

import math
from typing import Any

from terminal.domain.errors import InputError
from terminal.domain.instruments import Catalog, Instrument
from terminal.domain.margin import Side, figures, pnl, roe_pct, side_sign
from terminal.domain.money import DISPLAY_DECIMALS, to_major, to_minor


def _money(inst: Instrument, minor: int) -> float:
    return round(to_major(inst.settle_currency, minor), DISPLAY_DECIMALS[inst.settle_currency])


def _price(inst: Instrument, price: float | None) -> float | None:
    return None if price is None else round(price, inst.tick_decimals)


def _positive(name: str, value: float | None) -> None:
    if value is not None and (not math.isfinite(value) or value <= 0):
        raise InputError(f"--{name} must be a positive number, got {value}")


def calculate(
    catalog: Catalog,
    *,
    symbol: str,
    side: Side,
    qty: float,
    entry: float,
    leverage: float | None = None,
    cross: bool = False,
    balance: float | None = None,
    exit_price: float | None = None,
    qty_unit: str = "contracts",
    maint_rate: float | None = None,
    taker_fee: float | None = None,
    maker_fee: float | None = None,
    funding_rate: float = 0.0,
) -> dict[str, Any]:
    inst = catalog[symbol]
    for name, v in (("qty", qty), ("entry", entry), ("leverage", leverage), ("exit", exit_price)):
        _positive(name, v)
    if maint_rate is not None and not (0 < maint_rate < 1):
        raise InputError(f"--maint-rate must be between 0 and 1, got {maint_rate}")
    for name, v in (("taker-fee", taker_fee), ("maker-fee", maker_fee)):
        if v is not None and not (math.isfinite(v) and abs(v) < 0.1):
            raise InputError(f"--{name} must be a rate such as 0.00075, got {v}")
    if not (math.isfinite(funding_rate) and abs(funding_rate) <= inst.funding_cap + 1e-12):
        raise InputError(f"--funding-rate must be within ±{inst.funding_cap:.4%} (75 % of IMR − MMR), got {funding_rate}")
    if taker_fee is not None and taker_fee < 0:
        raise InputError("--taker-fee cannot be negative: takers pay; rebates are for makers")
    if entry > inst.max_price:
        raise InputError(f"entry price {inst.format_price(entry)} is above {symbol}'s maximum price of "
                         f"{inst.format_price(inst.max_price)}")
    if inst.round_price(entry) <= 0:
        raise InputError(f"entry price {entry:g} is below {symbol}'s tick of {inst.format_price(inst.tick_size)}")
    if cross and balance is None:
        raise InputError("--cross needs --balance (the wallet balance that backs the position)")
    if balance is not None and not cross:
        raise InputError("--balance only applies with --cross")
    if balance is not None and (not math.isfinite(balance) or balance < 0):
        raise InputError(f"--balance must be zero or more, got {balance}")
    if leverage is None:
        if not cross:
            raise InputError("give --leverage (isolated) or --cross --balance B")
        leverage = inst.max_leverage
    if leverage < 1 or leverage > inst.max_leverage + 1e-9:
        raise InputError(f"leverage {leverage:g}x is outside {symbol}'s range of 1x to {inst.max_leverage:g}x")

    entry_px = inst.round_price(entry)
    raw = inst.contracts_from(qty, qty_unit, entry_px)
    if raw > inst.max_order_qty:
        raise InputError(f"{qty:g} {qty_unit} is above {symbol}'s maximum order of {inst.max_order_qty:,} contracts")
    contracts = int(round(raw / inst.lot_size)) * inst.lot_size
    if contracts < inst.min_order_qty:
        raise InputError(
            f"{qty:g} {qty_unit} is below {symbol}'s minimum order of {inst.min_order_qty} contracts"
        )
    if contracts > inst.max_order_qty:
        raise InputError(f"{contracts} contracts is above {symbol}'s maximum order of {inst.max_order_qty}")
    direction = side_sign(side)
    max_lev = inst.max_leverage_at(inst.value_minor(contracts, entry_px))
    if leverage > max_lev + 1e-9:
        raise InputError(
            f"leverage {leverage:g}x is above the {max_lev:g}x allowed for a position of this size (risk limit)"
        )
    imr = max(1.0 / leverage, inst.risk_rates(inst.value_minor(contracts, entry_px))[0])
    mmr = inst.risk_rates(inst.value_minor(contracts, entry_px))[1] if maint_rate is None else maint_rate
    if mmr >= imr:
        raise InputError(f"a maintenance rate of {mmr:.4%} is not below the initial-margin rate of {imr:.4%} at "
                         f"{leverage:g}x: the position would be liquidated as it opens")
    if balance is not None and balance > 1e9:
        raise InputError(f"--balance {balance:g} is beyond any account")
    cross_minor = to_minor(inst.settle_currency, balance) if cross and balance is not None else None
    fig = figures(
        inst, direction, contracts, entry_px, leverage,
        cross_balance=cross_minor, mmr=maint_rate, taker_fee=taker_fee, funding_rate=funding_rate,
    )
    if cross_minor is not None and cross_minor < fig.cost:
        raise InputError(f"a balance of {_money(inst, cross_minor)} {inst.settle_currency} does not cover the order's "
                         f"cost of {_money(inst, fig.cost)} {inst.settle_currency}")
    out: dict[str, Any] = {
        "symbol": inst.symbol,
        "side": side,
        "qty": contracts,
        "entry_price": _price(inst, entry_px),
        "leverage": leverage,
        "margin_mode": "cross" if cross else "isolated",
        "currency": inst.settle_currency,
        "order_value": _money(inst, fig.order_value),
        "initial_margin": _money(inst, fig.initial_margin),
        "maint_margin": _money(inst, fig.maint_margin),
        "cost": _money(inst, fig.cost),
        "liquidation_price": _price(inst, fig.liquidation_price),
        "bankruptcy_price": _price(inst, fig.bankruptcy_price),
    }
    if exit_price is not None:
        exit_px = inst.round_price(exit_price)
        p = pnl(inst, direction, contracts, entry_px, exit_px)
        out["exit_price"] = _price(inst, exit_px)
        out["pnl"] = _money(inst, p)
        out["roe_pct"] = round(roe_pct(p, fig.initial_margin), 2)
        liq = fig.liquidation_price
        if liq is not None and ((exit_px <= liq) if direction > 0 else (exit_px >= liq)):
            lost = cross_minor if cross_minor is not None else fig.position_margin
            out["liquidated_before_exit"] = True
            out["liquidation_pnl"] = _money(inst, -lost)
            out["liquidation_roe_pct"] = round(roe_pct(-lost, fig.initial_margin), 2)
    return out
