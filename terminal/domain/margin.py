"""Pure margin formulas: order value, cost, margins, liquidation and bankruptcy prices, PnL, ROE.

Everything here follows MECHANICS.md (sections 2 and 3) and is checked in tests against its worked
numbers. Money in and out is integer minor units; prices are floats, rounded to the tick only where
the exchange shows them (liquidation and bankruptcy prices: toward safety — long up, short down).

One equation serves every payout type. A position of ``q`` contracts with entry value ``V`` (minor
units), backed by margin ``M`` (initial margin plus any added margin, or for cross the wallet that
backs it), is liquidated when ``M + PnL(P) = MMR·V (+ t·value(P) for cross)``. Writing ``s = +1``
for an inverse long or a linear/quanto short and ``s = −1`` otherwise, the value of the position at
that price is

    value(P) = (V + s·(M − MMR·V)) / (1 + s·t)

and the price follows from the instrument's value function. The bankruptcy price is the same with
MMR = 0 and t = 0. For isolated margin the close-fee reserve sits on both sides and cancels (t = 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from terminal.domain.instruments import Instrument
from terminal.domain.money import round_half_up

Side = Literal["buy", "sell"]


def side_sign(side: Side) -> int:
    return 1 if side == "buy" else -1


def _s(inst: Instrument, direction: int) -> int:
    """+1 where the position's value must *rise* to lose money (inverse long, linear short)."""
    return direction if inst.kind == "inverse" else -direction


def initial_margin(value_minor: int, imr: float) -> int:
    return round_half_up(value_minor * imr)


def fee(value_minor: int, rate: float) -> int:
    """Fee in minor units; a negative rate is a rebate (negative fee)."""
    return round_half_up(value_minor * rate)


def solve_price(
    inst: Instrument,
    direction: int,
    qty: int,
    entry_value: float,
    margin: float,
    mmr: float = 0.0,
    fee_rate: float = 0.0,
) -> float | None:
    """Exact (unrounded) price at which ``margin + PnL = MMR·V + fee_rate·value(P)``.

    ``None`` when no such price exists: the price can move without bound (a 1x inverse short) or would have
    to fall to zero (a 1x linear long's bankruptcy, a cross long backed by more than its value).
    """
    if qty == 0:
        return None
    s = _s(inst, direction)
    target = (entry_value + s * (margin - mmr * entry_value)) / (1 + s * fee_rate)
    if target <= entry_value * 1e-9:
        return None  # the price would have to reach zero (or go through it): no such price
    return inst.price_for_value(qty, target)


def round_cautious(inst: Instrument, price: float | None, direction: int) -> float | None:
    """Round a liquidation / bankruptcy price to the tick toward safety: long up, short down."""
    if price is None or not math.isfinite(price):
        return None
    rounded = inst.round_price(price, "up" if direction > 0 else "down")
    return max(rounded, 0.0)


@dataclass(frozen=True)
class MarginFigures:
    """What the order form and the position row show for one position or order, in minor units."""

    qty: int
    direction: int
    entry_price: float
    order_value: int
    imr: float
    mmr: float
    initial_margin: int
    close_fee_reserve: int
    maint_margin: int
    cost: int
    bankruptcy_exact: float | None
    liquidation_exact: float | None
    bankruptcy_price: float | None
    liquidation_price: float | None

    @property
    def position_margin(self) -> int:
        return self.initial_margin + self.close_fee_reserve


