"""Pure margin formulas: order value, cost, margins, liquidation and bankruptcy prices, PnL, ROE.

Everything here follows MECHANICS.md (sections 2 and 3) and BitMEX's own ``/position`` records
(tests/oracle/data/bitmex_position_records.json), in integer minor units:

* initial margin ``IM = ceil(V × IMR)`` (``posInit``);
* close-fee reserve ``C = ceil(t × (V + IM + A))`` (``posComm``), on longs *and* shorts; 0 for a 1x inverse short;
* maintenance margin ``MM = ceil((MMR + F⁺) × V) + C`` (``posMaint``), ``F⁺`` the next funding rate when the
  position pays it; 0 for a 1x inverse short;
* the order form's **Cost** ``= IM + (2V + IM) × t`` — :func:`order_cost`, the only Cost function (form, ``calc``
  and the exchange's balance check all call it), with BitMEX's roundings: ``IM + fee(V) + ceil(t × (V + IM))``.

Liquidation and bankruptcy prices are solved in satoshis the way BitMEX's records show: the value at which
the margin ``M`` backing the position is gone (bankruptcy) or has fallen to ``MM − C`` (liquidation — the
reserve ``C`` sits on both sides and cancels) is ``V ± (M − …)`` on the booked entry value ``V``; for an
inverse contract that value is divided into lots and the value of one lot rounded to a whole satoshi toward
safety, then the price follows and is rounded to the tick toward safety (long up, short down). This
reproduces the isolated records' ``liquidationPrice`` and ``bankruptPrice`` exactly.
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


def ceil_minor(amount: float) -> int:
    """Round an amount of minor units up, ignoring binary noise (0.1 × 3 is 0.30000000000000004)."""
    return math.ceil(round(amount, 6))


def initial_margin(value_minor: int, imr: float) -> int:
    """``posInit = ceil(V × IMR)`` (records J: 78,539.08 → 78,540; K: 96.2 → 97)."""
    return ceil_minor(value_minor * imr)


def fee(value_minor: int, rate: float) -> int:
    """Fee in minor units; a negative rate is a rebate (negative fee)."""
    return round_half_up(value_minor * rate)


def never_liquidated(inst: Instrument, direction: int, imr: float) -> bool:
    """A 1x inverse short: its margin is worth its contracts at any price, so it can never be liquidated."""
    return inst.kind == "inverse" and direction < 0 and imr >= 1.0 - 1e-12


def close_fee_reserve(value_minor: int, im: int, added: int, taker_fee: float) -> int:
    """``C = ceil(t × (V + IM + A))`` — BitMEX's ``posComm`` (the 1x inverse short case is the caller's)."""
    return ceil_minor(max(taker_fee, 0.0) * (value_minor + im + added))


def funding_reserve_rate(direction: int, funding_rate: float) -> float:
    """``F⁺``: the next funding rate when this position pays it (long and positive, short and negative), else 0."""
    return abs(funding_rate) if funding_rate * direction > 0 else 0.0


def maint_margin(value_minor: int, mmr: float, funding_reserve: float, reserve: int) -> int:
    """``MM = ceil((MMR + F⁺) × V) + C`` — BitMEX's ``posMaint`` (funding inside the one ceil)."""
    return ceil_minor((mmr + funding_reserve) * value_minor) + reserve


def price_for_margin(inst: Instrument, direction: int, qty: int, entry_value: int, margin_over: float) -> float | None:
    """Exact-to-the-satoshi price at which the position's value has moved ``margin_over`` against it.

    Rounded toward safety twice, as BitMEX does: an inverse lot's value to a whole satoshi (long down, short
    up), then the price to the tick (long up, short down). ``None`` when no such price exists (it would have
    to reach zero, or the position can lose no more than its margin at any price).
    """
    q = abs(int(qty))
    if q == 0:
        return None
    target = entry_value + _s(inst, direction) * margin_over
    if target <= entry_value * 1e-9:
        return None
    if inst.kind == "inverse":
        unit = inst.lot_size if q % inst.lot_size == 0 else 1
        units = q // unit
        per_unit = target / units
        per_unit = math.floor(round(per_unit, 6)) if direction > 0 else math.ceil(round(per_unit, 6))
        if per_unit <= 0:
            return None
        raw = -inst.multiplier * unit / per_unit
    else:
        raw = target / (q * inst.multiplier)
    return round_cautious(inst, raw, direction)


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
    bankruptcy_price: float | None
    liquidation_price: float | None
    funding_reserve: float = 0.0

    @property
    def position_margin(self) -> int:
        """Isolated position margin without added margin: ``IM + C``."""
        return self.initial_margin + self.close_fee_reserve

    # the prices are exact to the satoshi and on the tick; the old names stay for callers
    @property
    def bankruptcy_exact(self) -> float | None:
        return self.bankruptcy_price

    @property
    def liquidation_exact(self) -> float | None:
        return self.liquidation_price


