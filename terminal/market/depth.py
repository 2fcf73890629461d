"""The shape of one side of the book and walking it: pure functions of a profile, a mid and the depth taken.

Prices are integer ticks here. A side's levels sit ``k_i`` ticks behind its touch: one tick apart for the first
``fine_levels``, then each gap ``level_growth`` times the previous one, out to 10 % of the mid (the book ends
there). Level ``i`` holds every dollar of the power-law depth between its distance from the mid and the next
level's; the curve's share inside the spread is simply not there (a wide, stressed spread thins the touch).
Depth an order takes is a *hole* at the front of the side, in
USD: the first ``hole`` dollars of the side are gone, so the touch moves out, and the hole shrinks as the depth
refills (:mod:`terminal.market.book`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from terminal.market.profiles import LiquidityProfile

MAX_TICKS = 10**12  # no book is deeper than this many ticks


@lru_cache(maxsize=64)
def level_ticks(fine_levels: int, growth: float) -> np.ndarray:
    """Tick offsets behind the touch of every level (int64, ascending, starting at 0)."""
    out = list(range(fine_levels))
    k, gap = fine_levels - 1, 1.0
    while k < MAX_TICKS:
        gap *= growth
        k += max(1, int(round(gap)))
        out.append(k)
    arr = np.array(out, dtype=np.int64)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Side:
    """One side of the book at one moment: level prices (ticks) and sizes (contracts), best first."""

    ticks: np.ndarray  # int64 price in ticks, best first
    size: np.ndarray  # float64 contracts still standing at each level


@dataclass(frozen=True)
class Walk:
    """What an order took from one side: per-level prices (ticks) and quantities, and the totals."""

    ticks: np.ndarray
    qty: np.ndarray
    filled: int
    avg_price: float  # volume-weighted (harmonic for inverse contracts), not rounded to the tick
    intended_ticks: int  # the touch when the order arrived
    taken_usd: float  # dollars of depth removed (the hole it leaves)

    @cached_property
    def levels(self) -> int:
        return int(np.count_nonzero(self.qty > 0))

    @cached_property
    def last_ticks(self) -> int:
        """The worst level touched: where the last print of this order is."""
        nz = np.flatnonzero(self.qty > 0)
        return int(self.ticks[nz[-1]]) if nz.size else self.intended_ticks


def spread_ticks(profile: LiquidityProfile, mid_ticks: np.ndarray | int, tick: float,
                 spread_mult: np.ndarray | float) -> np.ndarray:
    """Quoted spread in ticks (≥ 1) at each mid."""
    wide = profile.spread_bps * 1e-4 * np.asarray(mid_ticks, dtype=np.float64)
    if not (isinstance(spread_mult, float) and spread_mult == 1.0):  # × 1.0 changes no float: skip the pass
        wide = wide * np.asarray(spread_mult)
    sp = np.rint(wide)
    out: np.ndarray = np.maximum(sp, 1.0).astype(np.int64)
    return out


def touches(mid_ticks: np.ndarray, sp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best bid, best ask) in ticks of an undisturbed book around each mid."""
    bid = mid_ticks - sp // 2
    return bid, bid + sp


def side_levels(profile: LiquidityProfile, mid_ticks: int, sp: int, direction: int, depth_mult: float,
                usd_per_contract: float, hole_usd: float = 0.0, max_levels: int | None = None) -> Side:
    """The levels of the ask side (``direction`` +1, what a buy takes) or the bid side (−1), after the hole."""
    ticks, cum = _side_base(profile, int(mid_ticks), int(sp), direction, float(depth_mult), float(usd_per_contract))
    if hole_usd > 0:
        standing = np.maximum(cum - hole_usd / usd_per_contract, 0.0)
        size = _steps(standing)
        keep = size > 0
        ticks, size = ticks[keep], size[keep]
    else:
        size = _steps(cum)
    if max_levels is not None:
        ticks, size = ticks[:max_levels], size[:max_levels]
    return Side(ticks, size)


@lru_cache(maxsize=256)
def _side_base(profile: LiquidityProfile, mid_ticks: int, sp: int, direction: int, depth_mult: float,
               usd_per_contract: float) -> tuple[np.ndarray, np.ndarray]:
    """(level ticks, cumulative contracts through each level) of an undisturbed side (cached: the book only
    changes shape when its mid, spread or stress does)."""
    side = _side_levels(profile, mid_ticks, sp, direction, depth_mult, usd_per_contract)
    ticks, cum = side.ticks, np.cumsum(side.size)
    ticks.setflags(write=False)
    cum.setflags(write=False)
    return ticks, cum


