"""Depth taken from the book and refilling: the *hole* each side carries after an event, decaying to nothing.

An order (or a crowd liquidation) that walks a side removes dollars from its front; the hole left behind decays
towards zero with the profile's refill time constant and counts as refilled once under ``NEGLIGIBLE_USD``. A
hole changes only at events and is evaluated in closed form from the last one, so the book at a tick is the same
at any batch size (:mod:`terminal.market.book`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NEGLIGIBLE_USD = 100.0  # a hole smaller than this has refilled


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
    _last: tuple[int, float, float, float] | None = field(default=None, repr=False, compare=False)  # (t, tau, bid, ask)

    def at(self, t_ms: np.ndarray | int, tau_ms: float) -> tuple[np.ndarray, np.ndarray]:
        """Depth still missing at ``t_ms`` (a hole under ``NEGLIGIBLE_USD`` has refilled)."""
        decay = np.exp(-np.maximum(np.asarray(t_ms, dtype=np.float64) - self.t_ms, 0.0) / tau_ms)  # (never > 1:
        # a book asked about a moment before its last event — a reset or rewound clock — sees the hole as new)
        hb, ha = self.bid_usd * decay, self.ask_usd * decay
        return np.where(hb < NEGLIGIBLE_USD, 0.0, hb), np.where(ha < NEGLIGIBLE_USD, 0.0, ha)

    def at_time(self, t_ms: int, tau_ms: float) -> tuple[float, float]:
        """:meth:`at` for one time, as floats (the same 0-d ``np.exp``, none of the array temporaries)."""
        if not (self.bid_usd or self.ask_usd):
            return 0.0, 0.0
        last = self._last
        if last is not None and last[0] == t_ms and last[1] == tau_ms:  # asked again at the same time (a batch's
            return last[2], last[3]  # plan, the quote and the walk of an order all ask at its tick)
        decay = float(np.exp(-max(np.float64(t_ms) - self.t_ms, 0.0) / tau_ms))
        hb, ha = self.bid_usd * decay, self.ask_usd * decay
        out = (0.0 if hb < NEGLIGIBLE_USD else hb), (0.0 if ha < NEGLIGIBLE_USD else ha)
        self._last = (t_ms, tau_ms, out[0], out[1])
        return out

    def quiet_after(self, t_ms: int, tau_ms: float) -> bool:
        """No depth missing from ``t_ms`` on."""
        hb, ha = self.at_time(t_ms, tau_ms)
        return not (hb or ha)
