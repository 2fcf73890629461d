"""Bounded time series for charts and reports: numpy ring buffers sampled at a bounded rate.

Memory is flat in the number of ticks: each buffer holds at most ``capacity`` points and the
newest overwrite the oldest. ``view()`` returns time-ordered copies ready for ``setData``.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


class RingBuffer:
    """Fixed-capacity columns of float64 (time in column 0), appended in time order."""

    def __init__(self, capacity: int, columns: int) -> None:
        self.capacity = int(capacity)
        # never read before written (views cover only the rows appended): np.empty leaves the pages untouched
        # until used, so a million-point price buffer costs memory only as the chart fills
        self.data = np.empty((self.capacity, columns))
        self.count = 0  # total appended, ever

    def __len__(self) -> int:
        return min(self.count, self.capacity)

    def append(self, row: tuple[float, ...] | list[float]) -> None:
        self.data[self.count % self.capacity] = row
        self.count += 1

    def extend(self, rows: np.ndarray) -> None:
        """Append many rows at once (numpy, no Python loop)."""
        n = len(rows)
        if n == 0:
            return
        if n >= self.capacity:
            rows = rows[-self.capacity:]
            self.count += n - self.capacity
            n = self.capacity
        start = self.count % self.capacity
        first = min(n, self.capacity - start)
        self.data[start:start + first] = rows[:first]
        if first < n:
            self.data[: n - first] = rows[first:]
        self.count += n

    def view(self) -> np.ndarray:
        """The rows in time order (a copy when the buffer has wrapped)."""
        n = len(self)
        if self.count <= self.capacity:
            return self.data[:n]
        k = self.count % self.capacity
        return np.concatenate((self.data[k:], self.data[:k]))

    def tail(self, k: int) -> np.ndarray:
        """The last ``k`` rows in time order (at most ``len(self)``), without copying the whole buffer."""
        k = max(0, min(int(k), len(self)))
        start = (self.count - k) % self.capacity
        if start + k <= self.capacity:
            return self.data[start:start + k]
        return np.concatenate((self.data[start:], self.data[: start + k - self.capacity]))

    def last(self) -> np.ndarray | None:
        if self.count == 0:
            return None
        row: np.ndarray = self.data[(self.count - 1) % self.capacity]
        return row

    def clear(self) -> None:
        self.count = 0


class AccountHistory:
    """Equity per currency (margin balance, wallet balance) and, per symbol, liquidation price vs mark."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self.equity: dict[str, RingBuffer] = {}  # t, margin balance, wallet balance (major units)
        self.liquidation: dict[str, RingBuffer] = {}  # t, liquidation price (nan if none), mark

    def sample(self, ex: Exchange, t_ms: int | None = None) -> None:
        t = float(ex.now_ms if t_ms is None else t_ms)
        from terminal.domain.money import MINOR_PER_MAJOR

        for cur in ex.wallets:
            totals = ex.currency_totals(cur)
            if totals["wallet_balance"] == 0 and cur not in self.equity:
                continue
            buf = self.equity.get(cur)
            if buf is None:
                buf = self.equity[cur] = RingBuffer(self.capacity, 3)
            mpm = MINOR_PER_MAJOR[cur]
            buf.append((t, totals["margin_balance"] / mpm, totals["wallet_balance"] / mpm))
        for sym, pos in ex.positions.items():
            m = ex.markets.get(sym)
            if m is None:
                continue
            buf = self.liquidation.get(sym)
            if pos.qty == 0 and buf is None:
                continue
            if buf is None:
                buf = self.liquidation[sym] = RingBuffer(self.capacity, 3)
            liq = ex.liq_bk(sym)[0] if pos.qty else None
            buf.append((t, math.nan if liq is None else liq, m.mark))
