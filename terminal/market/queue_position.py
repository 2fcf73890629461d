"""A resting limit's place in line at its price, and the prints that eat the queue ahead of it.

A limit joins behind the size the book shows at its price when it arrives (nothing is ahead of one inside the
spread). Background prints at its price, on the side it rests on, shrink the queue ahead; once they have eaten
through it the contracts that keep printing there reach the order (:class:`terminal.market.matcher.BookMatcher`
fills them, in parts).

The whole order fills at its price only when the market goes *through* it after it joined (:func:`next_through`):
a print beyond its price (a seller who traded below a resting buy passed it first), or the other side of the book
coming to its price. A last price left behind by an older print never does: the book moves between prints, and a
buy placed at the best bid while the last trade stands a few dollars lower is still behind the whole queue.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from terminal.market.depth import Side, hole_touch_ticks
from terminal.market.profiles import LiquidityProfile

if TYPE_CHECKING:
    from terminal.market.batch_plan import PlannedBatch


@dataclass
class QueueSpot:
    """A resting limit's place in line at its price: contracts ahead of it, prints counted through tick ``j_done``."""

    price_ticks: int
    ahead: float
    j_done: int = -1


def shown_ahead(side: Side, direction: int, price_ticks: int) -> float:
    """Contracts the side a ``direction`` limit rests on shows at its price (none inside the spread)."""
    if not side.ticks.size:
        return 0.0
    touch = int(side.ticks[0])
    behind = price_ticks <= touch if direction > 0 else price_ticks >= touch
    if not behind:
        return 0.0
    hit = np.flatnonzero(side.ticks == price_ticks)
    return float(side.size[hit[0]]) if hit.size else 0.0


def volume_at_price(b: PlannedBatch | None, spot: QueueSpot, lo: int, hi: int, direction: int | None = None) -> float:
    """Contracts printed at the spot's price in batch ticks ``[lo, hi)`` (by aggressors against ``direction``)."""
    if b is None or hi <= lo:
        return 0.0
    a, z = np.searchsorted(b.bg.at, [lo, hi])
    if z <= a:
        return 0.0
    m = b.bg_ticks[a:z] == spot.price_ticks
    if direction is not None:
        m &= b.bg.side[a:z] == -direction
    return float(b.bg.size[a:z][m].sum())


def next_queue_fill(b: PlannedBatch | None, spot: QueueSpot, direction: int, lo: int, hi: int,
                    book_reaches: Callable[[int, int, int, int], int] | None = None) -> int:
    """First tick in ``[lo, hi)`` at which prints at the spot's price have eaten through the queue ahead — or, given
    ``book_reaches``, at which the market went through its price (:func:`next_through`) —, else ``hi``."""
    if b is None:
        return hi
    start = max(lo, spot.j_done + 1)
    if start >= hi:
        return hi
    a, z = np.searchsorted(b.bg.at, [start, hi])
    hit = hi
    if z > a:
        bt = b.bg_ticks[a:z]
        m = (bt == spot.price_ticks) & (b.bg.side[a:z] == -direction)
        if m.any():
            cum = np.cumsum(np.where(m, b.bg.size[a:z], 0))
            k = np.flatnonzero(m & (cum > spot.ahead + 1e-9))
            if k.size:
                hit = int(b.bg.at[a + int(k[0])])
        if book_reaches is not None:
            k = np.flatnonzero(bt < spot.price_ticks if direction > 0 else bt > spot.price_ticks)
            if k.size:
                hit = min(hit, int(b.bg.at[a + int(k[0])]))
    if book_reaches is None:
        return hit
    return _crowd_or_book_through(b, spot, direction, start, hit, book_reaches)


def consume_queue(b: PlannedBatch | None, spot: QueueSpot, direction: int, j: int, lot: int = 1) -> int:
    """Prints at the spot's price through tick ``j``: shrink the queue ahead; the contracts that reach the order, in
    whole lots."""
    vol = volume_at_price(b, spot, spot.j_done + 1, j + 1, direction)
    spot.j_done = j
    reach = vol - spot.ahead
    spot.ahead = max(0.0, spot.ahead - vol)
    n = max(0, int(math.floor(reach + 1e-9)))
    return n - n % lot


def next_through(b: PlannedBatch | None, spot: QueueSpot, direction: int, lo: int, hi: int,
                 book_reaches: Callable[[int, int, int, int], int]) -> int:
    """First tick in ``[lo, hi)``, after the ticks the spot has already looked at, at which the market went through
    the order's price: a background or crowd print beyond it (either aggressor), or the side the order trades with
    standing at or beyond it (``book_reaches(lo, hi, direction, price_ticks)``, the first such tick); else ``hi``."""
    if b is None:
        return hi
    start = max(lo, spot.j_done + 1)
    if start >= hi:
        return hi
    p = spot.price_ticks
    hit = hi
    a, z = np.searchsorted(b.bg.at, [start, hi])
    if z > a:
        bt = b.bg_ticks[a:z]
        k = np.flatnonzero(bt < p if direction > 0 else bt > p)
        if k.size:
            hit = int(b.bg.at[a + int(k[0])])
    return _crowd_or_book_through(b, spot, direction, start, hit, book_reaches)


def _crowd_or_book_through(b: PlannedBatch, spot: QueueSpot, direction: int, start: int, hit: int,
                           book_reaches: Callable[[int, int, int, int], int]) -> int:
    """``hit``, or an earlier tick in ``[start, hit)`` at which a crowd liquidation printed beyond the spot's price
    or the book's other side came to it."""
    p = spot.price_ticks
    for e in b.events:  # crowd liquidations, in tick order
        if e.print_size and start <= e.j < hit and ((e.print_ticks < p) if direction > 0 else (e.print_ticks > p)):
            hit = e.j
            break
    return book_reaches(start, hit, direction, p) if hit > start else hit


def first_reach(b: PlannedBatch | None, profile: LiquidityProfile, tau_ms: float, lo: int, hi: int, direction: int,
                price_ticks: int) -> int:
    """First batch tick in ``[lo, hi)`` at which the side a resting ``direction`` limit trades with (the asks for a
    buy) stands at or beyond ``price_ticks`` after the holes — the book came to the order —, else ``hi``."""
    if b is None or hi <= lo:
        return hi
    sp = b.sp[lo:hi]
    bid0 = b.centre[lo:hi] - sp // 2
    base = bid0 + sp if direction > 0 else bid0  # the undisturbed touch; depth taken only moves it away
    cand = np.flatnonzero(base <= price_ticks if direction > 0 else base >= price_ticks)
    if not cand.size:
        return hi
    at = lo + cand
    ev_j = np.array([e.j for e in b.events], np.int64)
    which = np.maximum(np.searchsorted(ev_j, at, side="right") - 1, 0)
    hole = np.zeros(at.size)
    for k in np.unique(which).tolist():
        e = b.events[k]
        if e.bid_usd or e.ask_usd:
            m = which == k
            hb, ha = e.at(b.t[at[m]], tau_ms)
            hole[m] = ha if direction > 0 else hb
    if hole.any():
        off = hole_touch_ticks(profile, b.centre[at], b.sp[at], b.depth_mult[at], hole)
        touch = base[cand] + direction * off
        cand = cand[np.flatnonzero(touch <= price_ticks if direction > 0 else touch >= price_ticks)]
    return lo + int(cand[0]) if cand.size else hi
