"""Background trade flow: the other traders' prints, drawn tick by tick from a counter-based generator.

Every random number belongs to one tick and is a hash of (seed, symbol, tick time, stream): the prints of a tick
are the same however the ticks are batched, at any speed and frame size. Per tick: a print happens with
probability ``1 − exp(−rate·Δt)``; its aggressor buys more often when the price just ticked up (sells when it
ticked down); its size is log-normal around the profile's median, in whole lots.
"""
from __future__ import annotations

import math
import zlib
from typing import NamedTuple

import numpy as np

from terminal.market.profiles import LiquidityProfile

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO53 = float(2**53)
TREND_FOLLOW = 0.3  # extra probability of a buy after an up-tick (of a sell after a down-tick)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, vectorised (uint64 in, uint64 out; wraps silently)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def stream_key(seed: int, symbol: str) -> int:
    """A 64-bit key for one symbol's flow under one seed."""
    x = np.array([(int(seed) & 0xFFFFFFFF) << 32 | zlib.crc32(symbol.encode())], dtype=np.uint64)
    return int(splitmix64(x)[0])


def uniforms(key: int, t_ms: np.ndarray, stream: int | np.ndarray) -> np.ndarray:
    """Uniform [0, 1) numbers, one per tick time, for ``stream`` of ``key`` (streams broadcast against times)."""
    with np.errstate(over="ignore"):
        x = t_ms.astype(np.uint64) * np.uint64(8) + np.asarray(stream, dtype=np.uint64) + np.uint64(key)
        return (splitmix64(x) >> np.uint64(11)).astype(np.float64) / _TWO53


class Prints(NamedTuple):
    """Trades printed at ticks of a batch (indices into the batch)."""

    at: np.ndarray  # int64 tick index in the batch
    side: np.ndarray  # int8 aggressor: +1 buy (prints at the ask), −1 sell (at the bid)
    size: np.ndarray  # int64 contracts


def draw_prints(profile: LiquidityProfile, key: int, t_ms: np.ndarray, prev_t_ms: int, mid_ticks: np.ndarray,
                prev_mid_ticks: int, usd_per_contract: float, lot: int, rate_mult: np.ndarray | float = 1.0) -> Prints:
    """Which ticks print a background trade, which side it hits and how big it is."""
    n = t_ms.shape[0]
    if n == 0 or profile.trades_per_s <= 0:
        e = np.empty(0, dtype=np.int64)
        return Prints(e, e.astype(np.int8), e)
    dt_s = np.empty(n)
    dt_s[0] = t_ms[0] - prev_t_ms
    np.subtract(t_ms[1:], t_ms[:-1], out=dt_s[1:], casting="unsafe")
    dt_s /= 1000.0
    p = -np.expm1(-profile.trades_per_s * np.asarray(rate_mult) * np.clip(dt_s, 0.0, 60.0))
    at = np.flatnonzero(uniforms(key, t_ms, 0) < p)
    if at.size == 0:
        e = np.empty(0, dtype=np.int64)
        return Prints(e, e.astype(np.int8), e)
    tt = t_ms[at]
    prev_mid = np.where(at > 0, mid_ticks[np.maximum(at - 1, 0)], prev_mid_ticks)
    move = np.sign(mid_ticks[at] - prev_mid)
    u = uniforms(key, np.repeat(tt[None, :], 3, axis=0), np.array([[1], [2], [3]]))  # three streams at once
    side = np.where(u[0] < 0.5 + TREND_FOLLOW * move, 1, -1).astype(np.int8)
    u1 = np.maximum(u[1], 1e-300)
    u2 = u[2]
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)
    usd = profile.trade_median_usd * np.exp(profile.trade_size_sigma * z)
    size = np.maximum(np.rint(usd / usd_per_contract / lot), 1).astype(np.int64) * lot
    return Prints(at.astype(np.int64), side, size)
