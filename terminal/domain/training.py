"""What a trainer explains, in numbers: the leverage → liquidation curve, rules of thumb against the
real distance, the ROE of a move, the calculator's verdicts, a liquidation told as a story, and the
risk coach's warnings. Pure functions over the same formulas as ``calc``; no Qt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from terminal.domain.account import LiquidationRecord
from terminal.domain.defaults import PRESET_LEVERAGES
from terminal.domain.instruments import Instrument
from terminal.domain.margin import figures, pnl, roe_pct
from terminal.domain.money import format_money


def presets(inst: Instrument) -> list[float]:
    """BitMEX-like preset stops up to the instrument's maximum (33.33x for ADA ends the list)."""
    out: list[float] = [p for p in PRESET_LEVERAGES if p <= inst.max_leverage + 1e-9]
    if inst.max_leverage not in out:
        out.append(inst.max_leverage)
    return out


@dataclass(frozen=True)
class CurvePoint:
    leverage: float
    liquidation_price: float | None
    distance_pct: float | None  # how far the price must move against the position, percent


def leverage_curve(inst: Instrument, direction: int, qty: int, entry: float, steps: int = 60,
                   mmr: float | None = None) -> list[CurvePoint]:
    """Liquidation price (and distance in %) against leverage from 1x to the maximum, log-spaced."""
    lo, hi = 0.0, math.log(inst.max_leverage)
    levs = sorted({round(math.exp(lo + (hi - lo) * i / (steps - 1)), 2) for i in range(steps)} | set(presets(inst)))
    return [curve_point(inst, direction, qty, entry, lev, mmr) for lev in levs]


def curve_point(inst: Instrument, direction: int, qty: int, entry: float, leverage: float,
                mmr: float | None = None) -> CurvePoint:
    f = figures(inst, direction, max(qty, inst.lot_size), entry, leverage, mmr=mmr)
    liq = f.liquidation_price
    dist = None if liq is None else abs(liq - entry) / entry * 100.0
    return CurvePoint(leverage, liq, dist)


def rule_of_thumb_pct(leverage: float) -> float:
    """The textbook answer: at L x leverage a move of 100/L % wipes you out."""
    return 100.0 / leverage


def roe_of_move(inst: Instrument, direction: int, qty: int, entry: float, leverage: float, move_pct: float) -> float:
    """Return on the initial margin if the price moves ``move_pct`` percent (signed) from the entry."""
    q = max(qty, inst.lot_size)
    exit_price = entry * (1 + move_pct / 100.0)
    f = figures(inst, direction, q, entry, leverage)
    return roe_pct(pnl(inst, direction, q, entry, exit_price), f.initial_margin)


@dataclass(frozen=True)
class CalculatorResult:
    pnl_minor: int
    roe_pct: float
    liquidation_price: float | None
    liquidated_before_exit: bool
    verdict: str


def calculator(inst: Instrument, direction: int, qty: int, entry: float, exit_price: float,
               leverage: float) -> CalculatorResult:
    """The calculator tab: PnL and ROE at the exit — unless the liquidation price lies on the way."""
    f = figures(inst, direction, qty, entry, leverage)
    liq = f.liquidation_price
    beyond = liq is not None and ((exit_price <= liq) if direction > 0 else (exit_price >= liq))
    if beyond:
        loss = -(f.position_margin)
        verdict = (f"Liquidated at {inst.format_price(liq)} before reaching the exit: you lose the "
                   f"position margin, {format_money(inst.settle_currency, -loss)}.")
        return CalculatorResult(loss, roe_pct(loss, f.initial_margin), liq, True, verdict)
    p = pnl(inst, direction, qty, entry, exit_price)
    r = roe_pct(p, f.initial_margin)
    word = "profit" if p >= 0 else "loss"
    verdict = f"A {word} of {format_money(inst.settle_currency, abs(p))}, {r:+.2f} % on your margin."
    return CalculatorResult(p, r, liq, False, verdict)


