"""What every price source hands the engine: batches of ticks, as numpy arrays.

A *feed* is a deterministic sequence of ticks. ``read(until_ms, max_ticks)`` hands out the next ticks with
``t_ms < until_ms`` (at most ``max_ticks``); ``seek(n)`` makes the next read start at tick number ``n``.
The arrays handed out never depend on how the reads are chunked.

Funding convention (shared by every feed): funding instants are ``04:00 + k × interval`` UTC (04, 12, 20 for
8 h). ``funding_rate`` at a tick is the rate predicted for the *next* funding instant, which is the smallest
instant ``≥ t`` (so a tick exactly at a funding instant still shows the rate paid at that instant; the engine
may pay with the rate of the last tick at or before the instant).
"""
from __future__ import annotations

from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from terminal.domain.instruments import Instrument

UNBOUNDED_MS = 2**62  # an ``until_ms`` that no tick reaches


class TickBatch(NamedTuple):
    t_ms: np.ndarray  # int64 epoch ms UTC, non-decreasing
    last: np.ndarray  # float64 last-trade price, on the instrument's tick
    index: np.ndarray  # float64 index price
    mark: np.ndarray  # float64 mark (fair) price
    funding_rate: np.ndarray  # float64 predicted rate for the next funding instant (0 for dated futures)

    def __len__(self) -> int:  # type: ignore[override]
        return int(self.t_ms.shape[0])

    @staticmethod
    def empty() -> TickBatch:
        f = np.empty(0, dtype=np.float64)
        return TickBatch(np.empty(0, dtype=np.int64), f, f.copy(), f.copy(), f.copy())

    def slice(self, start: int, stop: int) -> TickBatch:
        return TickBatch(*(a[start:stop] for a in self))

    @staticmethod
    def concat(batches: list[TickBatch]) -> TickBatch:
        batches = [b for b in batches if len(b)]
        if not batches:
            return TickBatch.empty()
        if len(batches) == 1:
            return batches[0]
        return TickBatch(*(np.concatenate(cols) for cols in zip(*batches)))


@runtime_checkable
class Feed(Protocol):
    symbol: str
    instrument: Instrument
    start_ms: int
    position: int

    def read(self, until_ms: int, max_ticks: int) -> TickBatch: ...

    def seek(self, position: int) -> None: ...

    @property
    def exhausted(self) -> bool: ...

    def describe(self) -> dict[str, Any]: ...


class ArrayFeed:
    """A finite feed whose ticks are all computed up front (trade replay, scenarios)."""

    kind = "array"

    def __init__(self, instrument: Instrument, ticks: TickBatch, *, start_ms: int | None = None) -> None:
        self.instrument = instrument
        self.symbol = instrument.symbol
        self._ticks = ticks
        self.start_ms = int(ticks.t_ms[0]) if start_ms is None and len(ticks) else int(start_ms or 0)
        self.position = 0

    @property
    def total_ticks(self) -> int:
        return len(self._ticks)

    @property
    def end_ms(self) -> int:
        return int(self._ticks.t_ms[-1]) if len(self._ticks) else self.start_ms

    def read(self, until_ms: int, max_ticks: int) -> TickBatch:
        t = self._ticks.t_ms
        stop = min(self.position + max(0, int(max_ticks)), len(t))
        if stop > self.position and t[stop - 1] >= until_ms:
            stop = self.position + int(np.searchsorted(t[self.position:stop], until_ms, side="left"))
        out = self._ticks.slice(self.position, stop)
        self.position = stop
        return out

    def seek(self, position: int) -> None:
        if position < 0:
            raise ValueError("position must be ≥ 0")
        self.position = min(int(position), len(self._ticks))

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self._ticks)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "symbol": self.symbol, "start_ms": self.start_ms, "ticks": len(self._ticks)}


class BlockFeed:
    """A feed generated lazily in fixed blocks of ``BLOCK`` ticks, each from its own seeded generator.

    Subclasses implement ``_generate(block_no, state) -> (TickBatch, next_state)``; the state at the start of
    every block generated so far is kept, so ``seek`` regenerates from the nearest checkpoint and reads give the
    same arrays however they are chunked.
    """

    BLOCK = 8192
    kind = "block"

    def __init__(self, instrument: Instrument, start_ms: int, total_ticks: int | None = None) -> None:
        self.instrument = instrument
        self.symbol = instrument.symbol
        self.start_ms = int(start_ms)
        self.total_ticks = total_ticks
        self.position = 0
        self._states: list[Any] = [self._initial_state()]
        self._cache_no = -1
        self._cache = TickBatch.empty()

    # -- for subclasses ----------------------------------------------------------------------
    def _initial_state(self) -> Any:
        raise NotImplementedError

    def _generate(self, block_no: int, state: Any) -> tuple[TickBatch, Any]:
        raise NotImplementedError

    # -- machinery ---------------------------------------------------------------------------
    def _block(self, block_no: int) -> TickBatch:
        if block_no == self._cache_no:
            return self._cache
        while len(self._states) <= block_no:
            n = len(self._states) - 1
            _, nxt = self._generate(n, self._states[n])
            self._states.append(nxt)
        batch, nxt = self._generate(block_no, self._states[block_no])
        if len(self._states) == block_no + 1:
            self._states.append(nxt)
        self._cache_no, self._cache = block_no, batch
        return batch

    def read(self, until_ms: int, max_ticks: int) -> TickBatch:
        remaining = max(0, int(max_ticks))
        if self.total_ticks is not None:
            remaining = min(remaining, self.total_ticks - self.position)
        parts: list[TickBatch] = []
        while remaining > 0:
            no, off = divmod(self.position, self.BLOCK)
            block = self._block(no)
            stop = min(off + remaining, len(block))
            if stop <= off:
                break
            t = block.t_ms
            if t[stop - 1] >= until_ms:
                stop = off + int(np.searchsorted(t[off:stop], until_ms, side="left"))
                if stop > off:
                    parts.append(block.slice(off, stop))
                    self.position += stop - off
                break
            parts.append(block.slice(off, stop))
            self.position += stop - off
            remaining -= stop - off
        return TickBatch.concat(parts)

    def seek(self, position: int) -> None:
        if position < 0:
            raise ValueError("position must be ≥ 0")
        self.position = int(position) if self.total_ticks is None else min(int(position), self.total_ticks)

    @property
    def exhausted(self) -> bool:
        return self.total_ticks is not None and self.position >= self.total_ticks

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "symbol": self.symbol, "start_ms": self.start_ms}


def ar1(shocks: np.ndarray, a: float, x0: float) -> np.ndarray:
    """x[i] = a·x[i-1] + shocks[i] with x[-1] = x0, vectorised in stable sub-blocks (0 < a ≤ 1)."""
    n = shocks.shape[0]
    out = np.empty(n, dtype=np.float64)
    if n == 0:
        return out
    la = -np.log(a) if a < 1.0 else 0.0
    step = n if la == 0.0 else max(1, min(n, int(12.0 / la)))
    prev = x0
    for s in range(0, n, step):
        e = shocks[s : s + step]
        k = np.arange(e.shape[0], dtype=np.float64)
        if la == 0.0:
            seg = prev + np.cumsum(e)
        else:
            up = np.exp(la * k)  # a^-k
            seg = np.exp(-la * (k + 1)) * prev + np.exp(-la * k) * np.cumsum(e * up)
        out[s : s + step] = seg
        prev = float(seg[-1])
    return out
