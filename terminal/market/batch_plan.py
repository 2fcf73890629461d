"""Planning one batch of ticks through a book: where it is centred, what prints, the last price at every tick.

**Centre.** The book's centre is the index plus the premium of the last trade over the index averaged over the
previous complete ``PREMIUM_BUCKET_MS`` (in whole ticks, so the sum is exact however ticks are batched): the
feed's tick-to-tick noise in ``last`` does not shake the quotes.

**Plan.** Background prints sit at the touch standing after the holes; crowd liquidations (checked against the
book's mark) walk the side and print at the worst level they reach; the last price at each tick is the latest
print at or before it. An event inside the batch (an order walking the book, a queue fill) re-plans the rest of
the batch from the tick after it (:func:`plan`), undoing crowd events planned past it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from terminal.market.depth import hole_touch_ticks, walk_side
from terminal.market.flow import Prints
from terminal.market.holes import HoleEvent

if TYPE_CHECKING:
    from terminal.market.book import SymbolBook

PREMIUM_BUCKET_MS = 10_000
FEW_PRINTS = 64  # up to this many prints (and 16 times as many ticks) a batch is planned in plain Python


@dataclass
class OwnPrint:
    t_ms: int
    price: float
    size: int
    side: int
    kind: int


@dataclass(slots=True)
class PlannedBatch:
    """A batch as the book plans it: its ticks' geometry, the prints and the events so far."""

    t: np.ndarray
    centre: np.ndarray
    sp: np.ndarray
    depth_mult: np.ndarray
    spread_mult: np.ndarray
    mark: np.ndarray
    last: np.ndarray
    bg: Prints
    bg_ticks: np.ndarray
    events: list[HoleEvent] = field(default_factory=list)
    own: list[OwnPrint] = field(default_factory=list)
    touch_size: tuple[np.ndarray, np.ndarray] | None = None  # recorded (bid, ask) sizes at the touch
    bg_px: np.ndarray | None = None  # prices of bg_ticks as planned (None: a crowd re-plan left them stale)


def premium_centre(t: np.ndarray, last: np.ndarray, index: np.ndarray, tick: float, bucket_state: tuple[int, int, int],
                   prev_mean: float) -> tuple[np.ndarray, tuple[int, int, int], float]:
    """Index plus the previous bucket's mean premium, in whole ticks (integer sums: exact at any batching).

    ``bucket_state`` is (bucket no, sum of premium ticks, count) of the bucket being filled and ``prev_mean`` the
    mean premium of the bucket before it; returns the centres and both, carried past this batch."""
    idx_ticks = np.rint(index / tick)
    prem = (np.rint(last / tick) - idx_ticks).astype(np.int64)
    no, acc, cnt = bucket_state
    b0 = int(t[0]) // PREMIUM_BUCKET_MS
    if b0 == int(t[-1]) // PREMIUM_BUCKET_MS:  # the usual batch: inside one bucket
        total, count = int(prem.sum()), prem.shape[0]
        if b0 == no:
            total, count, prev0 = total + acc, count + cnt, prev_mean
        else:
            prev0 = acc / cnt if cnt else prev_mean
        one: np.ndarray = np.rint(idx_ticks + np.float64(prev0)).astype(np.int64)
        return one, (b0, total, count), float(prev0)
    n = t.shape[0]
    b1 = int(t[-1]) // PREMIUM_BUCKET_MS
    if b1 == b0 + 1:  # across one bucket boundary (a third of 33-tick batches): two sums, no segment arrays
        s = int(np.searchsorted(t, b1 * PREMIUM_BUCKET_MS, side="left"))
        sum0, cnt0 = int(prem[:s].sum()), s
        if b0 == no:
            sum0, cnt0, first_prev = sum0 + acc, cnt0 + cnt, prev_mean
        else:
            first_prev = acc / cnt if cnt else prev_mean
        mean0 = sum0 / cnt0  # exact as numpy's int64 / int64: both far below 2**53
        add = np.empty(n)
        add[:s] = first_prev
        add[s:] = mean0
        two: np.ndarray = np.rint(idx_ticks + add).astype(np.int64)
        return two, (b1, int(prem[s:].sum()), n - s), float(mean0)
    bucket = t // PREMIUM_BUCKET_MS
    starts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
    seg_no = bucket[starts]
    seg_sum = np.add.reduceat(prem, starts)
    seg_cnt = np.diff(np.append(starts, t.shape[0]))
    if seg_no[0] == no:
        seg_sum[0] += acc
        seg_cnt[0] += cnt
        first_prev = prev_mean
    else:
        first_prev = acc / cnt if cnt else prev_mean
    means = seg_sum / seg_cnt
    prev = np.concatenate(([first_prev], means[:-1]))
    own = np.diff(np.append(starts, t.shape[0]))
    out: np.ndarray = np.rint(idx_ticks + np.repeat(prev, own)).astype(np.int64)
    return out, (int(seg_no[-1]), int(seg_sum[-1]), int(seg_cnt[-1])), float(prev[-1])


