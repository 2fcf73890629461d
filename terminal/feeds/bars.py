"""Replay of OHLCV bar files (``timestamp,open,high,low,close[,volume]``, timestamp ISO-8601 or epoch seconds).

Bars are expanded lazily into a deterministic intrabar path at ``tick_interval_ms``: open → low → high → close for an
up bar (close ≥ open), open → high → low → close otherwise, with seeded noise that vanishes at the four knots and
stays inside [low, high]. A gap between bars holds the previous close. Any malformed row raises :class:`InputError`
naming the file and the 1-based line (header = line 1); nothing is kept from a file that fails.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument
from terminal.feeds.base import BlockFeed, TickBatch
from terminal.feeds.mark import FundingState, funding_rate_from_premium, mark_for, round_to_tick
from terminal.feeds.replay import EARLIEST_MS, LATEST_MS, read_bytes


class Bars(NamedTuple):
    t_ms: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray


def _parse_time(text: str) -> int:
    s = text.strip()
    try:
        v = float(s)
    except ValueError:
        dt = datetime.fromisoformat(s.replace(" ", "T"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return round(dt.timestamp() * 1000)
    if not math.isfinite(v):
        raise ValueError(s)
    return round(v if v > 1e11 else v * 1000)  # epoch seconds (milliseconds if that large)


def _in_range(t_ms: int) -> bool:
    return EARLIEST_MS <= t_ms < LATEST_MS


def parse_bars(data: bytes, path: str, instrument: Instrument | None = None) -> Bars:
    """Parse an OHLCV bar file; with ``instrument``, prices must lie on [tick size, max price]."""
    lo_px, hi_px = (instrument.tick_size, instrument.max_price) if instrument is not None else (0.0, math.inf)
    lines = data.decode("utf-8", "replace").split("\n")
    header = [h.strip().lower() for h in lines[0].split(",")]
    if header[:5] != ["timestamp", "open", "high", "low", "close"]:
        raise InputError("a bar file's header must be timestamp,open,high,low,close,volume", path=path, line=1)
    ncol = len(header)
    rows: list[tuple[int, float, float, float, float]] = []
    for no, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            if no == len(lines) or all(not x.strip() for x in lines[no - 1:]):
                break
            raise InputError("empty line inside the data", path=path, line=no)
        parts = raw.split(",")
        if len(parts) != ncol:
            raise InputError(f"expected {ncol} fields, found {len(parts)}", path=path, line=no)
        try:
            t = _parse_time(parts[0])
        except (ValueError, OverflowError):
            raise InputError(f"timestamp {parts[0].strip()!r} is neither ISO-8601 nor epoch seconds",
                             path=path, line=no) from None
        if not _in_range(t):
            raise InputError(f"timestamp {parts[0].strip()!r} is out of range: dates must be 1970 to 2099",
                             path=path, line=no)
        try:
            o, h, lo, c = (float(x) for x in parts[1:5])
        except ValueError:
            raise InputError("open, high, low and close must be numbers", path=path, line=no) from None
        if not all(math.isfinite(v) and v > 0 for v in (o, h, lo, c)):
            raise InputError("prices must be positive numbers", path=path, line=no)
        if not all(lo_px <= v <= hi_px for v in (o, h, lo, c)):
            raise InputError(f"price is outside what {instrument.symbol if instrument else 'it'} trades at "
                             f"({lo_px:g} to {hi_px:g})", path=path, line=no)
        if not (lo <= min(o, c) and h >= max(o, c)):
            raise InputError("inconsistent bar: need low ≤ open, close ≤ high", path=path, line=no)
        if rows and t <= rows[-1][0]:
            raise InputError("timestamps must increase from bar to bar", path=path, line=no)
        rows.append((t, o, h, lo, c))
    if not rows:
        raise InputError("no bars in this file", path=path, line=2)
    arr = np.array(rows, dtype=np.float64)
    return Bars(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4])


class BarState(NamedTuple):
    funding: FundingState


class BarsFeed(BlockFeed):
    """Bars expanded into ticks lazily, block by block (finite)."""

    kind = "bars"
    NOISE = 0.15  # noise amplitude as a fraction of the bar's range

    def __init__(self, instrument: Instrument, path: Path, *, seed: int, tick_interval_ms: int = 1000,
                 rebase_to_ms: int | None = None) -> None:
        self.path = Path(path)
        self.seed = int(seed)
        self.tick_interval_ms = int(tick_interval_ms)
        if self.tick_interval_ms <= 0:
            raise ValueError("tick_interval_ms must be positive")
        bars = parse_bars(read_bytes(self.path), str(self.path), instrument)
        t = bars.t_ms if rebase_to_ms is None else bars.t_ms - bars.t_ms[0] + int(rebase_to_ms)
        self.bars = Bars(t, *bars[1:])
        d = np.diff(t)
        self.bar_ms = int(np.median(d)) if d.size else 60_000
        dt = self.tick_interval_ms
        first = (t - t[0] + dt - 1) // dt  # first tick number of each bar
        total = int((t[-1] - t[0] + self.bar_ms + dt - 1) // dt)
        self._first = first
        self._n = np.diff(np.append(first, total))
        self._m = np.minimum(self._n, -(-self.bar_ms // dt))  # ticks with a path; the rest hold the close
        tick = instrument.tick_size
        self._lo = np.ceil(np.round(bars.low / tick, 7)) * tick
        self._hi = np.floor(np.round(bars.high / tick, 7)) * tick
        self._hi = np.maximum(self._hi, self._lo)
        super().__init__(instrument, int(t[0]), total)

    def _initial_state(self) -> BarState:
        return BarState(FundingState())

    def _pack(self, state: Any) -> list[float]:
        f = state.funding
        return [f.next_funding, f.premium_sum, f.samples]

    def _unpack(self, values: list[float]) -> BarState:
        nxt, psum, count = values
        return BarState(FundingState(int(nxt), float(psum), int(count)))

    def _generate(self, block_no: int, state: Any) -> tuple[TickBatch, BarState]:
        n0 = block_no * self.BLOCK
        k = np.arange(n0, min(n0 + self.BLOCK, self.total_ticks or 0), dtype=np.int64)
        t = self.start_ms + k * self.tick_interval_ms
        b = np.searchsorted(self._first, k, side="right") - 1
        j = (k - self._first[b]).astype(np.float64)
        m = self._m[b]
        o, c = self.bars.open[b], self.bars.close[b]
        lo, hi = self.bars.low[b], self.bars.high[b]
        up = c >= o
        a_, b_ = np.where(up, lo, hi), np.where(up, hi, lo)
        j1 = np.maximum(1, np.round(m / 3.0))
        j2 = np.maximum(j1 + 1, np.round(2.0 * m / 3.0))
        j3 = np.maximum(j2 + 1, m - 1.0)
        f0, f1, f2 = j / j1, (j - j1) / (j2 - j1), (j - j2) / (j3 - j2)
        path = np.where(j < j1, o + (a_ - o) * f0,
                np.where(j < j2, a_ + (b_ - a_) * f1,
                np.where(j < j3, b_ + (c - b_) * f2, c)))
        frac = np.where(j < j1, f0, np.where(j < j2, f1, np.where(j < j3, f2, 0.0)))
        rng = np.random.default_rng([self.seed & 0xFFFFFFFFFFFF, 0xBA25, block_no])
        noisy = path + self.NOISE * (hi - lo) * np.sin(np.pi * frac) * rng.standard_normal(k.size)
        last = np.clip(round_to_tick(np.clip(noisy, lo, hi), self.instrument), self._lo[b], self._hi[b])
        last = np.round(last, self.instrument.tick_decimals)
        index = path
        inst = self.instrument
        if inst.expiry is None:
            funding, fs = funding_rate_from_premium(t, last / index - 1.0, inst, state.funding)
        else:
            funding, fs = np.zeros(k.size), state.funding
        mark = mark_for(inst, index, funding, t, start_ms=self.start_ms)
        return TickBatch(t, last, index, mark, funding), BarState(fs)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "symbol": self.symbol, "path": str(self.path), "seed": self.seed,
                "start_ms": self.start_ms, "tick_interval_ms": self.tick_interval_ms, "bars": len(self.bars.t_ms)}