def _side_levels(profile: LiquidityProfile, mid_ticks: int, sp: int, direction: int, depth_mult: float,
                 usd_per_contract: float, hole_usd: float = 0.0, max_levels: int | None = None) -> Side:
    bid, ask = int(mid_ticks - sp // 2), int(mid_ticks - sp // 2 + sp)
    touch = ask if direction > 0 else bid
    centre = (bid + ask) / 2.0
    k = level_ticks(profile.fine_levels, profile.level_growth)
    ten_pct = 0.1 * centre
    half = sp / 2.0
    n = int(k.searchsorted(max(ten_pct - half, 0.0), side="right"))
    n = max(n, 1)
    edges = (half + _level_ticks_f64(profile.fine_levels, profile.level_growth)[: n + 1]) / centre
    # distance from the mid of each level's outer edge (the next level's inner edge; the last level's own)
    outer = edges[1:] if edges.shape[0] > n else np.append(edges[1:], edges[-1])[:n]
    inside = min(half / centre / 0.1, 1.0) ** profile.depth_exponent  # the curve's share inside the spread: empty
    scale = depth_mult * profile.depth_10pct_usd
    cum_usd = scale * (np.minimum(outer / 0.1, 1.0) ** profile.depth_exponent - inside)
    cum = cum_usd / usd_per_contract
    hole = hole_usd / usd_per_contract
    standing = np.maximum(cum - hole, 0.0)
    size = _steps(standing)
    ticks = touch + direction * k[:n]
    keep = size > 0
    if not keep.all():
        ticks, size = ticks[keep], size[keep]
    if max_levels is not None:
        ticks, size = ticks[:max_levels], size[:max_levels]
    return Side(ticks, size)


def _steps(cum: np.ndarray) -> np.ndarray:
    """``np.diff(cum, prepend=0.0)`` (each level's size from the running total), without its concatenation."""
    size = np.empty_like(cum)
    if cum.shape[0]:
        size[0] = cum[0] - 0.0
        np.subtract(cum[1:], cum[:-1], out=size[1:])
    return size


@lru_cache(maxsize=64)
def _level_ticks_f64(fine_levels: int, growth: float) -> np.ndarray:
    """:func:`level_ticks` as float64 (exact: every offset is far below 2**53)."""
    arr = level_ticks(fine_levels, growth).astype(np.float64)
    arr.setflags(write=False)
    return arr


def walk_side(side: Side, qty: int, direction: int, tick: float, inverse: bool, *,
              limit_ticks: int | None = None, usd_per_contract: float = 1.0, lot: int = 1) -> Walk:
    """Take up to ``qty`` contracts from ``side`` (best first), not beyond ``limit_ticks`` when given; a part fill
    is whole lots (an odd remainder would leave a position no order could close)."""
    ticks, size = side.ticks, side.size
    intended = int(ticks[0]) if ticks.size else 0
    if limit_ticks is not None and ticks.size:
        worst = int(ticks[-1])  # levels run away from the touch: all inside the limit when the last one is
        if (worst > limit_ticks) if direction > 0 else (worst < limit_ticks):
            ok = ticks <= limit_ticks if direction > 0 else ticks >= limit_ticks
            ticks, size = ticks[ok], size[ok]
    cum = size.cumsum()
    avail = float(cum[-1]) if cum.size else 0.0
    filled = int(min(qty, math.floor(avail + 1e-9)))
    if filled < qty and lot > 1:
        filled -= filled % lot
    if filled <= 0:
        empty = np.empty(0)
        return Walk(empty.astype(np.int64), empty, 0, math.nan, intended, 0.0)
    last = int(cum.searchsorted(filled - 1e-9, side="left"))
    take = size[: last + 1].copy()
    take[-1] -= float(cum[last]) - filled
    take = np.maximum(take, 0.0)
    px = ticks[: last + 1].astype(np.float64) * tick
    if inverse:
        avg = filled / float((take / px).sum())
    else:
        avg = float(np.dot(take, px)) / filled
    return Walk(ticks[: last + 1], take, filled, avg, intended, filled * usd_per_contract)


FRONT_LEVELS = 8  # levels :func:`front_level` looks at before handing over to :func:`side_levels`


@lru_cache(maxsize=64)
def _level_ticks_list(fine_levels: int, growth: float) -> tuple[int, ...]:
    """The first ``FRONT_LEVELS + 1`` of :func:`level_ticks` as Python ints."""
    return tuple(int(x) for x in level_ticks(fine_levels, growth)[: FRONT_LEVELS + 1])


def front_level(profile: LiquidityProfile, mid_ticks: int, sp: int, direction: int, depth_mult: float,
                usd_per_contract: float, hole_usd: float) -> tuple[int, float] | None:
    """(price in ticks, contracts) of the first level :func:`side_levels` stands after the hole, bit for bit: the
    same float operations in the same order on the side's first ``FRONT_LEVELS`` levels only (plain floats but
    the power law, which stays one array ``**`` as there). None when the book ends within them or the hole
    swallows them all (ask :func:`side_levels`). A small order, the usual one, takes its fill from this level."""
    k = _level_ticks_list(profile.fine_levels, profile.level_growth)
    m = FRONT_LEVELS
    bid = mid_ticks - sp // 2
    ask = bid + sp
    centre = (bid + ask) / 2.0
    half = sp / 2.0
    if not k[m] <= max(0.1 * centre - half, 0.0):  # fewer than m + 1 levels out to 10 %: the last one is special
        return None
    touch = ask if direction > 0 else bid
    inside = min(half / centre / 0.1, 1.0) ** profile.depth_exponent
    scale = depth_mult * profile.depth_10pct_usd
    hole = hole_usd / usd_per_contract if hole_usd > 0 else 0.0
    prev = cum = prev2 = 0.0
    first = True
    for lo, hi in ((0, 2), (2, m)):  # the touch level usually answers: its power first, the rest if need be
        outer = np.array([min((half + k[i + 1]) / centre / 0.1, 1.0) for i in range(lo, hi)])
        pw: list[float] = (outer ** profile.depth_exponent).tolist()
        for i, p in zip(range(lo, hi), pw):
            standing = max(scale * (p - inside) / usd_per_contract - 0.0, 0.0)
            size = standing - prev
            prev = standing
            if not size > 0:  # an empty level is not on the side
                continue
            cum = size if first else cum + size  # the undisturbed side's cumulative depth (its cumsum)
            first = False
            if not hole_usd > 0:
                return touch + direction * k[i], cum - 0.0
            standing2 = max(cum - hole, 0.0)
            size2 = standing2 - prev2
            prev2 = standing2
            if size2 > 0:
                return touch + direction * k[i], size2
    return None


def walk_front(ticks: int, size: float, qty: int, direction: int, limit_ticks: int | None,
               usd_per_contract: float, price: float) -> Walk | None:
    """:func:`walk_side` of an order the side's first level (``ticks``, ``size``) fills whole, as
    :meth:`terminal.market.book.SymbolBook.walk` reports it (at the level's ``price``); None when it does not."""
    if qty <= 0 or (limit_ticks is not None and ((ticks > limit_ticks) if direction > 0 else (ticks < limit_ticks))):
        return None
    if not (math.floor(size + 1e-9) >= qty and size >= qty - 1e-9):
        return None
    take = max(size - (size - qty), 0.0)  # what walk_side takes from its last level
    if not take > 0:
        return None
    w = Walk(np.array([ticks], dtype=np.int64), np.array([take]), qty, price, ticks, qty * usd_per_contract)
    w.__dict__["levels"] = 1  # the cached properties, known here
    w.__dict__["last_ticks"] = ticks
    return w


def hole_touch_ticks(profile: LiquidityProfile, mid_ticks: np.ndarray, sp: np.ndarray, depth_mult: np.ndarray,
                     hole_usd: np.ndarray) -> np.ndarray:
    """Ticks from the undisturbed touch to the first level still standing after a hole (vectorised per tick)."""
    centre = mid_ticks.astype(np.float64) - (sp // 2) + sp / 2.0
    inside = np.minimum(sp / 2.0 / centre / 0.1, 1.0) ** profile.depth_exponent  # nothing stands inside the spread
    frac = np.clip(hole_usd / (depth_mult * profile.depth_10pct_usd) + inside, 0.0, 1.0)
    x = 0.1 * frac ** (1.0 / profile.depth_exponent)  # distance from the mid where the depth taken ends
    k_cont = np.floor(x * centre - sp / 2.0)
    k = level_ticks(profile.fine_levels, profile.level_growth)
    idx = np.clip(np.searchsorted(k, np.maximum(k_cont, 0.0), side="right") - 1, 0, k.size - 1)
    out = np.where(hole_usd > 0, k[idx], 0)
    return out.astype(np.int64)
