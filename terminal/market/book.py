"""One instrument's simulated L2 book: around the fair price, dented by the orders that take it, refilling.

**Where the book sits.** Its centre is the index plus the premium of the last trade over the index averaged over
the previous complete ``PREMIUM_BUCKET_MS`` (in whole ticks, so the sum is exact however ticks are batched): the
feed's tick-to-tick noise in ``last`` does not shake the quotes. The spread and every level's size come from the
liquidity profile (:mod:`terminal.market.depth`), scaled by the stress of the moment.

**Depth taken.** An order that walks a side removes dollars from its front (the *hole*); both holes decay towards
zero with the profile's refill half-life, so a second order right after the first pays more, and a minute later
the book is whole again. Holes change only at events (an order, a crowd liquidation) and are evaluated in closed
form from the last event, so the book at a tick is the same at any batch size.

**Prints.** Background trades (:mod:`terminal.market.flow`) print at the touch that stands after the holes; crowd
liquidations print at the worst level they reached. Prints make the last price handed to the exchange; the mark
and index stay the feed's (the exchange liquidates by mark, as BitMEX does). The crowd is checked against the
*book's mark* — the mark moved by half of the touch's displacement — so forced sells that empty the bids push the
next members over the edge.

Batch protocol (driven by :class:`terminal.market.matcher.BookMatcher`): ``prepare`` → (``walk`` / queue fills at
event ticks, each followed by a re-plan of the rest of the batch) → ``finish`` (tape, candles, committed state).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from terminal.domain.instruments import Instrument
from terminal.market.crowd import CrowdBook
from terminal.market.depth import Side, Walk, hole_touch_ticks, side_levels, spread_ticks, walk_side
from terminal.market.flow import Prints, draw_prints, stream_key
from terminal.market.profiles import LiquidityProfile, usd_per_contract
from terminal.market.tape import BACKGROUND, CROWD_LIQUIDATION, RECORDED, Candles, PrintBatch, Tape

PREMIUM_BUCKET_MS = 10_000
NEGLIGIBLE_USD = 100.0  # a hole smaller than this has refilled
STRESS_FLOW_MULT = 2.0  # background trading is this much busier at full stress


@dataclass
class HoleEvent:
    """Depth taken from each side (USD) right after an event at batch tick ``j`` (−1: before the batch)."""

    j: int
    t_ms: int
    bid_usd: float
    ask_usd: float
    crowd_ptrs: tuple[int, int] | None = None  # crowd pointers before a planned crowd event (to undo it)
    print_ticks: int = 0
    print_size: int = 0
    print_side: int = 0

    def at(self, t_ms: np.ndarray | int, tau_ms: float) -> tuple[np.ndarray, np.ndarray]:
        """Depth still missing at ``t_ms`` (a hole under ``NEGLIGIBLE_USD`` has refilled)."""
        decay = np.exp(-(np.asarray(t_ms, dtype=np.float64) - self.t_ms) / tau_ms)
        hb, ha = self.bid_usd * decay, self.ask_usd * decay
        return np.where(hb < NEGLIGIBLE_USD, 0.0, hb), np.where(ha < NEGLIGIBLE_USD, 0.0, ha)

    def at_time(self, t_ms: int, tau_ms: float) -> tuple[float, float]:
        """:meth:`at` for one time, as floats (the same 0-d ``np.exp``, none of the array temporaries)."""
        if not (self.bid_usd or self.ask_usd):
            return 0.0, 0.0
        decay = float(np.exp(-(np.float64(t_ms) - self.t_ms) / tau_ms))
        hb, ha = self.bid_usd * decay, self.ask_usd * decay
        return (0.0 if hb < NEGLIGIBLE_USD else hb), (0.0 if ha < NEGLIGIBLE_USD else ha)

    def quiet_after(self, t_ms: int, tau_ms: float) -> bool:
        """No depth missing from ``t_ms`` on."""
        hb, ha = self.at_time(t_ms, tau_ms)
        return not (hb or ha)


@dataclass
class QueueSpot:
    """A resting limit's place in line at its price: contracts ahead of it, prints counted through tick ``j_done``."""

    price_ticks: int
    ahead: float
    j_done: int = -1


