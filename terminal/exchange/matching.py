"""The fill path: at what price an order executes, and when a resting limit is hit.

**This is where an order book plugs in.** Everything that decides *prices and quantities of
executions* goes through the exchange's ``matcher`` attribute (an object with the methods of
:class:`Matcher`); everything that follows an execution — position, ledger, fees, brackets — is
:meth:`terminal.exchange.clearing.Clearing.fill`, which the matcher calls. The default
:class:`Matcher` models the book as one level at ``last ± spread_ticks`` (config ``spread_ticks``):

* a market or marketable order fills on arrival, whole, at the best ask (buy) or best bid (sell);
* a resting limit fills, whole, at its own price once the last trade goes *through* it.

A book-backed matcher replaces it with ``exchange.matcher = BookMatcher(exchange)`` and may fill in
parts (``Clearing.fill(order, price, liquidity, qty=...)``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from terminal.domain.instruments import Instrument
from terminal.domain.orders import Order, arrival_price
from terminal.exchange.validation import best_prices

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange
    from terminal.feeds.base import TickBatch



class MatcherLike(Protocol):
    """What the exchange asks of its fill path (the default :class:`Matcher`, or an order book)."""

    def quote(self, inst: Instrument) -> tuple[float, float]: ...

    def fill_price(self, inst: Instrument, direction: int) -> float: ...

    def immediate_price(self, inst: Instrument, order: Order) -> float | None: ...

    def execute_immediate(self, order: Order, price: float) -> None: ...

    def match_resting(self, order: Order) -> None: ...

    # batch protocol: an order book prints its own trades (they make the last price) and queues resting limits
    def prepare(self, symbol: str, batch: TickBatch) -> TickBatch: ...

    def next_event(self, symbol: str, start: int, stop: int) -> int: ...

    def rests_on_prints(self, symbol: str) -> bool: ...

    def rested(self, order: Order) -> None: ...

    def finish(self, symbol: str) -> None: ...

    def liquidation_price(self, symbol: str, close_direction: int, qty: int,
                          bankruptcy: float) -> tuple[float, int] | None: ...


class Matcher:
    """One-level book at last ± spread: fills whole orders at the touch or at their limit."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex

    def quote(self, inst: Instrument) -> tuple[float, float]:
        """(best bid, best ask) now."""
        return best_prices(inst, self.ex.markets[inst.symbol].last, self.ex.config.spread_ticks)

    def fill_price(self, inst: Instrument, direction: int) -> float:
        """Where a market buy (ask) or sell (bid) executes now."""
        bid, ask = self.quote(inst)
        return ask if direction > 0 else bid

    def immediate_price(self, inst: Instrument, order: Order) -> float | None:
        """The price an order fills at on arrival, or None if it rests (or waits for a trigger)."""
        return arrival_price(order, self.fill_price(inst, order.direction))

    def execute_immediate(self, order: Order, price: float) -> None:
        """Fill an order that executes on arrival (or on trigger) as a taker."""
        self.ex.clearing.fill(order, price, "taker")

    def match_resting(self, order: Order) -> None:
        """A resting limit is hit when the last trade goes through its price; it fills at its price."""
        m = self.ex.markets[order.symbol]
        if order.price is None:
            return
        if (m.last < order.price) if order.direction > 0 else (m.last > order.price):
            self.ex.clearing.fill(order, order.price, "maker")

    # ---------------------------------------------------------------- batch protocol (nothing to do here)
    def prepare(self, symbol: str, batch: TickBatch) -> TickBatch:
        """The ticks the exchange steps through (a book may replace the last prices with its own prints)."""
        return batch

    def next_event(self, symbol: str, start: int, stop: int) -> int:
        """First tick in ``[start, stop)`` where the fill path itself needs the exchange (a queue eaten), else stop."""
        return stop

    def rests_on_prints(self, symbol: str) -> bool:
        """Whether resting limits of ``symbol`` are matched by the fill path's own prints (:meth:`next_event`)
        rather than by the last price crossing them (here: never)."""
        return False

    def rested(self, order: Order) -> None:
        """``order`` has just started to rest on the book (placed, or a stop-limit triggered): nothing to do here."""

    def finish(self, symbol: str) -> None:
        """The batch is done."""

    def liquidation_price(self, symbol: str, close_direction: int, qty: int,
                          bankruptcy: float) -> tuple[float, int] | None:
        """(price, levels taken) of a liquidated position's close order; None: at the bankruptcy price, no book."""
        return None
