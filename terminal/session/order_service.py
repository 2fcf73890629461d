"""The order service: the one door through which a screen changes the account.

Every trader action (place, cancel, cancel all, amend, close, leverage, margin mode, isolated margin) goes through
:class:`OrderService` and comes back as a typed acknowledgement — :class:`Accepted` with the order ids the action
created or touched and the fills it caused at once, or :class:`Rejected` with the reason in the trader's words
(the exchange has already recorded the refusal and left the account untouched). The service also answers the
"what if" questions the order form asks before anything is sent (:meth:`OrderService.preview_order`,
:meth:`~OrderService.preview_leverage`, :meth:`~OrderService.preview_margin`), without changing anything.

It holds no state of its own: :meth:`OrderService.bind` points it at another exchange (an account reset or switch),
and ``after`` — called once after every action, accepted or not — is how a screen learns that the account moved
(the Qt bridge publishes a frame there). No Qt here.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from terminal.domain.account import Fill
from terminal.domain.money import to_minor
from terminal.domain.orders import OrderRequest
from terminal.exchange.actions import OrderPreview
from terminal.exchange.engine import Exchange
from terminal.exchange.types import Ack

if TYPE_CHECKING:
    from terminal.session.trading_session import TradingSession

__all__ = ["Accepted", "Acknowledgement", "LeveragePreview", "MarginPreview", "OrderPreview", "OrderService",
           "Rejected"]


@dataclass(frozen=True)
class Accepted:
    """The exchange took the action: the orders it created or touched, and the fills it caused at once."""

    action: str  # place | cancel | cancel_all | amend | close | leverage | margin_mode | margin
    order_ids: tuple[int, ...] = ()
    fills: tuple[Fill, ...] = ()  # fills of these orders booked by this action (a market order, a marketable limit)
    accepted: ClassVar[Literal[True]] = True
    reason: ClassVar[None] = None

    @property
    def order_id(self) -> int | None:
        """The (first) order the action is about, if any."""
        return self.order_ids[0] if self.order_ids else None

    @property
    def filled_price(self) -> float | None:
        """Price of the last fill this action caused, or None when nothing filled."""
        return self.fills[-1].price if self.fills else None


@dataclass(frozen=True)
class Rejected:
    """The exchange refused: ``reason`` says why in words a trader understands; nothing changed."""

    action: str
    reason: str
    accepted: ClassVar[Literal[False]] = False
    order_id: ClassVar[None] = None
    order_ids: ClassVar[tuple[int, ...]] = ()
    fills: ClassVar[tuple[Fill, ...]] = ()


Acknowledgement = Accepted | Rejected


@dataclass(frozen=True)
class LeveragePreview:
    """An open position's liquidation price at another leverage, beside today's."""

    leverage: float
    liquidation_price: float | None
    liquidation_price_now: float | None


@dataclass(frozen=True)
class MarginPreview:
    """An isolated position's liquidation price after adding / after removing ``amount_minor``."""

    amount_minor: int
    liquidation_if_added: float | None
    liquidation_if_removed: float | None


