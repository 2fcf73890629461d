"""The exchange's fill path backed by the simulated book (``exchange.matcher = BookMatcher(exchange, market)``).

It answers the exchange's :class:`terminal.exchange.matching.MatcherLike` questions from the book of
:mod:`terminal.market.book`, and books each execution through ``exchange.clearing.fill``:

* market, triggered-stop and marketable-limit orders **walk the book**: one fill per order at the volume-weighted
  price of the levels taken, with a *slippage receipt* on the fill (``intended_price`` — the touch when the order
  arrived or the stop triggered —, ``slippage_bps``, ``levels``); the depth taken is gone until it refills;
* **BitMEX price protection** ("Fat Finger Protection Trading Rule", live 16 Feb 2021; BitMEX blog, mirrored at
  https://cryptomak.co.uk/?p=224706): "Market orders will be restricted by the maximum Impact Price of: Buy orders:
  5% above Best Ask or Mark Price (whichever is higher); Sell orders: 5% below Best Bid or Mark Price (whichever is
  lower) … the order will only trade up to the maximum Impact Price, and the remainder of the order will be
  cancelled." Triggered stop-market orders are market orders and get the same cap (BitMEX: stops are "implemented
  as a brokerage function", support article 6911327963293). Limit orders more than 5 % through the touch *and*
  larger than the touch's size are rejected by the same rule: see :meth:`BookMatcher.protection_reason`;
* a resting limit **queues** behind the size shown at its price when it arrived and fills, in parts, as prints at
  its price eat the queue — or whole, at its price, when a print goes through its price or the other side of the
  book comes to it after it joined (not when an older print left the last price beyond it);
* a **liquidation** closes into the same book; the insurance fund gains or pays the difference from bankruptcy.

With the ``ideal`` fill model every answer is the default matcher's (today's fills exactly); the receipt then says
zero slippage and one level.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from terminal.domain.instruments import Instrument
from terminal.domain.margin import order_cost
from terminal.domain.orders import TAKE_AT_ANY_PRICE, Order, OrderEvent, OrderStatus, arrival_price
from terminal.market.tape import YOUR_LIQUIDATION, YOURS
from terminal.market.venue import MarketSim

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange
    from terminal.exchange.matching import MatcherLike
    from terminal.feeds.base import TickBatch

PROTECTION_BAND = 0.05  # BitMEX: 5 % beyond the best price or the mark, whichever is further


def slippage_bps(direction: int, intended: float, avg: float) -> float:
    """How much worse than the touch the average price was, in basis points (positive = paid more)."""
    if not (intended > 0 and math.isfinite(avg)):
        return 0.0
    return round(direction * (avg - intended) / intended * 1e4, 4) + 0.0  # + 0.0: never -0.0 in a report


class BookMatcher:
    """Fill path of an exchange whose market is a :class:`MarketSim`."""

    def __init__(self, ex: Exchange, market: MarketSim) -> None:
        self.ex = ex
        self.market = market
        self.ideal: MatcherLike = ex.matcher  # the exchange's own one-level book: what ``ideal`` does
        if isinstance(self.ideal, BookMatcher):
            self.ideal = self.ideal.ideal
        self.printed: dict[str, TickBatch] = {}  # per symbol the last batch stepped, with the book's last prices
        self._prints_seen: dict[str, bool] = {}  # per symbol: did its last batch match resting limits by prints

    # ---------------------------------------------------------------- batch protocol (the stepper)
    def prepare(self, symbol: str, batch: TickBatch) -> TickBatch:
        """The batch the exchange steps through: the book's prints make its last price (not in ``ideal``)."""
        book = self.market.books.get(symbol) or self.market.book(symbol, float(batch.last[0]))
        prints = self.rests_on_prints(symbol)
        if self._prints_seen.get(symbol) != prints:  # a fill-model switch: resting limits change who watches them
            self._prints_seen[symbol] = prints
            self.ex.thresholds.pop(symbol, None)
        if self.market.ideal:
            book.observe(batch.t_ms, batch.last, batch.index)
            self.printed.pop(symbol, None)
            return batch
        self._join_new(symbol, book)  # orders placed since the last batch join the book as it stood then
        last = book.prepare(batch.t_ms, batch.last, batch.mark, batch.index)
        if symbol in self.market.recorded:  # recorded history: orders fill against the book, never move the price
            self.printed.pop(symbol, None)
            return batch
        cols = list(batch)  # (NamedTuple._replace trips over TickBatch's own __len__)
        cols[batch._fields.index("last")] = last
        out = type(batch)(*cols)
        self.printed[symbol] = out
        return out

    def next_event(self, symbol: str, start: int, stop: int) -> int:
        """First tick in ``[start, stop)`` at which a resting order's queue has been eaten through, else ``stop``."""
        book = self.market.books.get(symbol)
        if book is None or book.b is None or not book.queue:
            return stop
        hit = stop
        through = self.rests_on_prints(symbol)
        for o in self._resting(symbol):
            spot = book.queue.get(o.id)
            if spot is not None:
                hit = book.next_queue_fill(spot, o.direction, start, hit, through)
        return hit

    def rested(self, order: Order) -> None:
        """An order that starts to rest — placed, or a stop-limit that triggered inside a batch — joins its queue at
        once, at the tick it arrived, so its place and its fills do not depend on where a batch ends."""
        book = self.market.books.get(order.symbol)
        if book is None or book.prev_t is None or order.price is None or self.market.ideal:
            return  # no book yet: it joins once the book has stood for a batch
        book.join_queue(order.id, order.direction, float(order.price), book.tick_index(self.ex.now_ms))

    def rests_on_prints(self, symbol: str) -> bool:
        """The book's own prints (and its touch) fill resting limits, not the last price crossing them: so a buy
        at the best bid waits behind its queue even while an older print left the last price below it. Recorded
        history of trades keeps the recorded last trade as the test; a quote dump's "last" is its mid, which no trade
        made, so there too the prints at the recorded touch and the touch itself fill resting limits."""
        if not self._book_live(symbol):
            return False
        return symbol not in self.market.recorded or (symbol in self.market.recorded_quotes
                                                      and symbol not in self.market.recorded_trades)

    def finish(self, symbol: str) -> None:
        book = self.market.books.get(symbol)
        if book is None:
            return
        if book.queue:
            live = {o.id for o in self._resting(symbol)}
            for oid in [k for k in book.queue if k not in live]:
                del book.queue[oid]
        book.finish()

    def _resting(self, symbol: str) -> list[Order]:
        if not self.ex.orders:
            return []
        return [o for o in self.ex.orders.values() if o.symbol == symbol and o.price is not None
                and o.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)]

    def _join_new(self, symbol: str, book: object) -> None:
        if not self.ex.orders:
            return
        from terminal.market.book import SymbolBook

        assert isinstance(book, SymbolBook)
        if book.prev_t is None:
            return  # no book yet: orders join once it has stood for a batch
        for o in self._resting(symbol):
            spot = book.queue.get(o.id)
            if spot is None or spot.price_ticks != round((o.price or 0.0) / book.tick):
                book.join_queue(o.id, o.direction, float(o.price or 0.0), -1 if book.b is None else 0)

    # ---------------------------------------------------------------- what the exchange asks
    def _book_live(self, symbol: str) -> bool:
        return not self.market.ideal and symbol in self.market.books

    def quote(self, inst: Instrument) -> tuple[float, float]:
        if not self._book_live(inst.symbol):
            return self.ideal.quote(inst)
        book = self.market.books[inst.symbol]
        bid, ask = book.touch(book.tick_index(self.ex.now_ms), self.ex.now_ms)
        return book.price(bid), book.price(ask)

    def fill_price(self, inst: Instrument, direction: int) -> float:
        bid, ask = self.quote(inst)
        return ask if direction > 0 else bid

    def immediate_price(self, inst: Instrument, order: Order) -> float | None:
        if not self._book_live(inst.symbol):
            return self.ideal.immediate_price(inst, order)
        return arrival_price(order, self.fill_price(inst, order.direction))

    def protection_reason(self, inst: Instrument, order: Order) -> str | None:
        """BitMEX's limit-order fat-finger rule: the rejection text, or None when the order may go in."""
        if not self._book_live(inst.symbol) or order.price is None or order.type in TAKE_AT_ANY_PRICE:
            return None
        bid, ask = self.quote(inst)
        mark = self.ex.markets[inst.symbol].mark
        book = self.market.books[inst.symbol]
        j = book.tick_index(self.ex.now_ms)
        if order.direction > 0:
            cap = max(ask, mark) * (1 + PROTECTION_BAND)
            touch = book.side(j, 1, 1, self.ex.now_ms)
            if order.price > cap and touch.size.size and order.qty > touch.size[0]:
                return f"Price protection: a buy limit more than 5 % above the best ask or mark ({inst.format_price(cap)}) " \
                       "larger than the best ask's size is refused."
        else:
            cap = min(bid, mark) * (1 - PROTECTION_BAND)
            touch = book.side(j, -1, 1, self.ex.now_ms)
            if order.price < cap and touch.size.size and order.qty > touch.size[0]:
                return f"Price protection: a sell limit more than 5 % below the best bid or mark ({inst.format_price(cap)}) " \
                       "larger than the best bid's size is refused."
        return None

    def _band_ticks(self, inst: Instrument, direction: int, touch: float) -> int:
        mark = self.ex.markets[inst.symbol].mark
        if not math.isfinite(mark):
            mark = touch
        if direction > 0:
            return int(math.floor(max(touch, mark) * (1 + PROTECTION_BAND) / inst.tick_size + 1e-9))
        return int(math.ceil(min(touch, mark) * (1 - PROTECTION_BAND) / inst.tick_size - 1e-9))

    def execute_immediate(self, order: Order, price: float) -> None:
        ex = self.ex
        inst = ex.catalog[order.symbol]
        if not self._book_live(inst.symbol):
            n = len(ex.fills)
            self.ideal.execute_immediate(order, price)
            self._receipt(n, price, price, 1)
            return
        book = self.market.books[inst.symbol]
        j = book.tick_index(ex.now_ms)
        qty = order.leaves_qty
        pos = ex.positions.get(order.symbol)
        if order.reduce_only:
            pq = pos.qty if pos else 0
            if pq == 0 or (pq > 0) == (order.direction > 0):
                ex.clearing.fill(order, price, "taker")  # the clearing cancels it, as for any reduce-only
                return
            qty = min(qty, abs(pq))
        band = self._band_ticks(inst, order.direction, price)
        limit = band
        if order.type not in TAKE_AT_ANY_PRICE and order.price is not None:
            own = int(round(order.price / inst.tick_size))
            limit = min(band, own) if order.direction > 0 else max(band, own)
        if order.tif == "FOK":
            side = book.side(j, order.direction, None, ex.now_ms)
            ok = side.ticks <= limit if order.direction > 0 else side.ticks >= limit
            if float(side.size[ok].sum()) + 1e-9 < qty:
                self._end(order, "Fill-or-kill: the book cannot fill the whole size at once; cancelled.")
                return
        w = book.walk(j, ex.now_ms, order.direction, qty, limit, YOURS)
        if w.filled > 0:
            n = len(ex.fills)
            ex.clearing.fill(order, w.avg_price, "taker", qty=w.filled)
            if order.symbol not in self.market.recorded:
                ex.markets[order.symbol].last = book.price(w.last_ticks)
            self._receipt(n, book.price(w.intended_ticks), w.avg_price, w.levels)
        if order.leaves_qty > 0 and order.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED):
            self._rest_or_cancel(order, book)

    def _rest_or_cancel(self, order: Order, book: object) -> None:
        from terminal.market.book import SymbolBook

        assert isinstance(book, SymbolBook)
        ex = self.ex
        if order.leaves_qty <= 0:
            return
        if order.type in TAKE_AT_ANY_PRICE:
            self._end(order, "the rest of the market order was cancelled by price protection (5 % band) or "
                             "an empty book")
            return
        if order.tif in ("IOC", "FOK"):
            self._end(order, "the rest of the immediate-or-cancel order was cancelled")
            return
        inst = ex.catalog[order.symbol]
        assert order.price is not None
        if order.id in ex.orders and order.id in book.queue:
            return  # already resting (an amended or triggered order that filled in part): it keeps its place
        order.cost = order_cost(inst, order.direction, order.qty, order.price, order.leverage)
        if order.status == OrderStatus.NEW:
            order.apply(OrderEvent.ACCEPT_RESTING, ex.now_ms)
        ex.orders[order.id] = order
        ex.emit("order", order)
        book.join_queue(order.id, order.direction, order.price, book.tick_index(ex.now_ms) if book.b else -1)
        book.queue[order.id].ahead = 0.0  # it is the new best price: first in line
        ex.dirty(order.symbol)

    def _end(self, order: Order, why: str) -> None:
        ex = self.ex
        ex.orders.pop(order.id, None)
        if order.status.is_live or order.status == OrderStatus.NEW:
            order.apply(OrderEvent.CANCEL, ex.now_ms)
        ex.emit("order", order)
        ex.reject("fill", {"order_id": order.id, "symbol": order.symbol}, why)
        ex.dirty(order.symbol)

    def match_resting(self, order: Order) -> None:
        ex = self.ex
        if not self._book_live(order.symbol):
            n = len(ex.fills)
            self.ideal.match_resting(order)
            if order.price is not None:
                self._receipt(n, order.price, order.price, 1)
            return
        if order.price is None:
            return
        book = self.market.books[order.symbol]
        m = ex.markets[order.symbol]
        n = len(ex.fills)
        spot = book.queue.get(order.id)
        if self.rests_on_prints(order.symbol):
            j = book.tick_index(ex.now_ms)
            through = spot is not None and book.b is not None and \
                book.next_through(spot, order.direction, spot.j_done + 1, j + 1) <= j
        else:
            through = (m.last < order.price) if order.direction > 0 else (m.last > order.price)
        if through:
            qty = order.leaves_qty
            ex.clearing.fill(order, order.price, "maker")
        else:
            if spot is None or book.b is None:
                return
            qty = min(book.consume_queue(spot, order.direction, book.tick_index(ex.now_ms)), order.leaves_qty)
            if qty <= 0:
                return
            ex.clearing.fill(order, order.price, "maker", qty=qty)
        if len(ex.fills) > n:
            book.record_own(ex.now_ms, order.price, qty, -order.direction, YOURS)
            self._receipt(n, order.price, order.price, 1)

    def liquidation_price(self, symbol: str, close_direction: int, qty: int,
                          bankruptcy: float) -> tuple[float, int] | None:
        """Close a liquidated position into the book: (volume-weighted price, levels); None: ideal, at bankruptcy."""
        if not self._book_live(symbol):
            return None
        book = self.market.books[symbol]
        j = book.tick_index(self.ex.now_ms)
        w = book.walk(j, self.ex.now_ms, close_direction, qty, None, YOUR_LIQUIDATION)
        if w.filled < qty:  # the book ran out: the insurance fund takes the rest at the worst level reached
            worst = book.price(w.last_ticks) if w.filled else bankruptcy
            if w.filled == 0:
                return worst, 0
            inv = self.ex.catalog[symbol].kind == "inverse"
            a, b = w.filled, qty - w.filled
            if symbol not in self.market.recorded:
                self.ex.markets[symbol].last = worst
            return (qty / (a / w.avg_price + b / worst) if inv else (a * w.avg_price + b * worst) / qty), w.levels
        if symbol not in self.market.recorded:
            self.ex.markets[symbol].last = book.price(w.last_ticks)
        return w.avg_price, w.levels

    def _receipt(self, n_before: int, intended: float, avg: float, levels: int) -> None:
        """Write the slippage receipt on the fills this execution added."""
        for f in self.ex.fills[n_before:]:
            d = 1 if f.side == "buy" else -1
            f.intended_price = intended
            f.slippage_bps = slippage_bps(d, intended, avg) if f.liquidity == "taker" else 0.0
            f.levels = levels


def install(ex: Exchange, market: MarketSim) -> BookMatcher:
    """Put the book in ``ex``'s fill path (once; a second call swaps the market)."""
    m = BookMatcher(ex, market)
    ex.matcher = m
    return m
