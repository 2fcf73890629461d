"""The book's short cuts give the same numbers, bit for bit, as the full computation they stand in for.

A small market order takes its fill from the first level standing after the hole; :func:`front_level` and
:func:`walk_front` compute that level and that fill from the side's first few levels in plain floats. They must
agree exactly (``==`` on floats, not approximately) with :func:`side_levels` and :func:`walk_side` on every
instrument's profile, with and without stress, holes and price limits, or fills would depend on which path ran.
"""
from __future__ import annotations

import math

import numpy as np

from terminal.domain.instruments import default_catalog
from terminal.market.depth import FRONT_LEVELS, front_level, side_levels, spread_ticks, walk_front, walk_side
from terminal.market.profiles import profile_for, usd_per_contract

CAT = default_catalog()


def _book_walk(side, qty, direction, tick, inverse, limit, upc, decimals):  # type: ignore[no-untyped-def]
    """What SymbolBook.walk reports from the full side (its long path)."""
    w = walk_side(side, qty, direction, tick, inverse, limit_ticks=limit, usd_per_contract=upc)
    if w.filled == 0:
        return None
    exact = round(int(w.ticks[0]) * tick, decimals) if w.levels == 1 else round(w.avg_price, decimals + 4)
    return w, exact


def test_front_level_and_walk_front_match_the_full_side_bit_for_bit() -> None:
    rng = np.random.default_rng(12)
    fronts = walks = 0
    for sym in CAT.symbols:
        inst = CAT[sym]
        prof = profile_for(inst)
        for _ in range(150):
            price = inst.typical_price * float(rng.uniform(0.2, 3.0))
            mid = int(round(price / inst.tick_size))
            dm = float(rng.choice([1.0, prof.stress_depth_mult, rng.uniform(prof.stress_depth_mult, 1.0)]))
            smult = float(rng.choice([1.0, prof.stress_spread_mult]))
            sp = int(spread_ticks(prof, np.array([mid]), inst.tick_size, np.array([smult]))[0])
            upc = usd_per_contract(inst, mid * inst.tick_size)
            d10 = prof.depth_10pct_usd * dm
            hole = float(rng.choice([0.0, 0.0, rng.uniform(0, 1e-4) * d10, rng.uniform(0, 1e-2) * d10,
                                     rng.uniform(0, 0.05) * d10]))
            for direction in (1, -1):
                side = side_levels(prof, mid, sp, direction, dm, upc, hole)
                front = front_level(prof, mid, sp, direction, dm, upc, hole)
                if front is None:
                    continue
                fronts += 1
                assert (front[0], front[1]) == (int(side.ticks[0]), float(side.size[0])), (sym, mid, sp, dm, hole)
                top = float(side.size[0])
                for qty in {inst.lot_size, max(inst.lot_size, int(top * float(rng.uniform(0, 1))) // inst.lot_size *
                                               inst.lot_size), int(math.floor(top + 1e-9)), int(top) + inst.lot_size}:
                    if qty <= 0:
                        continue
                    for limit in (None, front[0], front[0] - direction, front[0] + 5 * direction):
                        full = _book_walk(side, qty, direction, inst.tick_size, inst.kind == "inverse", limit, upc,
                                          inst.tick_decimals)
                        fast = walk_front(front[0], front[1], qty, direction, limit, upc,
                                          round(front[0] * inst.tick_size, inst.tick_decimals))
                        if fast is None:
                            continue
                        walks += 1
                        assert full is not None
                        w, exact = full
                        assert (fast.filled, fast.avg_price, fast.intended_ticks, fast.taken_usd, fast.levels,
                                fast.last_ticks) == (w.filled, exact, w.intended_ticks, w.taken_usd, w.levels, w.last_ticks)
                        assert fast.ticks.tolist() == w.ticks.tolist() and fast.qty.tolist() == w.qty.tolist()
                        assert fast.ticks.dtype == w.ticks.dtype and fast.qty.dtype == w.qty.dtype
    assert fronts > 1000 and walks > 1000  # the short cuts were exercised, not skipped


def test_front_level_declines_when_its_levels_do_not_reach_the_answer() -> None:
    inst = CAT["XBTUSD"]
    prof = profile_for(inst)
    mid = int(50_000 / inst.tick_size)
    sp = int(spread_ticks(prof, np.array([mid]), inst.tick_size, np.array([1.0]))[0])
    side = side_levels(prof, mid, sp, 1, 1.0, 1.0)
    swallowed = float(np.cumsum(side.size)[FRONT_LEVELS]) * 1.0  # a hole deeper than the first levels
    assert front_level(prof, mid, sp, 1, 1.0, 1.0, swallowed) is None
    assert side_levels(prof, mid, sp, 1, 1.0, 1.0, swallowed).ticks.size  # the full side still answers
    assert front_level(prof, 40, 1, 1, 1.0, 1.0, 0.0) is None  # a book with fewer levels than the front


def test_px_list_rounds_exactly_as_px() -> None:
    """A batch of few prints prices them in plain Python; the floats must be numpy's round's, for every tick size."""
    from terminal.market.book import SymbolBook

    rng = np.random.default_rng(5)
    for sym in CAT.symbols:
        inst = CAT[sym]
        book = SymbolBook(inst, profile_for(inst), seed=1)
        mid = int(inst.typical_price / inst.tick_size)
        ticks = np.concatenate([rng.integers(1, mid * 10, 20_000), np.arange(-3, 3000)]).astype(np.int64)
        assert book.px_list(ticks.tolist()) == book.px(ticks).tolist(), sym
        assert book.px_list(ticks.tolist()) == book.px(ticks).tolist(), sym  # remembered, still the same


def test_premium_centre_is_the_same_at_any_batching() -> None:
    """One bucket, two buckets and many buckets a batch: the centres and the carried state do not depend on it."""
    from terminal.market.batch_plan import premium_centre

    rng = np.random.default_rng(9)
    n = 5000
    t = 1_709_251_200_000 + np.cumsum(rng.choice([100, 100, 100, 700, 25_000], n)).astype(np.int64)
    index = 50_000 + np.cumsum(rng.normal(0, 2, n))
    last = np.round((index + rng.normal(0, 3, n)) / 0.5) * 0.5
    whole, state, mean = premium_centre(t, last, index, 0.5, (-1, 0, 0), 0.0)
    for size in (1, 7, 33, 100, 999):
        parts, st, mn = [], (-1, 0, 0), 0.0
        for lo in range(0, n, size):
            c, st, mn = premium_centre(t[lo:lo + size], last[lo:lo + size], index[lo:lo + size], 0.5, st, mn)
            parts.append(c)
        assert np.array_equal(np.concatenate(parts), whole) and st == state and mn == mean, size