def event_index(b: PlannedBatch, j: int) -> int:
    """Index in the batch's events of the last event at or before tick ``j``."""
    k = 0
    for i, e in enumerate(b.events):
        if e.j <= j:
            k = i
    return k


def plan(book: SymbolBook, j0: int) -> None:
    """(Re)compute crowd liquidations, background print prices and the last price from tick ``j0`` on."""
    b = book.b
    assert b is not None
    n = b.t.shape[0]
    if j0 >= n:
        return
    if book.crowd is not None:
        _plan_crowd(book, j0)
    # background print prices from the holes in force at each print
    tau = book.tau_ms
    if not j0 and book.crowd is None and len(b.events) == 1:  # a new batch: only the holes it starts with
        if b.events[0].quiet_after(int(b.t[0]), tau):
            _plan_quiet(book, b)
            return
    quiet = all(e.quiet_after(int(b.t[max(e.j, j0)]), tau) for e in b.events if e.j >= j0 - 1) and \
        b.events[event_index(b, j0)].quiet_after(int(b.t[j0]), tau)
    if not j0 and quiet and book.crowd is None:
        _plan_quiet(book, b)
        return
    sel = np.flatnonzero(b.bg.at >= j0) if j0 else np.arange(b.bg.at.size)
    if sel.size and quiet:
        at = b.bg.at[sel]
        bid0 = b.centre[at] - b.sp[at] // 2
        b.bg_ticks[sel] = np.where(b.bg.side[sel] > 0, bid0 + b.sp[at], bid0)
    elif sel.size:
        at = b.bg.at[sel]
        ev_j = np.array([e.j for e in b.events])
        which = np.searchsorted(ev_j, at, side="right") - 1
        hb = np.empty(at.size)
        ha = np.empty(at.size)
        for k in np.unique(which):
            m = which == k
            hb[m], ha[m] = b.events[int(k)].at(b.t[at[m]], tau)
        c, sp, dm = b.centre[at], b.sp[at], b.depth_mult[at]
        bid0 = c - sp // 2
        side = b.bg.side[sel]
        off = np.where(side > 0, hole_touch_ticks(book.profile, c, sp, dm, ha),
                       hole_touch_ticks(book.profile, c, sp, dm, hb))
        b.bg_ticks[sel] = np.where(side > 0, bid0 + sp + off, bid0 - off)
    # last price: the latest print at or before each tick (crowd prints before the background at one tick)
    crowd = [e for e in b.events if e.print_size and e.j >= j0]
    if crowd:
        pos = np.concatenate((np.array([e.j for e in crowd], np.int64), b.bg.at[sel]))
        val = np.concatenate((np.array([e.print_ticks for e in crowd], np.int64), b.bg_ticks[sel]))
        order = np.argsort(pos * 2 + np.concatenate((np.zeros(len(crowd), np.int64),
                                                     np.ones(sel.size, np.int64))), kind="stable")
        pos, val = pos[order], book.px(val[order])
        b.bg_px = None
    else:  # background prints only: already in tick order (one a tick at most)
        pos, val = b.bg.at[sel], book.px(b.bg_ticks[sel])
        if not j0:
            b.bg_px = val
        elif b.bg_px is not None:
            b.bg_px[sel] = val
    carry = float(b.last[j0 - 1]) if j0 > 0 else book.last_price
    if val.size == 0:
        b.last[j0:] = carry
        return
    k = np.full(n - j0, -1, np.int64)
    k[pos - j0] = np.arange(pos.size)  # the later of two prints at one tick wins
    k = np.maximum.accumulate(k)
    b.last[j0:] = np.where(k >= 0, val[np.maximum(k, 0)], carry)


