"""What printed: the recent-trades tape and OHLCV candles built from the prints, both bounded ring buffers.

Appends are vectorised per batch of prints; nothing here grows with the age of the session.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: kinds of print on the tape
BACKGROUND, YOURS, YOUR_LIQUIDATION, CROWD_LIQUIDATION, RECORDED = 0, 1, 2, 3, 4
KIND_NAMES = {BACKGROUND: "market", YOURS: "yours", YOUR_LIQUIDATION: "liquidation", CROWD_LIQUIDATION: "crowd",
              RECORDED: "recorded"}
TIMEFRAMES_S = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "4h": 14_400, "1D": 86_400}
TAPE_CAPACITY = 4096
CANDLE_CAPACITY = 5000
SMALL = 24  # up to this many prints are folded into the candles one by one


class PrintBatch(NamedTuple):
    t_ms: np.ndarray  # int64, non-decreasing
    price: np.ndarray  # float64
    size: np.ndarray  # int64 contracts
    side: np.ndarray  # int8 aggressor +1 buy / −1 sell
    kind: np.ndarray  # int8, one of the kinds above

    @staticmethod
    def empty() -> PrintBatch:
        return PrintBatch(np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64), np.empty(0, np.int8),
                          np.empty(0, np.int8))

    @staticmethod
    def concat(parts: list[PrintBatch]) -> PrintBatch:
        parts = [p for p in parts if p.t_ms.size]
        if not parts:
            return PrintBatch.empty()
        if len(parts) == 1:
            return parts[0]
        cols = [np.concatenate(c) for c in zip(*parts)]
        order = np.argsort(cols[0], kind="stable")
        return PrintBatch(*(c[order] for c in cols))


def _held_tail(stamps: np.ndarray, count: int, n: int, capacity: int) -> np.ndarray:
    """Slots of the last ``n`` entries of a ring that ``count`` entries went into, oldest first, leaving out the
    slots that do not hold the entry the order expects there (a rewind let undone entries write over them)."""
    want = count - n + np.arange(n)
    idx = want % capacity
    held = stamps[idx] == want
    return idx if held.all() else idx[held]


class Tape:
    """The last ``capacity`` prints (oldest first in :meth:`view`)."""

    def __init__(self, capacity: int = TAPE_CAPACITY) -> None:
        self.capacity = capacity
        self._cols = PrintBatch(np.zeros(capacity, np.int64), np.zeros(capacity), np.zeros(capacity, np.int64),
                                np.zeros(capacity, np.int8), np.zeros(capacity, np.int8))
        self.count = 0  # prints ever appended
        self.volume = 0  # contracts ever printed
        #: which print (its index since the start) each slot holds: after a rewind cut ``count`` back, a slot a
        #: later — undone — print wrote over no longer holds the print the ring's order expects, and is not shown
        self._idx = np.full(capacity, -1, np.int64)

    def extend(self, prints: PrintBatch) -> None:
        n = prints.t_ms.size
        if n == 0:
            return
        self.volume += int(prints.size.sum())
        if n > self.capacity:
            prints = PrintBatch(*(c[-self.capacity:] for c in prints))
            self.count += n - self.capacity
            n = self.capacity
        start = self.count % self.capacity
        if start + n <= self.capacity:  # one piece: slice assignment
            for dst, src in zip(self._cols, prints):
                dst[start:start + n] = src
            self._idx[start:start + n] = np.arange(self.count, self.count + n)
        else:
            idx = (self.count + np.arange(n)) % self.capacity
            for dst, src in zip(self._cols, prints):
                dst[idx] = src
            self._idx[idx] = np.arange(self.count, self.count + n)
        self.count += n

    def append(self, t_ms: int, price: float, size: int, side: int, kind: int) -> None:
        """One print (an order between batches): :meth:`extend` without the one-element arrays."""
        at = self.count % self.capacity
        cols = self._cols
        cols.t_ms[at], cols.price[at], cols.size[at], cols.side[at], cols.kind[at] = t_ms, price, size, side, kind
        self._idx[at] = self.count
        self.volume += int(size)
        self.count += 1

    def view(self, last: int | None = None) -> PrintBatch:
        n = min(self.count, self.capacity)
        if last is not None:
            n = min(n, last)
        idx = _held_tail(self._idx, self.count, n, self.capacity)
        return PrintBatch(*(c[idx] for c in self._cols))


class CandleSeries:
    """OHLCV bars of one timeframe: columns t_open_ms, open, high, low, close, volume."""

    def __init__(self, seconds: int, capacity: int = CANDLE_CAPACITY) -> None:
        self.ms = seconds * 1000
        self.capacity = capacity
        self._data = np.zeros((capacity, 6))
        self.count = 0
        self._idx = np.full(capacity, -1, np.int64)  # which bar each slot holds (see :class:`Tape`)
        #: the last bar as plain floats while prints fold into it (ahead of ``_data`` until :meth:`_flush`)
        self._open: list[float] | None = None
        self._open_at = -1

    def _flush(self) -> None:
        if self._open is not None:
            self._data[self._open_at] = self._open

    def fold(self, t_ms: int, o: float, h: float, lo: float, c: float, v: float) -> None:
        """Prints summarised as (open, high, low, close, volume), all inside this series' bar at ``t_ms``, go into
        its last bar or open the next one: the float operations ``_data``'s row would see, on a list of floats."""
        b = float(t_ms // self.ms * self.ms)
        row = self._open
        if row is None and self.count:
            self._open_at = (self.count - 1) % self.capacity
            row = self._open = self._data[self._open_at].tolist()
        if row is not None and row[0] == b:
            if h > row[2]:
                row[2] = h
            if lo < row[3]:
                row[3] = lo
            row[4] = c
            row[5] += v
        else:
            self._flush()
            self._open_at = self.count % self.capacity
            self._open = [b, float(o), float(h), float(lo), float(c), float(v)]
            self._idx[self._open_at] = self.count
            self.count += 1

    def extend(self, t_ms: np.ndarray, price: np.ndarray, size: np.ndarray) -> None:
        if t_ms.size == 0:
            return
        if t_ms.size <= SMALL:
            self._extend_small(t_ms.tolist(), price.tolist(), size.tolist())
            return
        self._flush()  # the arrays below read and write ``_data`` directly
        self._open = None
        bucket = (t_ms // self.ms) * self.ms
        starts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
        opens = price[starts]
        highs = np.maximum.reduceat(price, starts)
        lows = np.minimum.reduceat(price, starts)
        ends = np.append(starts[1:], price.size) - 1
        closes = price[ends]
        vols = np.add.reduceat(size.astype(np.float64), starts)
        bars = np.column_stack((bucket[starts].astype(np.float64), opens, highs, lows, closes, vols))
        if self.count and self._data[(self.count - 1) % self.capacity, 0] == bars[0, 0]:
            row = self._data[(self.count - 1) % self.capacity]
            row[2] = max(row[2], bars[0, 2])
            row[3] = min(row[3], bars[0, 3])
            row[4] = bars[0, 4]
            row[5] += bars[0, 5]
            bars = bars[1:]
        n = bars.shape[0]
        if n == 0:
            return
        if n > self.capacity:
            self.count += n - self.capacity
            bars = bars[-self.capacity:]
            n = self.capacity
        idx = (self.count + np.arange(n)) % self.capacity
        self._data[idx] = bars
        self._idx[idx] = np.arange(self.count, self.count + n)
        self.count += n

    def _extend_small(self, ts: list[int], ps: list[float], vs: list[int]) -> None:
        """A few prints (an order between batches, a short batch): plain Python, no array temporaries."""
        for t, p, v in zip(ts, ps, vs):
            self.fold(t, p, p, p, p, v)

    def view(self) -> np.ndarray:
        """Bars oldest first, shape (n, 6): t_open_ms, open, high, low, close, volume."""
        self._flush()
        n = min(self.count, self.capacity)
        bars: np.ndarray = self._data[_held_tail(self._idx, self.count, n, self.capacity)]
        return bars


class Candles:
    """One :class:`CandleSeries` per timeframe (1m 5m 15m 1h 4h 1D)."""

    def __init__(self, capacity: int = CANDLE_CAPACITY) -> None:
        self.series = {name: CandleSeries(s, capacity) for name, s in TIMEFRAMES_S.items()}

    def extend(self, prints: PrintBatch) -> None:
        n = prints.t_ms.size
        if n == 0:
            return
        t = prints.t_ms
        if n <= 4 * SMALL and int(t[0]) // 60_000 == int(t[-1]) // 60_000:
            # inside one minute, hence one bar of every timeframe (all are whole minutes): fold the batch's
            # open / high / low / close / volume into each series once (exact: the volume is a sum of integers)
            price = prints.price
            bar = (float(price[0]), float(price.max()), float(price.min()), float(price[-1]),
                   float(int(prints.size.sum())))
            t0 = int(t[0])
            for s in self.series.values():
                s.fold(t0, *bar)
            return
        for s in self.series.values():
            s.extend(t, prints.price, prints.size)

    def append(self, t_ms: int, price: float, size: int) -> None:
        """One print: :meth:`extend` without the one-element arrays."""
        p, v, t = float(price), float(size), int(t_ms)
        for s in self.series.values():
            s.fold(t, p, p, p, p, v)

    def view(self, timeframe: str) -> np.ndarray:
        return self.series[timeframe].view()
