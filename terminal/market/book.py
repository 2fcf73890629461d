"""One instrument's simulated L2 book: around the fair price, dented by the orders that take it, refilling.

**Where the book sits.** Its centre is the index plus the previous bucket's mean premium of the last trade over
the index (:func:`terminal.market.batch_plan.premium_centre`). The spread and every level's size come from the
liquidity profile (:mod:`terminal.market.depth`), scaled by the stress of the moment.

**Depth taken.** An order that walks a side removes dollars from its front (the *hole*); both holes decay towards
zero with the profile's refill half-life (:mod:`terminal.market.holes`), so a second order right after the first
pays more, and a minute later the book is whole again.

**Prints.** Background trades (:mod:`terminal.market.flow`) print at the touch that stands after the holes; crowd
liquidations print at the worst level they reached. Prints make the last price handed to the exchange; the mark
and index stay the feed's (the exchange liquidates by mark, as BitMEX does). The crowd is checked against the
*book's mark* — the mark moved by half of the touch's displacement — so forced sells that empty the bids push the
next members over the edge. Resting limits queue at their price (:mod:`terminal.market.queue_position`).

Batch protocol (driven by :class:`terminal.market.matcher.BookMatcher`): ``prepare`` → (``walk`` / queue fills at
event ticks, each followed by a re-plan of the rest of the batch, :func:`terminal.market.batch_plan.plan`) →
``finish`` (tape, candles, committed state).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from terminal.domain.instruments import Instrument
from terminal.market.batch_plan import OwnPrint, PlannedBatch, event_index, plan, premium_centre
from terminal.market.crowd import CrowdBook
from terminal.market.depth import Side, Walk, front_level, hole_touch_ticks, side_levels, spread_ticks, walk_front, walk_side
from terminal.market.flow import draw_prints, stream_key
from terminal.market.holes import HoleEvent
from terminal.market.profiles import LiquidityProfile, usd_per_contract
from terminal.market.queue_position import (
    QueueSpot,
    consume_queue,
    first_reach,
    next_queue_fill,
    next_through,
    shown_ahead,
    volume_at_price,
)
from terminal.market.tape import BACKGROUND, CROWD_LIQUIDATION, RECORDED, Candles, PrintBatch, Tape

STRESS_FLOW_MULT = 2.0  # background trading is this much busier at full stress
PRICE_MEMO = 4096  # prices in ticks remembered as floats (forgotten all at once beyond)


@lru_cache(maxsize=16)
def _ones(n: int) -> np.ndarray:
    """A read-only ``np.ones(n)``: an unstressed book's multipliers (batches come in a few sizes)."""
    out = np.ones(n)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=256)