def rates(inst: Instrument, value_minor: int, leverage: float, mmr: float | None = None) -> tuple[float, float]:
    """(IMR, MMR) of a position or order worth ``value_minor``: IMR = 1/leverage, never below the risk step's floor."""
    imr_floor, step_mmr = inst.risk_rates(value_minor)
    return max(1.0 / leverage, imr_floor), (step_mmr if mmr is None else mmr)


def figures(
    inst: Instrument,
    direction: int,
    qty: int,
    entry_price: float,
    leverage: float,
    *,
    cross_balance: int | None = None,
    added_margin: int = 0,
    margin_loss: int = 0,
    entry_value: int | None = None,
    mmr: float | None = None,
    taker_fee: float | None = None,
    mark_price: float | None = None,
    funding_rate: float = 0.0,
) -> MarginFigures:
    """Order value, margins, cost, bankruptcy and liquidation price of a position or an order.

    ``leverage`` sets the initial-margin rate (IMR = 1/leverage, never below the risk-limit step's
    floor). ``entry_value`` is the booked value of the contracts (BitMEX ``posCost``; default: their value
    at ``entry_price``). ``added_margin`` is margin the trader added to an isolated position (``posCross``)
    and ``margin_loss`` losses already taken from it (``posLoss``). ``funding_rate`` is the next (fixed)
    funding rate: when the position pays it, it is reserved in the maintenance margin.

    With ``cross_balance`` (minor units of the cross pool that backs the position, the other cross
    positions' maintenance margins already set aside) the prices are where that pool is down to the close-fee
    reserve (bankruptcy) or to this position's maintenance margin (liquidation); leverage only sets the size
    allowed. BitMEX's cross records B, I and J fit exactly this gap of ``ceil((MMR + F⁺) × V)`` between the two.
    ``mark_price``, when given, adds BitMEX's gross open premium to the cost of an order priced through it.
    """
    q = abs(int(qty))
    t = max(inst.taker_fee if taker_fee is None else taker_fee, 0.0)
    value = inst.value_minor(q, entry_price) if entry_value is None else entry_value
    imr, mmr_ = rates(inst, value, leverage, mmr)
    im = initial_margin(value, imr)
    safe = never_liquidated(inst, direction, imr) and cross_balance is None
    f_plus = funding_reserve_rate(direction, funding_rate)
    reserve = 0 if safe else close_fee_reserve(value, im, added_margin, t)
    mm = 0 if safe else maint_margin(value, mmr_, f_plus, reserve)
    if safe:
        bk = liq = None
    elif cross_balance is None:
        backing = im + added_margin - margin_loss
        bk = price_for_margin(inst, direction, q, value, backing)
        liq = price_for_margin(inst, direction, q, value, backing - (mm - reserve))
    else:  # the pool keeps the close-fee reserve for the closing fee, as an isolated margin does
        bk = price_for_margin(inst, direction, q, value, cross_balance - reserve)
        liq = price_for_margin(inst, direction, q, value, cross_balance - mm)
        if liq is not None and bk is not None and (liq - bk) * direction < 0:
            liq = bk  # the pool is already below maintenance: liquidation at bankruptcy
    cost = order_cost(inst, direction, q, entry_price, leverage, mark_price=mark_price, taker_fee=taker_fee,
                      value_minor=value)
    return MarginFigures(
        qty=q,
        direction=direction,
        entry_price=entry_price,
        order_value=value,
        imr=imr,
        mmr=mmr_,
        initial_margin=im,
        close_fee_reserve=reserve,
        maint_margin=mm,
        cost=cost,
        bankruptcy_price=bk,
        liquidation_price=liq,
        funding_reserve=f_plus,
    )


def order_cost(inst: Instrument, direction: int, qty: int, price: float, leverage: float,
               mark_price: float | None = None, taker_fee: float | None = None,
               value_minor: int | None = None) -> int:
    """The order form's **Cost**: ``IM + (2V + IM) × t`` (+ the gross open premium) — the one Cost function.

    BitMEX's roundings: ``IM + fee(V) + ceil(t × (V + IM))`` — the opening fee rounded like a fee, the close
    reserve rounded up like ``posComm``. Checks: support article "Calculating Order Cost", buy 100 XBTUSD at
    10,283 with 100x (lot 1): 9,725 + 729 + 737 = **11,191**; record C's resting sell of 760 @ 1x: order
    value 10,000,080 → initMargin **10,022,581**; record J's 2,101 resting buys worth 18,702,850 at 100x →
    **215,224** (tests/oracle/test_position_records.py).
    """
    q = abs(int(qty))
    t = max(inst.taker_fee if taker_fee is None else taker_fee, 0.0)
    value = inst.value_minor(q, price) if value_minor is None else value_minor
    imr, _ = rates(inst, value, leverage)
    im = initial_margin(value, imr)
    cost = im + fee(value, t) + close_fee_reserve(value, im, 0, t)
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
    im = initial_margin(value, rates(inst, value, leverage)[0])
    wanted = im * roe / 100.0
    s = _s(inst, direction)
    target = value - s * wanted
    if target <= 0:
        return None
    return inst.round_price(inst.price_for_value(q, target) or 0.0)