def _plan_quiet(book: SymbolBook, b: PlannedBatch) -> None:
    """:func:`plan` of a whole batch with no depth missing and no crowd (the usual batch): every print at the
    undisturbed touch, the last price carried forward from each print (the same numbers, fewer array calls)."""
    at = b.bg.at
    if 0 < at.size <= FEW_PRINTS and b.t.shape[0] <= 16 * FEW_PRINTS:  # the same integer arithmetic in Python
        pos: list[int] = at.tolist()
        centre, spread = b.centre.tolist(), b.sp.tolist()
        touch = []
        for j, side in zip(pos, b.bg.side.tolist()):
            c, sp = centre[j], spread[j]
            bid0 = c - sp // 2
            touch.append(bid0 + sp if side > 0 else bid0)
        b.bg_ticks = np.array(touch, dtype=np.int64)
        prices = book.px_list(touch)
        b.bg_px = np.array(prices)
        last = [book.last_price] * pos[0]  # the last price: carried forward from each print
        for lo, hi, price in zip(pos, pos[1:] + [len(centre)], prices):
            last += [price] * (hi - lo)
        b.last[:] = last
        return
    sp = b.sp[at]
    bid0 = b.centre[at] - sp // 2
    b.bg_ticks = np.where(b.bg.side > 0, bid0 + sp, bid0)
    val = b.bg_px = book.px(b.bg_ticks)
    if not at.size:
        b.last[:] = book.last_price
        return
    first = int(at[0])
    b.last[:first] = book.last_price
    b.last[first:] = np.repeat(val, np.diff(np.append(at, b.t.shape[0])))


def _offsets(book: SymbolBook, b: PlannedBatch, ev: HoleEvent, lo: int,
             hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hb, ha = ev.at(b.t[lo:hi], book.tau_ms)
    c, sp, dm = b.centre[lo:hi], b.sp[lo:hi], b.depth_mult[lo:hi]
    return hole_touch_ticks(book.profile, c, sp, dm, hb), hole_touch_ticks(book.profile, c, sp, dm, ha), hb, ha


def _plan_crowd(book: SymbolBook, j0: int) -> None:
    b = book.b
    crowd = book.crowd
    assert b is not None and crowd is not None
    # undo planned crowd events after j0 − 1
    keep = [e for e in b.events if e.j < j0 or e.crowd_ptrs is None]
    undone = [e for e in b.events if e.j >= j0 and e.crowd_ptrs is not None]
    if undone:
        crowd.next_long, crowd.next_short = undone[0].crowd_ptrs  # type: ignore[misc]
    b.events = keep
    n = b.t.shape[0]
    lo, window = j0, 256
    while lo < n:
        if crowd.long_trigger == -np.inf and crowd.short_trigger == np.inf:
            return
        hi = min(n, lo + window)
        ev = b.events[-1]
        off_b, off_a, hb, ha = _offsets(book, b, ev, lo, hi)
        book_mark = b.mark[lo:hi] + (off_a - off_b) * 0.5 * book.tick
        hit = np.flatnonzero((book_mark <= crowd.long_trigger) | (book_mark >= crowd.short_trigger))
        if hit.size == 0:
            lo, window = hi, window * 4
            continue
        j = lo + int(hit[0])
        k = int(hit[0])
        ptrs = (crowd.next_long, crowd.next_short)
        bm = float(book_mark[k])
        n_long, usd_long = crowd.take_longs(bm)
        n_short, usd_short = crowd.take_shorts(bm)
        bid, ask = float(hb[k]), float(ha[k])
        price = book.tick * float(b.centre[j])
        upc = book.usd_per_contract(price)
        for direction, usd in ((-1, usd_long), (1, usd_short)):
            if usd <= 0:
                continue
            qty = int(usd / upc // book.lot) * book.lot
            side = book._side_at(j, direction, bid if direction < 0 else ask)
            w = walk_side(side, max(qty, book.lot), direction, book.tick, book.inverse, usd_per_contract=upc)
            taken = w.filled * upc
            if direction < 0:
                bid += taken
            else:
                ask += taken
            b.events.append(HoleEvent(j, int(b.t[j]), bid, ask, ptrs, w.last_ticks, w.filled, direction))
            ptrs = (crowd.next_long, crowd.next_short)
        lo, window = (j if n_long + n_short else j + 1), 256