def _kinds(n: int, kind: int) -> np.ndarray:
    """A read-only column of ``n`` prints of one kind (the tape copies it)."""
    out = np.full(n, kind, np.int8)
    out.setflags(write=False)
    return out


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
        self.b: PlannedBatch | None = None
        self.now = (0, 0, 1, 1.0)  # centre ticks, spread ticks, … of the last tick seen: (centre, sp, t, depth_mult)
        self.now_touch = (0.0, 0.0)  # recorded (bid, ask) sizes at the last tick
        self._price_memo: dict[int, float] = {}
        self._px_memo: dict[int, float] = {}
        self._px_scale = float(10**self.decimals)  # numpy's round scales by 10.0 ** decimals (exact up to 22)

    # ---------------------------------------------------------------- per batch
    def stress_at(self, t: np.ndarray) -> np.ndarray:
        s = np.full(t.shape[0], self.stress_floor)
        if self.stress is not None and self.stress[0].size:
            start, end, level = self.stress
            k = np.searchsorted(start, t, side="right") - 1
            inside = (k >= 0) & (t < end[np.maximum(k, 0)])
            s = np.maximum(s, np.where(inside, level[np.maximum(k, 0)], 0.0))
        return s

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
            centre, self.bucket, self.prev_bucket_mean = premium_centre(t, last, index, self.tick, self.bucket,
                                                                        self.prev_bucket_mean)
        stressed = self.stress_floor or self.stress is not None
        if stressed:
            s = self.stress_at(t)
            spread_mult = 1.0 + s * (self.profile.stress_spread_mult - 1.0)
            depth_mult = 1.0 - s * (1.0 - self.profile.stress_depth_mult)
        else:  # never stressed: the same multipliers (exactly 1.0) without the arithmetic
            spread_mult = depth_mult = _ones(n)
        if touch_size is None:
            sp = spread_ticks(self.profile, centre, self.tick, spread_mult if stressed else 1.0)
        else:
            sp = sp_rec
        prev_t = self.prev_t if self.prev_t is not None else int(t[0]) - 100
        prev_c = self.prev_centre if self.prev_centre is not None else int(centre[0])
        upc = self.usd_per_contract(float(centre[0]) * self.tick)
        bg = draw_prints(self.profile, self.key, t, prev_t, centre, prev_c, upc, self.lot,
                         1.0 + s * (STRESS_FLOW_MULT - 1.0) if stressed else 1.0)
        out_last = np.empty(n)
        if math.isnan(self.last_price):
            self.last_price = float(last[0])
        self.b = PlannedBatch(t, centre, sp, depth_mult, spread_mult, mark, out_last, bg, np.zeros(bg.at.size, np.int64),
                              [self.state], touch_size=touch_size)
        plan(self, 0)
        return out_last

    def observe(self, t: np.ndarray, last: np.ndarray, index: np.ndarray) -> None:
        """``ideal`` fills (or recorded history): the background prints at the feed's own last price, tape only."""
        centre = np.rint(last / self.tick).astype(np.int64)
        prev_t = self.prev_t if self.prev_t is not None else int(t[0]) - 100
        prev_c = self.prev_centre if self.prev_centre is not None else int(centre[0])
        bg = draw_prints(self.profile, self.key, t, prev_t, centre, prev_c,
                         self.usd_per_contract(float(last[0])), self.lot)
        prints = PrintBatch(t[bg.at], last[bg.at], bg.size, bg.side, _kinds(bg.at.size, BACKGROUND))
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
        if last_event is not self.state:  # (no event in the batch: the holes it started with still stand)
            self.state = HoleEvent(-1, last_event.t_ms, last_event.bid_usd, last_event.ask_usd)
        t_end, centre_end = int(b.t[-1]), int(b.centre[-1])
        self.prev_t, self.prev_centre = t_end, centre_end
        self.last_price = float(b.last[-1])
        self.now = (centre_end, int(b.sp[-1]), t_end, float(b.depth_mult[-1]))
        if b.touch_size is not None:
            self.now_touch = (float(b.touch_size[0][-1]), float(b.touch_size[1][-1]))
        for spot in self.queue.values():
            spot.ahead = max(0.0, spot.ahead - volume_at_price(b, spot, spot.j_done + 1, n))
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
            parts = [PrintBatch(b.t[b.bg.at], bg_px, b.bg.size, b.bg.side, _kinds(b.bg.at.size, BACKGROUND))]
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

    # ---------------------------------------------------------------- the book now
    def usd_per_contract(self, price: float) -> float:
        return usd_per_contract(self.inst, price)

    def px(self, ticks: np.ndarray) -> np.ndarray:
        return np.round(ticks.astype(np.float64) * self.tick, self.decimals)

    def px_list(self, ticks: list[int]) -> list[float]:
        """:meth:`px` of a few prices, as floats: numpy's rounding (× 10**decimals, to even, ÷) done in plain
        Python, remembered per price (a batch's prints sit on a handful of prices)."""
        memo, tick, scale = self._px_memo, self.tick, self._px_scale
        out = []
        for k in ticks:
            p = memo.get(k)
            if p is None:
                p = round(k * tick * scale) / scale if k > 0 else float(self.px(np.array([k], np.int64))[0])
                if len(memo) >= PRICE_MEMO:
                    memo.clear()
                memo[k] = p
            out.append(p)
        return out

    def price(self, ticks: int) -> float:
        """One price in ticks as a float on the instrument's tick (remembered: quotes and fills ask for few)."""
        p = self._price_memo.get(ticks)
        if p is None:
            p = round(int(ticks) * self.tick, self.decimals)
            if len(self._price_memo) >= PRICE_MEMO:
                self._price_memo.clear()
            self._price_memo[ticks] = p
        return p

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
            ev = self.b.events[event_index(self.b, j)]
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
        c, sp, dm = self._geometry(j)
        upc = self.usd_per_contract(c * self.tick)
        w = None
        if self.recorded_quotes is None:  # the usual order: the first level standing fills it whole
            front = front_level(self.profile, c, sp, direction, dm, upc, ha if direction > 0 else hb)
            if front is not None:
                w = walk_front(front[0], front[1], qty, direction, limit_ticks, upc, self.price(front[0]))
        if w is None:
            side = self._side_at(j, direction, ha if direction > 0 else hb)
            w = walk_side(side, qty, direction, self.tick, self.inverse, limit_ticks=limit_ticks, usd_per_contract=upc,
                          lot=self.lot)
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
        plan(self, j + 1)
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
        spot = QueueSpot(p, shown_ahead(self.side(j, -direction), direction, p), j)
        self.queue[order_id] = spot
        return spot

    def next_queue_fill(self, spot: QueueSpot, direction: int, lo: int, hi: int, through: bool = False) -> int:
        """First tick in ``[lo, hi)`` at which prints at the spot's price have eaten through the queue ahead (or,
        with ``through``, the market went through its price: :meth:`next_through`)."""
        return next_queue_fill(self.b, spot, direction, lo, hi, self.first_reach if through else None)

    def next_through(self, spot: QueueSpot, direction: int, lo: int, hi: int) -> int:
        """First tick in ``[lo, hi)`` at which the market went through the spot's price (a print beyond it, or the
        other side of the book at or beyond it), else ``hi``."""
        return next_through(self.b, spot, direction, lo, hi, self.first_reach)

    def first_reach(self, lo: int, hi: int, direction: int, price_ticks: int) -> int:
        """First batch tick in ``[lo, hi)`` at which the side a resting ``direction`` limit trades with stands at or
        beyond ``price_ticks`` (:func:`terminal.market.queue_position.first_reach`), else ``hi``."""
        return first_reach(self.b, self.profile, self.tau_ms, lo, hi, direction, price_ticks)

    def consume_queue(self, spot: QueueSpot, direction: int, j: int) -> int:
        """Prints at the spot's price through tick ``j``: shrink the queue ahead; the contracts that reach the order."""
        return consume_queue(self.b, spot, direction, j, self.lot)