class OrderService:
    """Trader actions on one exchange, answered with :data:`Acknowledgement`; ``after`` runs after each action."""

    def __init__(self, exchange: Exchange, after: Callable[[Acknowledgement], None] | None = None) -> None:
        self._ex = exchange
        self._after = after

    def bind(self, exchange: Exchange) -> None:
        """Act on ``exchange`` from now on (the account was reset, switched or reloaded)."""
        self._ex = exchange

    @classmethod
    def of(cls, session: TradingSession, after: Callable[[Acknowledgement], None] | None = None) -> OrderService:
        """The order service of ``session``'s exchange."""
        return cls(session.exchange, after)

    def bind_session(self, session: TradingSession) -> None:
        """Act on ``session``'s exchange from now on."""
        self.bind(session.exchange)

    # ---------------------------------------------------------------- orders
    def place(self, request: OrderRequest | Mapping[str, Any]) -> Acknowledgement:
        """Send an order (a validated :class:`OrderRequest`, or its fields as a mapping)."""
        ex = self._ex
        n_fills = len(ex.fills)
        req = request if isinstance(request, OrderRequest) else dict(request)
        return self._done(self._ack("place", ex.place_order(req), n_fills))

    def cancel(self, order_id: int | str) -> Acknowledgement:
        return self._done(self._ack("cancel", self._ex.cancel_order(order_id)))

    def cancel_all(self, symbol: str | None = None) -> Acknowledgement:
        """Cancel every open order (of ``symbol``, or of all symbols); the ids cancelled, maybe none."""
        ex = self._ex
        ids = tuple(sorted(o.id for o in ex.orders.values() if symbol is None or o.symbol == symbol))
        ex.cancel_all(symbol)
        return self._done(Accepted("cancel_all", ids))

    def amend(self, order_id: int | str, *, price: float | None = None, stop_price: float | None = None,
              qty: int | None = None) -> Acknowledgement:
        n_fills = len(self._ex.fills)
        return self._done(self._ack("amend", self._ex.amend_order(order_id, price=price, stop_price=stop_price,
                                                                    qty=qty), n_fills))

    def close(self, symbol: str, price: float | None = None) -> Acknowledgement:
        """Close the whole position: at market, or with a reduce-only limit at ``price``."""
        n_fills = len(self._ex.fills)
        return self._done(self._ack("close", self._ex.close_position(symbol, price), n_fills))

    # ---------------------------------------------------------------- leverage and margin
    def set_leverage(self, symbol: str, leverage: float) -> Acknowledgement:
        return self._done(self._ack("leverage", self._ex.set_leverage(symbol, leverage)))

    def set_margin_mode(self, symbol: str, cross: bool, leverage: float | None = None) -> Acknowledgement:
        """Isolated or cross (cross at ``leverage``, else the symbol's maximum, as BitMEX's slider does)."""
        return self._done(self._ack("margin_mode", self._ex.set_margin_mode(symbol, cross, leverage)))

    def add_margin(self, symbol: str, amount_minor: int) -> Acknowledgement:
        """Add margin to an isolated position (a negative amount removes it), in minor units."""
        return self._done(self._ack("margin", self._ex.adjust_margin(symbol, int(amount_minor))))

    def remove_margin(self, symbol: str, amount_minor: int) -> Acknowledgement:
        return self.add_margin(symbol, -int(amount_minor))

    # ---------------------------------------------------------------- what-if (changes nothing)
    def preview_order(self, symbol: str, qty: int, price: float | None = None, leverage: float | None = None,
                      cross: bool | None = None) -> OrderPreview:
        """What the order form shows for ``qty`` contracts: cost, value, est. liquidation per side, available."""
        return self._ex.preview(symbol, qty, price, leverage, cross)

    def preview_leverage(self, symbol: str, leverage: float) -> LeveragePreview | None:
        """The open position's liquidation price at ``leverage`` (None: no position, or that is its leverage)."""
        ex = self._ex
        pos = ex.positions.get(symbol)
        if pos is None or pos.qty == 0 or abs(leverage - pos.leverage) < 1e-9:
            return None
        trial = copy.copy(pos)
        trial.leverage = leverage
        backing = ex.cross_backing(symbol) if trial.cross else None
        liq = ex.figures_of(trial, backing).liquidation_price  # with the next funding reserved, as the engine does
        return LeveragePreview(leverage, liq, ex.liq_bk(symbol)[0])

    def preview_margin(self, symbol: str, amount: float) -> MarginPreview | None:
        """The open position's liquidation price after adding or removing ``amount`` (major units) of margin."""
        ex = self._ex
        pos = ex.positions.get(symbol)
        if pos is None or pos.qty == 0 or not math.isfinite(amount) or amount <= 0:
            return None
        inst = ex.catalog[symbol]
        minor = to_minor(inst.settle_currency, amount)
        liq = []
        for sign in (1, -1):
            trial = copy.copy(pos)
            trial.added_margin += sign * minor
            liq.append(ex.figures_of(trial).liquidation_price)
        return MarginPreview(minor, liq[0], liq[1])

    # ---------------------------------------------------------------- plumbing
    def _ack(self, action: str, ack: Ack, n_fills: int | None = None) -> Acknowledgement:
        if not ack.accepted:
            return Rejected(action, ack.reason or "Refused.")
        ids = () if ack.order_id is None else (ack.order_id,)
        fills: tuple[Fill, ...] = ()
        if n_fills is not None and ids:
            fills = tuple(f for f in self._ex.fills[n_fills:] if f.order_id == ack.order_id)
        return Accepted(action, ids, fills)

    def _done(self, ack: Acknowledgement) -> Acknowledgement:
        if self._after is not None:
            self._after(ack)
        return ack
