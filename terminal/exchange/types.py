"""Small value types of the exchange: its configuration, a market's prices, an order acknowledgement."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Named simulation behaviours (each a documented choice, see README)."""

    #: market orders and marketable limits take liquidity at last ± this many ticks (the spread)
    spread_ticks: int = 1
    #: liquidate positions when the mark reaches their liquidation price
    liquidation: bool = True
    #: keep an event list for listeners (the runner, the store, the GUI)
    record_events: bool = True


@dataclass
class Market:
    """A symbol's prices now. ``funding_rate`` is the **fixed** rate paid at the next funding; the
    ``predicted_funding_rate`` accumulates over the window in progress and is paid at the funding after
    that (MECHANICS.md section 5: the rate paid at T comes from the window that ended 8 hours before T)."""

    last: float = math.nan
    mark: float = math.nan
    index: float = math.nan
    funding_rate: float = math.nan
    time: int = 0
    predicted_funding_rate: float = 0.0


@dataclass(frozen=True)
class Ack:
    accepted: bool
    order_id: int | None = None
    reason: str | None = None