@dataclass
class OwnPrint:
    t_ms: int
    price: float
    size: int
    side: int
    kind: int


@dataclass
class _Batch:
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


class SymbolBook:
    def __init__(self, inst: Instrument, profile: LiquidityProfile, *, seed: int, stress_floor: float = 0.0,
                 crowd: CrowdBook | None = None, stress: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> None:
        self.inst = inst
        self.profile = profile
        self.tick = inst.tick_size
        self.decimals = inst.tick_decimals
        self.inverse = inst.kind == "inverse"
        self.lot = inst.lot_size
        self.key = stream_key(seed, inst.symbol)
        self.tau_ms = profile.refill_tau_ms
        self.stress_floor = float(stress_floor)
        self.stress = stress  # (start_ms, end_ms, level) of a scenario's stressed stretches
        self.crowd = crowd
        self.state = HoleEvent(-1, 0, 0.0, 0.0)
        self.prev_t: int | None = None
        self.prev_centre: int | None = None
        self.last_price = math.nan
        self.bucket = (-1, 0, 0)  # (bucket no, sum of premium ticks, count) of the bucket being filled
        self.prev_bucket_mean = 0.0
        self.tape = Tape()
        self.candles = Candles()
        self.queue: dict[int, QueueSpot] = {}
        #: recorded history this book replays (orders fill against it, never move it): a quote dump's best bid /
        #: ask and sizes per time, or a trade dump's trades (time, price, size) printed on the tape
        self.recorded_quotes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self.recorded_trades: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.b: _Batch | None = None
        self.now = (0, 0, 1, 1.0)  # centre ticks, spread ticks, … of the last tick seen: (centre, sp, t, depth_mult)
        self.now_touch = (0.0, 0.0)  # recorded (bid, ask) sizes at the last tick

    # ---------------------------------------------------------------- per batch
    def stress_at(self, t: np.ndarray) -> np.ndarray:
        s = np.full(t.shape[0], self.stress_floor)
        if self.stress is not None and self.stress[0].size:
            start, end, level = self.stress
            k = np.searchsorted(start, t, side="right") - 1
            inside = (k >= 0) & (t < end[np.maximum(k, 0)])
            s = np.maximum(s, np.where(inside, level[np.maximum(k, 0)], 0.0))
        return s

    def _centre(self, t: np.ndarray, last: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Index plus the previous bucket's mean premium, in whole ticks (integer sums: exact at any batching)."""
        idx_ticks = np.rint(index / self.tick)
        prem = (np.rint(last / self.tick) - idx_ticks).astype(np.int64)
        bucket = t // PREMIUM_BUCKET_MS
        no, acc, cnt = self.bucket
        if bucket[0] == bucket[-1]:
            b0, total, count = int(bucket[0]), int(prem.sum()), prem.shape[0]
            if b0 == no:
                total, count, prev0 = total + acc, count + cnt, self.prev_bucket_mean
            else:
                prev0 = acc / cnt if cnt else self.prev_bucket_mean
            self.bucket = (b0, total, count)
            self.prev_bucket_mean = float(prev0)
            one: np.ndarray = np.rint(idx_ticks + np.float64(prev0)).astype(np.int64)
            return one
        starts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
        seg_no = bucket[starts]
        seg_sum = np.add.reduceat(prem, starts)
        seg_cnt = np.diff(np.append(starts, t.shape[0]))
        if seg_no[0] == no:
            seg_sum[0] += acc
            seg_cnt[0] += cnt
            first_prev = self.prev_bucket_mean
        else:
            first_prev = acc / cnt if cnt else self.prev_bucket_mean
        means = seg_sum / seg_cnt
        prev = np.concatenate(([first_prev], means[:-1]))
        own = np.diff(np.append(starts, t.shape[0]))
        self.bucket = (int(seg_no[-1]), int(seg_sum[-1]), int(seg_cnt[-1]))
        self.prev_bucket_mean = float(prev[-1])
        out: np.ndarray = np.rint(idx_ticks + np.repeat(prev, own)).astype(np.int64)
        return out

    def prepare(self, t: np.ndarray, last: np.ndarray, mark: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Plan the batch: the book at every tick, background and crowd prints; returns the last-price array."""
        n = t.shape[0]
        touch_size = None
        if self.recorded_quotes is not None:  # the book stands on the recorded best bid / ask
            qt, qb, qa, qbs, qas = self.recorded_quotes
            k = np.clip(np.searchsorted(qt, t, side="right") - 1, 0, qt.size - 1)
            bid_t = np.rint(qb[k] / self.tick).astype(np.int64)
            sp_rec = np.maximum(np.rint(qa[k] / self.tick).astype(np.int64) - bid_t, 1)
            centre = bid_t + sp_rec // 2
            touch_size = (qbs[k].astype(np.float64), qas[k].astype(np.float64))
        else:
            centre = self._centre(t, last, index)
        if self.stress_floor or self.stress is not None:
            s = self.stress_at(t)
            spread_mult = 1.0 + s * (self.profile.stress_spread_mult - 1.0)
            depth_mult = 1.0 - s * (1.0 - self.profile.stress_depth_mult)
        else:  # never stressed: the same multipliers (exactly 1.0) without the arithmetic
            spread_mult = depth_mult = np.ones(n)
        sp = spread_ticks(self.profile, centre, self.tick, spread_mult) if touch_size is None else sp_rec
        prev_t = self.prev_t if self.prev_t is not None else int(t[0]) - 100
        prev_c = self.prev_centre if self.prev_centre is not None else int(centre[0])
        upc = self.usd_per_contract(float(centre[0]) * self.tick)
        bg = draw_prints(self.profile, self.key, t, prev_t, centre, prev_c, upc, self.lot,
                         1.0 + s * (STRESS_FLOW_MULT - 1.0) if self.stress_floor or self.stress is not None else 1.0)
        out_last = np.empty(n)
        if math.isnan(self.last_price):
            self.last_price = float(last[0])
        self.b = _Batch(t, centre, sp, depth_mult, spread_mult, mark, out_last, bg, np.zeros(bg.at.size, np.int64),
                        [self.state], touch_size=touch_size)
        self._plan(0)
        return out_last

    def observe(self, t: np.ndarray, last: np.ndarray, index: np.ndarray) -> None:
        """``ideal`` fills (or recorded history): the background prints at the feed's own last price, tape only."""
        centre = np.rint(last / self.tick).astype(np.int64)
        prev_t = self.prev_t if self.prev_t is not None else int(t[0]) - 100
        prev_c = self.prev_centre if self.prev_centre is not None else int(centre[0])
        bg = draw_prints(self.profile, self.key, t, prev_t, centre, prev_c,
                         self.usd_per_contract(float(last[0])), self.lot)
        prints = PrintBatch(t[bg.at], last[bg.at], bg.size, bg.side, np.full(bg.at.size, BACKGROUND, np.int8))
        self.tape.extend(prints)
        self.candles.extend(prints)
        self.prev_t, self.prev_centre = int(t[-1]), int(centre[-1])
        self.last_price = float(last[-1])
        self.now = (int(centre[-1]), 1, int(t[-1]), 1.0)

    def finish(self) -> None:
        """Commit the batch: holes, crowd, prints onto the tape and candles."""
        b = self.b
        if b is None:
            return
        n = b.t.shape[0]
        last_event = b.events[-1]
        self.state = HoleEvent(-1, last_event.t_ms, last_event.bid_usd, last_event.ask_usd)
        self.prev_t, self.prev_centre = int(b.t[-1]), int(b.centre[-1])
        self.last_price = float(b.last[-1])
        self.now = (int(b.centre[-1]), int(b.sp[-1]), int(b.t[-1]), float(b.depth_mult[-1]))
        if b.touch_size is not None:
            self.now_touch = (float(b.touch_size[0][-1]), float(b.touch_size[1][-1]))
        for spot in self.queue.values():
            spot.ahead = max(0.0, spot.ahead - self._at_price_volume(spot, spot.j_done + 1, n))
            spot.j_done = -1
        if self.recorded_trades is not None:  # the recorded trades are the tape
            rt, rp, rs = self.recorded_trades
            lo = int(np.searchsorted(rt, int(b.t[0]), side="left"))
            hi = int(np.searchsorted(rt, int(b.t[-1]), side="right"))
            prev = np.concatenate(([rp[lo - 1] if lo > 0 else rp[lo]], rp[lo:hi]))
            side = np.where(np.diff(prev) < 0, -1, 1).astype(np.int8)
            parts = [PrintBatch(rt[lo:hi], rp[lo:hi], rs[lo:hi], side, np.full(hi - lo, RECORDED, np.int8))]
        else:
            bg_px = b.bg_px if b.bg_px is not None else self.px(b.bg_ticks)
            parts = [PrintBatch(b.t[b.bg.at], bg_px, b.bg.size, b.bg.side,
                                np.full(b.bg.at.size, BACKGROUND, np.int8))]
        crowd = [e for e in b.events if e.print_size]
        if crowd:
            parts.append(PrintBatch(np.array([e.t_ms for e in crowd], np.int64),
                                    self.px(np.array([e.print_ticks for e in crowd], np.int64)),
                                    np.array([e.print_size for e in crowd], np.int64),
                                    np.array([e.print_side for e in crowd], np.int8),
                                    np.full(len(crowd), CROWD_LIQUIDATION, np.int8)))
        if b.own:
            parts.append(PrintBatch(np.array([p.t_ms for p in b.own], np.int64), np.array([p.price for p in b.own]),
                                    np.array([p.size for p in b.own], np.int64), np.array([p.side for p in b.own], np.int8),
                                    np.array([p.kind for p in b.own], np.int8)))
        prints = PrintBatch.concat(parts)
        self.tape.extend(prints)
        self.candles.extend(prints)
        self.b = None

    # ---------------------------------------------------------------- planning
    def _event_index(self, j: int) -> int:
        """Index in the batch's events of the last event at or before tick ``j``."""
        assert self.b is not None
        k = 0
        for i, e in enumerate(self.b.events):
            if e.j <= j:
                k = i
        return k

    def _offsets(self, ev: HoleEvent, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        b = self.b
        assert b is not None
        hb, ha = ev.at(b.t[lo:hi], self.tau_ms)
        c, sp, dm = b.centre[lo:hi], b.sp[lo:hi], b.depth_mult[lo:hi]
        return hole_touch_ticks(self.profile, c, sp, dm, hb), hole_touch_ticks(self.profile, c, sp, dm, ha), hb, ha

    def _plan(self, j0: int) -> None:
        """(Re)compute crowd liquidations, background print prices and the last price from tick ``j0`` on."""
        b = self.b
        assert b is not None
        n = b.t.shape[0]
        if j0 >= n:
            return
        if self.crowd is not None:
            self._plan_crowd(j0)
        # background print prices from the holes in force at each print
        quiet = all(e.quiet_after(int(b.t[max(e.j, j0)]), self.tau_ms) for e in b.events if e.j >= j0 - 1) and \
            b.events[self._event_index(j0)].quiet_after(int(b.t[j0]), self.tau_ms)
        if not j0 and quiet and self.crowd is None:
            self._plan_quiet()
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
                hb[m], ha[m] = b.events[int(k)].at(b.t[at[m]], self.tau_ms)
            c, sp, dm = b.centre[at], b.sp[at], b.depth_mult[at]
            bid0 = c - sp // 2
            side = b.bg.side[sel]
            off = np.where(side > 0, hole_touch_ticks(self.profile, c, sp, dm, ha),
                           hole_touch_ticks(self.profile, c, sp, dm, hb))
            b.bg_ticks[sel] = np.where(side > 0, bid0 + sp + off, bid0 - off)
        # last price: the latest print at or before each tick (crowd prints before the background at one tick)
        crowd = [e for e in b.events if e.print_size and e.j >= j0]
        if crowd:
            pos = np.concatenate((np.array([e.j for e in crowd], np.int64), b.bg.at[sel]))
            val = np.concatenate((np.array([e.print_ticks for e in crowd], np.int64), b.bg_ticks[sel]))
            order = np.argsort(pos * 2 + np.concatenate((np.zeros(len(crowd), np.int64),
                                                         np.ones(sel.size, np.int64))), kind="stable")
            pos, val = pos[order], self.px(val[order])
            b.bg_px = None
        else:  # background prints only: already in tick order (one a tick at most)
            pos, val = b.bg.at[sel], self.px(b.bg_ticks[sel])
            if not j0:
                b.bg_px = val
            elif b.bg_px is not None:
                b.bg_px[sel] = val
        carry = float(b.last[j0 - 1]) if j0 > 0 else self.last_price
        if val.size == 0:
            b.last[j0:] = carry
            return
        k = np.full(n - j0, -1, np.int64)
        k[pos - j0] = np.arange(pos.size)  # the later of two prints at one tick wins
        k = np.maximum.accumulate(k)
        b.last[j0:] = np.where(k >= 0, val[np.maximum(k, 0)], carry)

    def _plan_quiet(self) -> None:
        """:meth:`_plan` of a whole batch with no depth missing and no crowd (the usual batch): every print at the
        undisturbed touch, the last price carried forward from each print (the same numbers, fewer array calls)."""
        b = self.b
        assert b is not None
        at = b.bg.at
        sp = b.sp[at]
        bid0 = b.centre[at] - sp // 2
        b.bg_ticks = np.where(b.bg.side > 0, bid0 + sp, bid0)
        val = b.bg_px = self.px(b.bg_ticks)
        if not at.size:
            b.last[:] = self.last_price
            return
        first = int(at[0])
        b.last[:first] = self.last_price
        b.last[first:] = np.repeat(val, np.diff(np.append(at, b.t.shape[0])))

    def _plan_crowd(self, j0: int) -> None:
        b = self.b
        crowd = self.crowd
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
            off_b, off_a, hb, ha = self._offsets(ev, lo, hi)
            book_mark = b.mark[lo:hi] + (off_a - off_b) * 0.5 * self.tick
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
            price = self.tick * float(b.centre[j])
            upc = self.usd_per_contract(price)
            for direction, usd in ((-1, usd_long), (1, usd_short)):
                if usd <= 0:
                    continue
                qty = int(usd / upc // self.lot) * self.lot
                side = self._side_at(j, direction, bid if direction < 0 else ask)
                w = walk_side(side, max(qty, self.lot), direction, self.tick, self.inverse, usd_per_contract=upc)
                taken = w.filled * upc
                if direction < 0:
                    bid += taken
                else:
                    ask += taken
                b.events.append(HoleEvent(j, int(b.t[j]), bid, ask, ptrs, w.last_ticks, w.filled, direction))
                ptrs = (crowd.next_long, crowd.next_short)
            lo, window = (j if n_long + n_short else j + 1), 256

    # ---------------------------------------------------------------- the book now
    def usd_per_contract(self, price: float) -> float:
        return usd_per_contract(self.inst, price)

    def px(self, ticks: np.ndarray) -> np.ndarray:
        return np.round(ticks.astype(np.float64) * self.tick, self.decimals)

    def price(self, ticks: int) -> float:
        """One price in ticks as a float on the instrument's tick."""
        return round(int(ticks) * self.tick, self.decimals)

    def touch(self, j: int, t_ms: int | None = None) -> tuple[int, int]:
        """(best bid, best ask) in ticks standing at batch tick ``j`` (−1: after the last batch), after the holes."""
        hb, ha = self._holes(j, t_ms)
        c, sp, dm = self._geometry(j)
        bid0 = c - sp // 2
        if not (hb or ha):
            return bid0, bid0 + sp
        cc, ss, dd = np.array([c, c]), np.array([sp, sp]), np.array([dm, dm])
        off = hole_touch_ticks(self.profile, cc, ss, dd, np.array([hb, ha]))
        return bid0 - int(off[0]), bid0 + sp + int(off[1])

    def tick_index(self, t_ms: int) -> int:
        """The batch tick the exchange is at (the last tick at or before ``t_ms``); −1 between batches."""
        if self.b is None:
            return -1
        return max(0, int(np.searchsorted(self.b.t, t_ms, side="right")) - 1)

    def _holes(self, j: int, t_ms: int | None = None) -> tuple[float, float]:
        if self.b is None or j < 0:
            ev = self.state
            t = t_ms if t_ms is not None else self.now[2]
        else:
            ev = self.b.events[self._event_index(j)]
            t = int(self.b.t[j])
        return ev.at_time(t, self.tau_ms)

    def _geometry(self, j: int) -> tuple[int, int, float]:
        if self.b is None or j < 0:
            return self.now[0], self.now[1], self.now[3]
        return int(self.b.centre[j]), int(self.b.sp[j]), float(self.b.depth_mult[j])

    def _side_at(self, j: int, direction: int, hole_usd: float, max_levels: int | None = None) -> Side:
        c, sp, dm = self._geometry(j)
        upc = self.usd_per_contract(c * self.tick)
        rec = self._recorded_touch(j, direction)
        if rec is None:
            return side_levels(self.profile, c, sp, direction, dm, upc, hole_usd, max_levels)
        side = side_levels(self.profile, c, sp, direction, dm, upc)  # the recorded size stands at the touch,
        size = side.size.copy()  # the profile's depth behind it; then the hole comes off the front
        if size.size:
            size[0] = rec
        standing = np.clip(np.cumsum(size) - hole_usd / upc, 0.0, None)
        size = np.diff(standing, prepend=0.0)
        keep = size > 0
        ticks, size = side.ticks[keep], size[keep]
        if max_levels is not None:
            ticks, size = ticks[:max_levels], size[:max_levels]
        return Side(ticks, size)

    def _recorded_touch(self, j: int, direction: int) -> float | None:
        if self.recorded_quotes is None:
            return None
        if self.b is not None and j >= 0 and self.b.touch_size is not None:
            return float(self.b.touch_size[1 if direction > 0 else 0][j])
        return self.now_touch[1 if direction > 0 else 0]

    def side(self, j: int, direction: int, max_levels: int | None = None, t_ms: int | None = None) -> Side:
        """The ask (+1) or bid (−1) side standing at batch tick ``j`` (−1: after the last batch)."""
        hb, ha = self._holes(j, t_ms)
        return self._side_at(j, direction, ha if direction > 0 else hb, max_levels)

    def levels(self, depth: int, t_ms: int | None = None) -> tuple[list[list[float]], list[list[float]]]:
        """Top ``depth`` levels a side as ``[[price, size], …]`` (best first), sizes in whole contracts."""
        bids, asks = self.level_arrays(depth, t_ms)
        return bids.tolist(), asks.tolist()

    def level_arrays(self, depth: int, t_ms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`levels` as two ``(n, 2)`` float arrays (what a frame's ladder carries)."""
        if self.b is None and self.prev_t is None:
            return np.empty((0, 2)), np.empty((0, 2))  # no price seen yet
        hb, ha = self._holes(-1, t_ms)
        out = []
        for d, hole in ((-1, hb), (1, ha)):
            s = self._side_at(-1, d, hole, depth)
            out.append(np.column_stack((self.px(s.ticks), np.floor(s.size))))
        return out[0], out[1]

    # ---------------------------------------------------------------- taking and resting
    def walk(self, j: int, t_ms: int, direction: int, qty: int, limit_ticks: int | None, kind: int) -> Walk:
        """Take up to ``qty`` from the side a ``direction`` order hits, at batch tick ``j`` (−1: between batches)."""
        hb, ha = self._holes(j, t_ms)
        side = self._side_at(j, direction, ha if direction > 0 else hb)
        c, _, _ = self._geometry(j)
        upc = self.usd_per_contract(c * self.tick)
        w = walk_side(side, qty, direction, self.tick, self.inverse, limit_ticks=limit_ticks, usd_per_contract=upc)
        if w.filled == 0:
            return w
        exact = self.price(int(w.ticks[0])) if w.levels == 1 else round(w.avg_price, self.decimals + 4)
        w = Walk(w.ticks, w.qty, w.filled, exact, w.intended_ticks, w.taken_usd)
        if direction > 0:
            ha += w.taken_usd
        else:
            hb += w.taken_usd
        last = self.price(w.last_ticks)
        if self.b is None or j < 0:
            self.state = HoleEvent(-1, t_ms, hb, ha)
            self.last_price = last
            self.tape.append(t_ms, w.avg_price, w.filled, direction, kind)
            self.candles.append(t_ms, last, w.filled)
            return w
        b = self.b
        b.events = [e for e in b.events if e.j <= j] if self.crowd is None else b.events
        if self.crowd is not None:
            undone = [e for e in b.events if e.j > j and e.crowd_ptrs is not None]
            if undone:
                self.crowd.next_long, self.crowd.next_short = undone[0].crowd_ptrs  # type: ignore[misc]
            b.events = [e for e in b.events if e.j <= j]
        b.events.append(HoleEvent(j, int(b.t[j]), hb, ha))
        b.own.append(OwnPrint(t_ms, w.avg_price, w.filled, direction, kind))
        b.last[j] = last
        self._plan(j + 1)
        return w

    def record_own(self, t_ms: int, price: float, size: int, direction: int, kind: int) -> None:
        """A fill that took no depth (a resting order hit) still prints on the tape."""
        if self.b is not None:
            self.b.own.append(OwnPrint(t_ms, price, size, direction, kind))
        else:
            self.tape.append(t_ms, price, size, direction, kind)

    def join_queue(self, order_id: int, direction: int, price: float, j: int) -> QueueSpot:
        """A resting limit joins behind the size shown at its price (nothing ahead inside the spread)."""
        p = int(round(price / self.tick))
        side = self.side(j, -direction)
        ahead = 0.0
        if side.ticks.size:
            touch = int(side.ticks[0])
            behind = p <= touch if direction > 0 else p >= touch
            if behind:
                hit = np.flatnonzero(side.ticks == p)
                ahead = float(side.size[hit[0]]) if hit.size else 0.0
        spot = QueueSpot(p, ahead, j)
        self.queue[order_id] = spot
        return spot

    def _at_price_volume(self, spot: QueueSpot, lo: int, hi: int, direction: int | None = None) -> float:
        b = self.b
        if b is None or hi <= lo:
            return 0.0
        a, z = np.searchsorted(b.bg.at, [lo, hi])
        if z <= a:
            return 0.0
        m = b.bg_ticks[a:z] == spot.price_ticks
        if direction is not None:
            m &= b.bg.side[a:z] == -direction
        return float(b.bg.size[a:z][m].sum())

    def next_queue_fill(self, spot: QueueSpot, direction: int, lo: int, hi: int) -> int:
        """First tick in ``[lo, hi)`` at which prints at the spot's price have eaten through the queue ahead."""
        b = self.b
        if b is None:
            return hi
        start = max(lo, spot.j_done + 1)
        a, z = np.searchsorted(b.bg.at, [start, hi])
        if z <= a:
            return hi
        m = (b.bg_ticks[a:z] == spot.price_ticks) & (b.bg.side[a:z] == -direction)
        if not m.any():
            return hi
        cum = np.cumsum(np.where(m, b.bg.size[a:z], 0))
        k = np.flatnonzero(m & (cum > spot.ahead + 1e-9))
        return int(b.bg.at[a + int(k[0])]) if k.size else hi

    def consume_queue(self, spot: QueueSpot, direction: int, j: int) -> int:
        """Prints at the spot's price through tick ``j``: shrink the queue ahead; the contracts that reach the order."""
        vol = self._at_price_volume(spot, spot.j_done + 1, j + 1, direction)
        spot.j_done = j
        reach = vol - spot.ahead
        spot.ahead = max(0.0, spot.ahead - vol)
        return max(0, int(math.floor(reach + 1e-9)))
