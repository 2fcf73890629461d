"""What a frame carries of the market: the ladder (top levels a side) and the tape (recent prints, candles).

Built once per GUI frame by :class:`terminal.session.frame.FrameBuilder`; costs the same whatever the session's
age (top ``depth`` levels, last ``prints`` prints; candles are sliced only when a chart asks for them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from terminal.domain.account import Fill
from terminal.domain.instruments import Instrument
from terminal.market.book import SymbolBook
from terminal.market.tape import (
    BACKGROUND,
    CROWD_LIQUIDATION,
    RECORDED,
    TIMEFRAMES_S,
    YOUR_LIQUIDATION,
    YOURS,
    Candles,
    PrintBatch,
)
from terminal.market.venue import FILL_MODELS, MarketSim

__all__ = ["BACKGROUND", "CROWD_LIQUIDATION", "FILL_MODELS", "RECORDED", "TIMEFRAMES_S", "YOURS", "YOUR_LIQUIDATION",
           "BookView", "TapeView", "book_view", "receipt", "slippage_minor", "tape_view"]

LADDER_DEPTH = 20
TAPE_PRINTS = 60


@dataclass(frozen=True)
class BookView:
    """Top levels of one symbol's book: rows ``[price, size]``, best first; sizes in contracts."""

    symbol: str
    bids: np.ndarray  # (n, 2)
    asks: np.ndarray  # (n, 2)
    fill_model: str
    recorded: bool  # replaying recorded history: the trader's orders cannot move it
    unlimited: bool  # the ideal fill model: one level, unlimited depth

    @property
    def spread(self) -> float | None:
        if not (self.bids.shape[0] and self.asks.shape[0]):
            return None
        return float(self.asks[0, 0] - self.bids[0, 0])


class TapeView:
    """The last prints (oldest first) and, on demand, the candles of a timeframe as of this frame."""

    __slots__ = ("_candles", "count", "prints", "symbol", "volume")

    def __init__(self, symbol: str, prints: PrintBatch, count: int, volume: int, candles: Candles) -> None:
        self.symbol = symbol
        self.prints = prints
        self.count = count  # prints ever (a new print changes it)
        self.volume = volume
        self._candles = candles

    def candles(self, timeframe: str) -> np.ndarray:
        """Bars of ``timeframe`` (1m 5m 15m 1h 4h 1D): rows t_open_ms, open, high, low, close, volume (a copy)."""
        return self._candles.view(timeframe)


def book_view(market: MarketSim, symbol: str, max_order_qty: int, last: float, tick: float, decimals: int,
              now_ms: int, depth: int = LADDER_DEPTH) -> BookView | None:
    book: SymbolBook | None = market.books.get(symbol)
    if book is None:
        return None
    recorded = symbol in market.recorded
    if market.ideal:
        bid, ask = round(last - tick, decimals), round(last + tick, decimals)
        big = float(max_order_qty)
        return BookView(symbol, np.array([[bid, big]]), np.array([[ask, big]]), market.fill_model, recorded, True)
    bids, asks = book.level_arrays(depth, now_ms)
    return BookView(symbol, bids, asks, market.fill_model, recorded, False)


def tape_view(market: MarketSim, symbol: str, prints: int = TAPE_PRINTS) -> TapeView | None:
    book = market.books.get(symbol)
    if book is None:
        return None
    return TapeView(symbol, book.tape.view(prints), book.tape.count, book.tape.volume, book.candles)


def slippage_minor(inst: Instrument, fill: Fill) -> int | None:
    """What the fill cost beyond its intended price, in minor units of the settlement currency (None: no receipt).

    Positive = paid: a buy above the touch, a sell below it."""
    intended = fill.intended_price
    if intended is None or not intended > 0:
        return None
    at_intended = inst.value_minor(fill.qty, intended)
    at_fill = inst.value_minor(fill.qty, fill.price)
    d = 1 if fill.side == "buy" else -1
    diff = at_fill - at_intended
    if inst.kind == "inverse":  # value in coin falls as the price rises: paying more is a smaller value
        diff = -diff
    return d * diff


def receipt(inst: Instrument, fill: Fill) -> str:
    """The slippage receipt as the fills table and the toast show it: bps, ticks, levels."""
    if fill.intended_price is None or fill.slippage_bps is None:
        return ""
    d = 1 if fill.side == "buy" else -1
    ticks = d * (fill.price - fill.intended_price) / inst.tick_size
    lv = fill.levels or 1
    return f"{fill.slippage_bps:+.2f} bps · {ticks:+,.1f} ticks · {lv} level{'s' if lv != 1 else ''}"