def figures(
    inst: Instrument,
    direction: int,
    qty: int,
    entry_price: float,
    leverage: float,
    *,
    cross_balance: int | None = None,
    added_margin: int = 0,
    entry_value: int | None = None,
    mmr: float | None = None,
    taker_fee: float | None = None,
    mark_price: float | None = None,
) -> MarginFigures:
    """Order value, margins, cost, bankruptcy and liquidation price of a position or an order.

    ``leverage`` sets the initial-margin rate (IMR = 1/leverage, never below the risk-limit step's
    floor). With ``cross_balance`` (minor units of wallet backing the position) the liquidation and
    bankruptcy prices come from the cross equation and leverage only sets the margin reserved.
    ``mark_price``, when given, adds BitMEX's gross open premium to the cost of an order priced
    through the mark.
    """
    q = abs(int(qty))
    t = inst.taker_fee if taker_fee is None else taker_fee
    value = inst.value_minor(q, entry_price) if entry_value is None else entry_value
    # margins are charged on the booked (satoshi-rounded) value; prices are solved on the exact value at the
    # entry price, so they follow MECHANICS.md's E / (1 + IMR − MMR) whatever the per-contract rounding
    exact = inst.value_exact(q, entry_price) if q else 0.0
    imr_floor, step_mmr = inst.risk_rates(value)
    imr = max(1.0 / leverage, imr_floor)
    mmr_ = step_mmr if mmr is None else mmr
    im = initial_margin(value, imr)

    bk_iso = solve_price(inst, direction, q, exact, exact * imr + added_margin)
    bk_value = inst.value_minor(q, bk_iso) if bk_iso else 0
    reserve = fee(bk_value, max(t, 0.0))
    if cross_balance is None:
        bk = bk_iso
        liq = solve_price(inst, direction, q, exact, exact * imr + added_margin, mmr_)
    else:
        bk = solve_price(inst, direction, q, exact, cross_balance)
        liq = solve_price(inst, direction, q, exact, cross_balance, mmr_, max(t, 0.0))
        if liq is not None and bk is not None and (liq - bk) * direction < 0:
            liq = bk  # fees larger than the margin left: liquidation at bankruptcy
    cost = im + fee(value + bk_value, max(t, 0.0))
    if mark_price is not None:
        cost += gross_open_premium(inst, direction, q, entry_price, mark_price)
    return MarginFigures(
        qty=q,
        direction=direction,
        entry_price=entry_price,
        order_value=value,
        imr=imr,
        mmr=mmr_,
        initial_margin=im,
        close_fee_reserve=reserve,
        maint_margin=round_half_up(value * mmr_) + reserve,
        cost=cost,
        bankruptcy_exact=bk,
        liquidation_exact=liq,
        bankruptcy_price=round_cautious(inst, bk, direction),
        liquidation_price=round_cautious(inst, liq, direction),
    )


def order_cost(inst: Instrument, direction: int, qty: int, price: float, leverage: float,
               mark_price: float | None = None) -> int:
    """The order form's Cost alone (what :func:`figures` gives as ``cost``), without the price solving
    for the liquidation price; the exchange asks for it on every order."""
    q = abs(int(qty))
    t = max(inst.taker_fee, 0.0)
    value = inst.value_minor(q, price)
    imr = max(1.0 / leverage, inst.risk_rates(value)[0])
    im = initial_margin(value, imr)
    bk = solve_price(inst, direction, q, value, im)
    bk_value = inst.value_minor(q, bk) if bk else 0
    cost = im + fee(value + bk_value, t)
    if mark_price is not None:
        cost += gross_open_premium(inst, direction, q, price, mark_price)
    return cost


def gross_open_premium(inst: Instrument, direction: int, qty: int, price: float, mark: float) -> int:
    """A buy priced above the mark (a sell below it) funds the difference in full."""
    if (price - mark) * direction <= 0:
        return 0
    return abs(inst.value_minor(qty, price) - inst.value_minor(qty, mark))


def pnl(inst: Instrument, direction: int, qty: int, entry_price: float, exit_price: float) -> int:
    """Realised PnL of ``qty`` contracts from entry to exit, minor units, fees excluded."""
    q = abs(int(qty))
    return inst.pnl_minor(direction * q, inst.value_minor(q, entry_price), exit_price)


def roe_pct(pnl_minor: int, initial_margin_minor: int) -> float:
    """Return on equity: PnL over the initial margin, in percent."""
    if initial_margin_minor <= 0:
        return 0.0
    return 100.0 * pnl_minor / initial_margin_minor


def target_price_for_roe(
    inst: Instrument, direction: int, qty: int, entry_price: float, leverage: float, roe: float
) -> float | None:
    """Exit price at which the position earns ``roe`` percent on its initial margin."""
    q = abs(int(qty))
    value = inst.value_minor(q, entry_price)
    im = initial_margin(value, max(1.0 / leverage, inst.risk_rates(value)[0]))
    wanted = im * roe / 100.0
    s = _s(inst, direction)
    target = value - s * wanted
    if target <= 0:
        return None
    return inst.round_price(inst.price_for_value(q, target) or 0.0)
