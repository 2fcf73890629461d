"""The crowd: a population of other traders' leveraged positions whose liquidations hit the same book.

A scenario (or a script) describes the crowd by distributions — total notional, how many positions, the share that
is long, leverage between two bounds (log-uniform), entries spread around the start price — and the seed draws the
members. Each member is liquidated (its whole position sold or bought at market into the book) when the book's
mark — the exchange's mark moved by the depth the book has lost, see :mod:`terminal.market.book` — reaches its
liquidation price. Because those market orders take depth, the mark moves further and the next members go:
a cascade, as on 2020-03-12.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class CrowdSpec(BaseModel):
    """The ``[crowd]`` table of a scenario or the ``[market.crowd]`` table of a script."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    notional_usd: float = Field(default=60_000_000, gt=0, le=1e12, description="all members' positions, USD")
    members: int = Field(default=400, ge=1, le=100_000, description="how many positions")
    long_share: float = Field(default=0.8, ge=0, le=1, description="fraction of members that are long")
    leverage_min: float = Field(default=5, ge=1, le=100, description="lowest leverage (log-uniform)")
    leverage_max: float = Field(default=100, ge=1, le=100, description="highest leverage")
    entry_spread_pct: float = Field(default=2.0, ge=0, le=50, description="entries within ± this % of the start")
    maint_margin: float = Field(default=0.005, gt=0, lt=0.5, description="maintenance margin rate of the members")

    @model_validator(mode="after")
    def _leverage_bounds_in_order(self) -> CrowdSpec:
        if self.leverage_min > self.leverage_max:
            raise ValueError(f"leverage_min ({self.leverage_min:g}) is above leverage_max ({self.leverage_max:g}): "
                             "the crowd's leverage is drawn between the two")
        if self.maint_margin >= 1 / self.leverage_max:
            raise ValueError(f"maint_margin ({self.maint_margin:g}) must be below 1 / leverage_max "
                             f"({1 / self.leverage_max:g}): at that leverage a member would be liquidated on entry")
        return self


@dataclass
class CrowdBook:
    """Members still open, one array per side, sorted by how soon they go (longs: highest liquidation first)."""

    long_liq: np.ndarray  # float64 liquidation prices, descending
    long_usd: np.ndarray  # float64 notional, USD
    short_liq: np.ndarray  # ascending
    short_usd: np.ndarray
    next_long: int = 0
    next_short: int = 0

    @property
    def long_trigger(self) -> float:
        return float(self.long_liq[self.next_long]) if self.next_long < self.long_liq.size else -np.inf

    @property
    def short_trigger(self) -> float:
        return float(self.short_liq[self.next_short]) if self.next_short < self.short_liq.size else np.inf

    def take_longs(self, mark: float) -> tuple[int, float]:
        """Members long whose liquidation price the mark has reached: (count, USD)."""
        stop = int(np.searchsorted(-self.long_liq, -mark, side="right"))
        stop = max(stop, self.next_long)
        usd = float(self.long_usd[self.next_long:stop].sum())
        n = stop - self.next_long
        self.next_long = stop
        return n, usd

    def take_shorts(self, mark: float) -> tuple[int, float]:
        stop = int(np.searchsorted(self.short_liq, mark, side="right"))
        stop = max(stop, self.next_short)
        usd = float(self.short_usd[self.next_short:stop].sum())
        n = stop - self.next_short
        self.next_short = stop
        return n, usd


def draw_crowd(spec: CrowdSpec, price: float, seed: int) -> CrowdBook:
    """The members, drawn from ``seed``: only positions not already past their liquidation price at ``price``."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 0xC40D])
    n = spec.members
    lo, hi = sorted((spec.leverage_min, spec.leverage_max))
    lev = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    entry = price * (1.0 + rng.uniform(-1.0, 1.0, n) * spec.entry_spread_pct / 100.0)
    weights = rng.lognormal(0.0, 1.0, n)
    usd = spec.notional_usd * weights / weights.sum()
    is_long = rng.random(n) < spec.long_share
    liq_long = entry * (1.0 - 1.0 / lev + spec.maint_margin)
    liq_short = entry * (1.0 + 1.0 / lev - spec.maint_margin)
    keep_l = is_long & (liq_long < price)
    keep_s = ~is_long & (liq_short > price)
    ol = np.argsort(-liq_long[keep_l], kind="stable")
    os_ = np.argsort(liq_short[keep_s], kind="stable")
    return CrowdBook(liq_long[keep_l][ol], usd[keep_l][ol], liq_short[keep_s][os_], usd[keep_s][os_])
