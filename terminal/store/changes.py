"""What a frame changed, from the engine's events: the rows the account store writes, and nothing else.

The engine announces its changes as events (``order``, ``position``, ``settings``, ``fill``, ``ledger``,
``liquidation``, ``funding``, ``rejection``). From them :class:`ChangeTracker` derives the orders, positions and
settings rows to write. Two kinds of change have no event of their own and are caught cheaply here:

* a trailing stop's anchor follows the price tick by tick: the live trailing stops are compared every frame;
* an order may change as a side effect of another event: a reduce-only order clipped by a fill (the reduce-only
  orders of a symbol with an event are compared by value, ``__slots__``), a leverage or margin-mode change
  re-pricing resting orders (every order of a symbol with a ``settings`` event is compared); an order that came or
  went without its event is caught by counting (then all live orders are reconciled).

Positions and settings are few (one per symbol): they are compared by value on every frame that had an event.
An idle frame (no event, no tick) costs a handful of integer comparisons and writes nothing.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from terminal.domain.orders import Order
from terminal.exchange.engine import Exchange
from terminal.store.state import _flat

_order_values: Callable[[Order], tuple[Any, ...]] = operator.attrgetter(*Order.__slots__)
SYMBOL_EVENTS = ("position", "settings")


def _order_fp(o: Order) -> tuple[Any, ...]:
    return _order_values(o)


@dataclass
class FrameChanges:
    """The rows one frame must write (the tracker's bookkeeping for them is applied by ``commit``)."""

    upsert_orders: list[Order] = field(default_factory=list)
    delete_orders: list[int] = field(default_factory=list)
    history_orders: list[Order] = field(default_factory=list)  # every order an event named (orders_history)
    positions: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    fingerprints: dict[int, tuple[Any, ...] | None] = field(default_factory=dict)
    pos_fp: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    set_fp: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def entities(self) -> bool:
        return bool(self.upsert_orders or self.delete_orders or self.history_orders or self.positions
                    or self.settings)


class ChangeTracker:
    """Fingerprints of what is stored, to turn a frame's events into the rows that changed."""

    def __init__(self) -> None:
        self.orders: dict[int, tuple[Any, ...]] = {}  # live order id -> fingerprint stored
        self.trailing: set[int] = set()
        self.positions: dict[str, tuple[Any, ...]] = {}
        self.settings: dict[str, tuple[Any, ...]] = {}

    def reset(self, ex: Exchange) -> None:
        """Everything in ``ex`` is stored."""
        self.orders = {i: _order_fp(o) for i, o in ex.orders.items()}
        self.trailing = {i for i, o in ex.orders.items() if o.trail_offset is not None}
        self.positions = {s: tuple(_flat(p).values()) for s, p in ex.positions.items()}
        self.settings = {s: tuple(_flat(v).values()) for s, v in ex.settings.items()}

    def changes(self, ex: Exchange, events: list[tuple[str, object]], ticked: bool) -> FrameChanges:
        ch = FrameChanges()
        named: dict[int, Order] = {}
        symbols: set[str] = set()  # a fill, position, funding, liquidation: reduce-only orders may be clipped
        repriced: set[str] = set()  # a settings change (leverage, margin mode): every order of the symbol
        for kind, payload in events:
            if kind == "order" and isinstance(payload, Order):
                named[payload.id] = payload
                symbols.add(payload.symbol)
            elif kind in SYMBOL_EVENTS and isinstance(payload, str):
                (repriced if kind == "settings" else symbols).add(payload)
            else:
                sym = getattr(payload, "symbol", None)
                if isinstance(sym, str):
                    symbols.add(sym)
        ch.history_orders = list(named.values())
        check: dict[int, Order] = dict(named)
        if symbols or repriced:
            for i, o in ex.orders.items():
                if o.symbol in repriced or (o.reduce_only and o.symbol in symbols):
                    check[i] = o
        if ticked:
            for i in self.trailing:
                held = ex.orders.get(i)
                if held is not None:
                    check[i] = held
        for i, o in check.items():
            live = ex.orders.get(i) is o
            if live:
                fp = _order_fp(o)
                if self.orders.get(i) != fp:
                    ch.upsert_orders.append(o)
                    ch.fingerprints[i] = fp
            elif i in self.orders:
                ch.delete_orders.append(i)
                ch.fingerprints[i] = None
        added = sum(1 for i, fp in ch.fingerprints.items() if fp is not None and i not in self.orders)
        removed = sum(1 for fp in ch.fingerprints.values() if fp is None)
        if len(self.orders) + added - removed != len(ex.orders):  # an order came or went without its event
            self._reconcile(ex, ch)
        if events or len(ex.positions) != len(self.positions) or len(ex.settings) != len(self.settings):
            for s, p in ex.positions.items():
                fp = tuple(_flat(p).values())
                if self.positions.get(s) != fp:
                    ch.positions.append(s)
                    ch.pos_fp[s] = fp
            for s, v in ex.settings.items():
                fp = tuple(_flat(v).values())
                if self.settings.get(s) != fp:
                    ch.settings.append(s)
                    ch.set_fp[s] = fp
        return ch

    def _reconcile(self, ex: Exchange, ch: FrameChanges) -> None:
        """Live orders stored vs live orders held, compared in full (only when the counts disagree)."""
        stored = {i for i in self.orders if ch.fingerprints.get(i, ()) is not None}
        stored |= {i for i, fp in ch.fingerprints.items() if fp is not None}  # after this frame's rows
        for i in stored - ex.orders.keys():
            if i not in ch.delete_orders:
                ch.delete_orders.append(i)
            ch.fingerprints[i] = None
        for i in ex.orders.keys() - stored:
            o = ex.orders[i]
            ch.upsert_orders.append(o)
            ch.fingerprints[i] = _order_fp(o)

    def commit(self, ex: Exchange, ch: FrameChanges) -> None:
        """The frame's rows are on disk."""
        for i, fp in ch.fingerprints.items():
            if fp is None:
                self.orders.pop(i, None)
                self.trailing.discard(i)
            else:
                self.orders[i] = fp
                if ex.orders[i].trail_offset is not None:
                    self.trailing.add(i)
        self.positions.update(ch.pos_fp)
        self.settings.update(ch.set_fp)
