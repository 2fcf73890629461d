"""The per-tick fast path: find the next tick at which anything can happen.

Between events the exchange only has to know, per price source (last, mark, index), the nearest
price above and below at which something fires — a resting limit, a stop, a take-profit, a
liquidation. Those thresholds change only when orders or positions change, so they are computed
then, and a numpy scan over the batch finds the first crossing. The scan looks ahead in growing
windows so that frequent events stay cheap and rare events cost one pass.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

INF = math.inf


@dataclass
class Trailing:
    order_id: int
    source: str  # last | mark | index
    direction: int  # +1 buy trailing stop (fires on a rise), −1 sell (fires on a fall)
    offset: float
    anchor: float  # best price seen since placement (highest for a sell, lowest for a buy)


@dataclass
class Thresholds:
    """Fire when ``source >= up`` or ``source <= down``."""

    up: dict[str, float] = field(default_factory=lambda: {"last": INF, "mark": INF, "index": INF})
    down: dict[str, float] = field(default_factory=lambda: {"last": -INF, "mark": -INF, "index": -INF})
    trailing: list[Trailing] = field(default_factory=list)

    def add_up(self, source: str, price: float) -> None:
        if price < self.up[source]:
            self.up[source] = price

    def add_down(self, source: str, price: float) -> None:
        if price > self.down[source]:
            self.down[source] = price

    @property
    def empty(self) -> bool:
        return (
            not self.trailing
            and all(v == INF for v in self.up.values())
            and all(v == -INF for v in self.down.values())
        )


def first_crossing(
    arrays: dict[str, np.ndarray], th: Thresholds, start: int, stop: int, first_window: int = 64
) -> int:
    """Index in ``[start, stop)`` of the first tick that crosses a threshold, else ``stop``.

    Trailing anchors are advanced over every tick scanned before the event (not including it),
    so the caller sees each trailing stop where it stood just before the firing tick.
    """
    if start >= stop or th.empty:
        return stop
    checks = [(arrays[s], v, True) for s, v in th.up.items() if v != INF]
    checks += [(arrays[s], v, False) for s, v in th.down.items() if v != -INF]
    window = first_window
    lo = start
    while lo < stop:
        hi = min(stop, lo + window)
        hit = hi
        for arr, level, is_up in checks:
            seg = arr[lo:hi]
            mask = seg >= level if is_up else seg <= level
            k = int(mask.argmax())
            if mask[k] and lo + k < hit:
                hit = lo + k
        for tr in th.trailing:
            seg = arrays[tr.source][lo:hi]
            if tr.direction < 0:
                best = np.maximum.accumulate(np.maximum(seg, tr.anchor))
                mask = seg <= best - tr.offset
            else:
                best = np.minimum.accumulate(np.minimum(seg, tr.anchor))
                mask = seg >= best + tr.offset
            k = int(mask.argmax())
            if mask[k] and lo + k < hit:
                hit = lo + k
        for tr in th.trailing:  # advance anchors over the ticks before the hit
            if hit > lo:
                seg = arrays[tr.source][lo:hit]
                tr.anchor = max(tr.anchor, float(seg.max())) if tr.direction < 0 else min(tr.anchor, float(seg.min()))
        if hit < hi:
            return hit
        lo = hi
        window *= 4
    return stop
