"""What if…: the decision a branch changes (:class:`Change`, and whether a trader could take it) and how a line of
the session ended (:class:`Outcome`). The replay itself is :meth:`terminal.lessons.timeline.Timeline.branch`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from terminal.domain.instruments import Instrument
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.session.trading_session import TradingSession


@dataclass(frozen=True)
class Change:
    """One decision changed for a branch: ``kind`` leverage / size / stop / margin_mode and its new value."""

    kind: Literal["leverage", "size", "stop", "margin_mode"]
    value: float | str


def change_problem(change: Change, inst: Instrument) -> str | None:
    """Why ``change`` is not a decision a trader could take on ``inst`` (in a trader's words), else None: a what-if
    is only worth comparing when its changed order or leverage would have been accepted."""
    if change.kind == "margin_mode":
        return None if change.value in ("isolated", "cross") else "Margin mode: isolated or cross."
    try:
        v = float(change.value)
    except (TypeError, ValueError):
        return "Type a number."
    if not math.isfinite(v) or v <= 0:
        return "Type a positive number."
    if change.kind == "leverage":
        if not 1 <= v <= inst.max_leverage:
            return f"Leverage {v:g}x is outside {inst.symbol}'s range of 1x to {inst.max_leverage:g}x."
        return None
    if change.kind == "size":
        if not inst.min_order_qty <= v <= inst.max_order_qty:
            return (f"Size must be between {inst.min_order_qty:,} and {inst.max_order_qty:,} contracts "
                    f"on {inst.symbol}.")
        if v != int(v) or int(v) % inst.lot_size:
            return f"Size must be a multiple of {inst.lot_size:,} contracts (the lot size)."
        return None
    if not inst.tick_size <= v <= inst.max_price or not inst.is_on_tick(v):
        return (f"Stop price must be on {inst.symbol}'s tick of {inst.tick_size:g}, between {inst.tick_size:g} "
                f"and {inst.max_price:g}.")
    return None


@dataclass
class Outcome:
    """How a line of the session ended: final figures and the curves since the branch point."""

    label: str
    margin_balance_minor: int
    wallet_balance_minor: int
    realised_pnl_minor: int
    liquidations: int
    max_drawdown_pct: float
    equity: np.ndarray  # rows t, margin balance (major)
    liquidation: np.ndarray  # rows t, liquidation price (nan when flat), mark

    def figures(self) -> dict[str, Any]:
        return {"label": self.label, "margin_balance_minor": self.margin_balance_minor,
                "wallet_balance_minor": self.wallet_balance_minor, "realised_pnl_minor": self.realised_pnl_minor,
                "liquidations": self.liquidations, "max_drawdown_pct": round(self.max_drawdown_pct, 4)}


def outcome_of(label: str, s: TradingSession, cur: str, liqs_before: int, realised_before: int) -> Outcome:
    """How ``s`` ended in ``cur`` since the branch point (liquidations and realised PnL counted from there)."""
    ex = s.exchange
    tot = ex.currency_totals(cur)
    eq = s.history.equity.get(cur)
    equity = eq.view()[:, :2].copy() if eq is not None else np.empty((0, 2))
    liq_buf = next(iter(s.history.liquidation.values()), None)
    liq = liq_buf.view().copy() if liq_buf is not None else np.empty((0, 3))
    mb = equity[:, 1] if len(equity) else np.array([tot["margin_balance"] / MINOR_PER_MAJOR[cur]])
    peak = np.maximum.accumulate(mb)
    dd = float(np.max(np.where(peak > 0, (peak - mb) / peak, 0.0))) * 100 if len(mb) else 0.0
    realised = sum(r.amount_minor for r in ex.ledger if r.currency == cur
                   and r.kind in ("realised_pnl", "liquidation", "settlement")) - realised_before
    return Outcome(label, tot["margin_balance"], tot["wallet_balance"], realised, len(ex.liquidations) - liqs_before,
                   0.0 if math.isnan(dd) else dd, equity, liq)
