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
from terminal.feeds.checkpoint import FeedCheckpoint, FeedOrigin

UNBOUNDED_MS = 2**62  # an ``until_ms`` that no tick reaches


class TickBatch(NamedTuple):
    t_ms: np.ndarray  # int64 epoch ms UTC, non-decreasing
    last: np.ndarray  # float64 last-trade price, on the instrument's tick
    # the index price; the name shadows tuple.index (never called on a batch), which mypy reports on a NamedTuple
    index: np.ndarray  # type: ignore[assignment]
    mark: np.ndarray  # float64 mark (fair) price
    funding_rate: np.ndarray  # float64 predicted rate for the next funding instant (0 for dated futures)

    def __len__(self) -> int:
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
    origin: FeedOrigin | None

    def read(self, until_ms: int, max_ticks: int) -> TickBatch: ...

    def seek(self, position: int) -> None: ...

    def checkpoint(self) -> FeedCheckpoint: ...

    def restore(self, checkpoint: FeedCheckpoint) -> None: ...

    def generator_state(self) -> tuple[int, list[float]]:
        """``(block, state)``: what the ticks from ``position`` on depend on besides the feed's origin."""
        ...

    def restore_state(self, position: int, block: int, state: list[float]) -> None:
        """Go to ``position`` with the generator state ``generator_state()`` returned there (no regeneration)."""
        ...

    @property
    def exhausted(self) -> bool: ...

    def describe(self) -> dict[str, Any]: ...


class Resumable:
    """``checkpoint()`` / ``restore()`` for a feed made by :func:`terminal.feeds.make_feed` (which sets ``origin``)."""

    origin: FeedOrigin | None = None
    symbol: str
    position: int

    def generator_state(self) -> tuple[int, list[float]]:
        raise NotImplementedError

    def restore_state(self, position: int, block: int, state: list[float]) -> None:
        raise NotImplementedError

    def checkpoint(self) -> FeedCheckpoint:
        """This feed's state now (see :mod:`terminal.feeds.checkpoint`)."""
        if self.origin is None:
            raise ValueError(f"the {self.symbol} feed was not made by make_feed: it has no origin to checkpoint")
        block, state = self.generator_state()
        o = self.origin
        # every field is already of its type (the origin was validated): no validation per frame
        return FeedCheckpoint.model_construct(symbol=self.symbol, spec=o.spec, seed=o.seed, start_ms=o.start_ms,
                                              position=int(self.position), block=int(block),
                                              state=tuple(float(v) for v in state))

    def restore(self, checkpoint: FeedCheckpoint) -> None:
        """Go to the moment ``checkpoint`` was taken (a checkpoint of a feed with the same origin)."""
        if self.origin is not None and checkpoint.origin != self.origin:
            raise ValueError(f"the checkpoint belongs to another {checkpoint.symbol} feed")
        self.restore_state(checkpoint.position, checkpoint.block, list(checkpoint.state))


class ArrayFeed(Resumable):
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

    def generator_state(self) -> tuple[int, list[float]]:
        return 0, []  # every tick is computed up front: the position is the whole state

    def restore_state(self, position: int, block: int, state: list[float]) -> None:
        self.seek(position)

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self._ticks)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "symbol": self.symbol, "start_ms": self.start_ms, "ticks": len(self._ticks)}


KEEP_EVERY_BLOCK = 64  # of the generator states behind the newest 64 blocks, one in 64 is kept


class BlockFeed(Resumable):
    """A feed generated lazily in fixed blocks of ``BLOCK`` ticks, each from its own seeded generator.

    Subclasses implement ``_generate(block_no, state) -> (TickBatch, next_state)`` and ``_pack`` / ``_unpack``
    (the state as a flat list of numbers and back); the state at the start of every block generated (or
    restored) so far is kept, so ``seek`` regenerates from the nearest known state at or before the target and
    reads give the same arrays however they are chunked. ``restore_state`` plants a state for a block, so a feed
    resumes from a checkpoint without regenerating the blocks before it.
    """

    BLOCK = 8192
    kind = "block"

    def __init__(self, instrument: Instrument, start_ms: int, total_ticks: int | None = None) -> None:
        self.instrument = instrument
        self.symbol = instrument.symbol
        self.start_ms = int(start_ms)
        self.total_ticks = total_ticks
        self.position = 0
        self._states: dict[int, Any] = {0: self._initial_state()}
        self._cache_no = -1
        self._cache = TickBatch.empty()

    # -- for subclasses ----------------------------------------------------------------------
    def _initial_state(self) -> Any:
        raise NotImplementedError

    def _generate(self, block_no: int, state: Any) -> tuple[TickBatch, Any]:
        raise NotImplementedError

    def _pack(self, state: Any) -> list[float]:
        raise NotImplementedError

    def _unpack(self, values: list[float]) -> Any:
        raise NotImplementedError

    # -- machinery ---------------------------------------------------------------------------
    def _state_of(self, block_no: int) -> Any:
        """The generator state at the start of ``block_no``, generated forward from the nearest known one."""
        state = self._states.get(block_no)
        if state is not None:
            return state
        n = max(b for b in self._states if b <= block_no)
        while n < block_no:
            _, nxt = self._generate(n, self._states[n])
            n += 1
            self._states[n] = nxt
        return self._states[block_no]

    def _block(self, block_no: int) -> TickBatch:
        if block_no == self._cache_no:
            return self._cache
        batch, nxt = self._generate(block_no, self._state_of(block_no))
        self._states.setdefault(block_no + 1, nxt)
        if (block_no + 1) % KEEP_EVERY_BLOCK == 0:
            self._forget_old_states(block_no + 1)
        self._cache_no, self._cache = block_no, batch
        return batch

    def _forget_old_states(self, newest: int) -> None:
        """Of the states more than KEEP_EVERY_BLOCK blocks behind ``newest``, keep one in KEEP_EVERY_BLOCK: memory
        stays flat over a long session, and a seek far back regenerates at most KEEP_EVERY_BLOCK - 1 blocks."""
        old = [b for b in self._states if b < newest - KEEP_EVERY_BLOCK and b % KEEP_EVERY_BLOCK]
        for b in old:
            del self._states[b]

    def generator_state(self) -> tuple[int, list[float]]:
        no = self.position // self.BLOCK
        return no, self._pack(self._state_of(no))

    def restore_state(self, position: int, block: int, state: list[float]) -> None:
        if block != int(position) // self.BLOCK:
            raise ValueError(f"a state for block {block} cannot resume tick {position}")
        for later in [b for b in self._states if b > block]:
            del self._states[later]  # generated from another history: regenerate from the restored state
        self._states[int(block)] = self._unpack(list(state))
        if self._cache_no >= block:
            self._cache_no = -1  # the cached block may have come from another state
        self.seek(position)

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
