"""Funding instants, the predicted funding rate, and BitMEX fair-price marking (MECHANICS §5, §6). Vectorised.

* Funding instants: ``04:00 UTC + k × interval`` (04:00, 12:00, 20:00 for 8 h).
* ``F = P + clamp(I − P, −premium_clamp, +premium_clamp)``, then ``|F| ≤ funding_cap``, with ``P`` the running
  mean of the premium (last over index) over the ticks of the current funding interval ``(T − interval, T]``.
* Perpetual mark: ``mark = index × (1 + F × time until next funding / interval)``.
* Dated future: ``F = 0``; ``mark = index × (1 + basis)``, the basis decaying linearly to zero at expiry.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from terminal.domain.instruments import Instrument

HOUR_MS = 3_600_000
FUNDING_OFFSET_MS = 4 * HOUR_MS


def _interval_ms(interval_h: float) -> int:
    return round(interval_h * HOUR_MS)


def funding_times(start_ms: int, end_ms: int, interval_h: float = 8) -> np.ndarray:
    """Funding instants (int64 epoch ms) in ``[start_ms, end_ms)``: 04:00 UTC + k × interval."""
    iv = _interval_ms(interval_h)
    first = FUNDING_OFFSET_MS + -(-(int(start_ms) - FUNDING_OFFSET_MS) // iv) * iv
    if first >= end_ms:
        return np.empty(0, dtype=np.int64)
    return np.arange(first, int(end_ms), iv, dtype=np.int64)


def next_funding_ms(t_ms: np.ndarray | int, interval_h: float = 8) -> np.ndarray:
    """The smallest funding instant ``≥ t`` for each ``t``."""
    iv = _interval_ms(interval_h)
    t = np.asarray(t_ms, dtype=np.int64)
    return FUNDING_OFFSET_MS + -(-(t - FUNDING_OFFSET_MS) // iv) * iv


def fair_mark(index: np.ndarray, funding_rate: np.ndarray, t_ms: np.ndarray, interval_h: float = 8) -> np.ndarray:
    """Perpetual fair price: ``index × (1 + F × (next funding − t) / interval)``."""
    iv = _interval_ms(interval_h)
    until = (next_funding_ms(t_ms, interval_h) - np.asarray(t_ms, dtype=np.int64)).astype(np.float64)
    return np.asarray(index, dtype=np.float64) * (1.0 + np.asarray(funding_rate, dtype=np.float64) * until / iv)


def dated_mark(index: np.ndarray, t_ms: np.ndarray, *, start_ms: int, expiry_ms: int, basis0: float) -> np.ndarray:
    """Dated-future fair price: ``index × (1 + basis)``, basis = ``basis0`` at ``start_ms`` falling linearly to 0 at expiry."""
    span = max(1, int(expiry_ms) - int(start_ms))
    left = np.clip((int(expiry_ms) - np.asarray(t_ms, dtype=np.int64)).astype(np.float64) / span, 0.0, None)
    return np.asarray(index, dtype=np.float64) * (1.0 + basis0 * left)


class FundingState(NamedTuple):
    """Running premium sum of the funding interval in progress (carried across generated blocks)."""

    next_funding: int = -1
    premium_sum: float = 0.0
    samples: int = 0  # premium samples in premium_sum (``count`` would shadow tuple.count)


def funding_rate_from_premium(
    t_ms: np.ndarray,
    premium: np.ndarray,
    instrument: Instrument,
    state: FundingState | None = None,
) -> tuple[np.ndarray, FundingState]:
    """Predicted funding rate per tick from the premium per tick; returns the rates and the carried state."""
    state = state or FundingState()
    n = t_ms.shape[0]
    if n == 0 or instrument.funding_interval_h is None:
        return np.zeros(n, dtype=np.float64), state
    nxt = next_funding_ms(t_ms, instrument.funding_interval_h)
    idx = np.arange(n)
    new = np.empty(n, dtype=bool)
    new[0] = nxt[0] != state.next_funding
    new[1:] = nxt[1:] != nxt[:-1]
    start = np.maximum.accumulate(np.where(new, idx, 0))
    cs = np.cumsum(premium, dtype=np.float64)
    before = np.where(start > 0, cs[np.maximum(start - 1, 0)], 0.0)
    total = cs - before
    count = (idx - start + 1).astype(np.float64)
    if not new[0]:
        carried = start == 0
        total = np.where(carried, total + state.premium_sum, total)
        count = np.where(carried, count + state.samples, count)
    p = total / count
    i = instrument.interest_rate
    f = p + np.clip(i - p, -instrument.premium_clamp, instrument.premium_clamp)
    cap = instrument.funding_cap
    f = np.clip(f, -cap, cap)
    return f, FundingState(int(nxt[-1]), float(total[-1]), int(count[-1]))


def round_to_tick(prices: np.ndarray, instrument: Instrument) -> np.ndarray:
    """Nearest tick, never below one tick (prices stay positive), never above ``max_price``."""
    tick = instrument.tick_size
    k = np.maximum(np.rint(np.asarray(prices, dtype=np.float64) / tick), 1.0)
    out = np.round(k * tick, instrument.tick_decimals)
    return np.minimum(out, instrument.max_price)


def mark_for(instrument: Instrument, index: np.ndarray, funding_rate: np.ndarray, t_ms: np.ndarray,
             *, start_ms: int, basis0: float = 0.0) -> np.ndarray:
    """The mark of ``instrument``: fair price for perpetuals, index plus decaying basis for dated futures."""
    if instrument.expiry is not None:
        expiry_ms = int(instrument.expiry.timestamp() * 1000)
        return dated_mark(index, t_ms, start_ms=start_ms, expiry_ms=expiry_ms, basis0=basis0)
    return fair_mark(index, funding_rate, t_ms, instrument.funding_interval_h or 8)