def explain_liquidation(inst: Instrument, rec: LiquidationRecord) -> list[tuple[str, str]]:
    """The liquidation told in numbers, as (label, value) lines for the explainer panel."""
    cur = rec.currency
    side = "long" if rec.side == "buy" else "short"
    move = (rec.mark_price - rec.entry_price) / rec.entry_price * 100.0
    against = -move if side == "long" else move
    lines = [
        ("Position", f"{side} {rec.qty:,} {inst.symbol} at {inst.format_price(rec.entry_price)}, "
                     f"{rec.leverage:g}x {rec.margin_mode}"),
        ("Initial margin", format_money(cur, rec.initial_margin_minor)),
        ("Maintenance margin", format_money(cur, rec.maint_margin_minor)),
        ("Liquidation price", inst.format_price(rec.liquidation_price)),
        ("Mark price that triggered it", inst.format_price(rec.mark_price)),
        ("Bankruptcy price (closed at)", inst.format_price(rec.bankruptcy_price)),
        ("You lost", format_money(cur, rec.loss_minor)),
        ("To the insurance fund", format_money(cur, rec.insurance_fund_minor)),
        ("How far the price moved", f"a {abs(against):.2f} % move against you"),
    ]
    return lines


def liquidation_story(inst: Instrument, rec: LiquidationRecord) -> str:
    side = "long" if rec.side == "buy" else "short"
    move = abs(rec.mark_price - rec.entry_price) / rec.entry_price * 100.0
    return (f"Your {rec.leverage:g}x {side} was liquidated: a {move:.2f} % move against you took the mark to "
            f"{inst.format_price(rec.mark_price)}, past your liquidation price of "
            f"{inst.format_price(rec.liquidation_price)}. You lost "
            f"{format_money(rec.currency, rec.loss_minor)}.")


# ---------------------------------------------------------------- risk coach
@dataclass(frozen=True)
class CoachWarning:
    code: str
    text: str


@dataclass(frozen=True)
class CoachSettings:
    enabled: bool = True
    beginner_max_leverage: float = 5.0
    max_risk_pct: float = 3.0


def position_size_for_risk(inst: Instrument, direction: int, entry: float, stop: float, account_minor: int,
                           risk_pct: float) -> int:
    """Contracts such that a stop at ``stop`` loses ``risk_pct`` % of the account (rounded down to the lot)."""
    if (stop - entry) * direction >= 0 or account_minor <= 0:
        return 0
    budget = account_minor * risk_pct / 100.0
    per_lot = abs(pnl(inst, direction, inst.lot_size, entry, stop))
    if per_lot == 0:
        return 0
    return int(budget // per_lot) * inst.lot_size


def coach(inst: Instrument, direction: int, qty: int, entry: float, leverage: float, account_minor: int,
          stop: float | None, settings: CoachSettings = CoachSettings()) -> list[CoachWarning]:
    """The guide's advice as warnings with a one-line reason each; never a block."""
    if not settings.enabled or qty <= 0:
        return []
    out: list[CoachWarning] = []
    if leverage > settings.beginner_max_leverage:
        f = figures(inst, direction, qty, entry, leverage)
        dist = abs((f.liquidation_price or entry) - entry) / entry * 100
        out.append(CoachWarning(
            "leverage", f"{leverage:g}x is above the beginner limit of {settings.beginner_max_leverage:g}x: "
                        f"a {dist:.2f} % move against you liquidates this position."))
    if stop is None:
        out.append(CoachWarning("no-stop", "No stop-loss: attach one so a bad move costs what you planned, "
                                           "not your whole margin."))
    elif account_minor > 0:
        loss = abs(pnl(inst, direction, qty, entry, stop))
        pct = 100.0 * loss / account_minor
        if pct > settings.max_risk_pct:
            size = position_size_for_risk(inst, direction, entry, stop, account_minor, settings.max_risk_pct)
            out.append(CoachWarning(
                "risk", f"The stop at {inst.format_price(stop)} risks {pct:.1f} % of your account; "
                        f"{settings.max_risk_pct:g} % would be {size:,} contracts."))
    return out
