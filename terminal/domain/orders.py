"""Orders: types, flags, the request a trader sends, and the lifecycle as one transition table."""
from __future__ import annotations

import math
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class OrderType(str, Enum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"
    TAKE_PROFIT_MARKET = "take_profit_market"
    TAKE_PROFIT_LIMIT = "take_profit_limit"
    TRAILING_STOP = "trailing_stop"

    @property
    def is_conditional(self) -> bool:
        return self in _CONDITIONAL

    @property
    def has_limit_price(self) -> bool:
        return self in _LIMIT_PRICED

    @property
    def is_if_touched(self) -> bool:
        return self in _IF_TOUCHED

    @property
    def label(self) -> str:
        return ORDER_TYPE_LABELS[self]


_CONDITIONAL = frozenset({OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_MARKET,
                          OrderType.TAKE_PROFIT_LIMIT, OrderType.TRAILING_STOP})
_LIMIT_PRICED = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT})
_IF_TOUCHED = frozenset({OrderType.TAKE_PROFIT_MARKET, OrderType.TAKE_PROFIT_LIMIT})

ORDER_TYPE_LABELS = {
    OrderType.MARKET: "Market",
    OrderType.LIMIT: "Limit",
    OrderType.STOP_MARKET: "Stop Market",
    OrderType.STOP_LIMIT: "Stop Limit",
    OrderType.TAKE_PROFIT_MARKET: "Take Profit Market",
    OrderType.TAKE_PROFIT_LIMIT: "Take Profit Limit",
    OrderType.TRAILING_STOP: "Trailing Stop",
}

#: the same by type name ("take_profit_market"), short enough for a table column
ORDER_TYPE_SHORT_LABELS: dict[str, str] = {**{t.value: label for t, label in ORDER_TYPE_LABELS.items()},
                                           "take_profit_market": "Take Profit Mkt", "take_profit_limit": "Take Profit Lmt"}


class OrderStatus(str, Enum):
    NEW = "new"
    UNTRIGGERED = "untriggered"  # a conditional order waiting for its trigger price
    OPEN = "open"  # resting on the book
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def is_live(self) -> bool:
        return self in (OrderStatus.UNTRIGGERED, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)


class OrderEvent(str, Enum):
    ACCEPT_RESTING = "accept_resting"
    ACCEPT_CONDITIONAL = "accept_conditional"
    ACCEPT_IMMEDIATE = "accept_immediate"  # will fill at once (market / marketable limit)
    TRIGGER = "trigger"
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL = "cancel"
    REJECT = "reject"
    AMEND = "amend"


S, E = OrderStatus, OrderEvent
#: (status, event) → next status. Anything not listed is a bug and raises.
TRANSITIONS: dict[tuple[OrderStatus, OrderEvent], OrderStatus] = {
    (S.NEW, E.ACCEPT_RESTING): S.OPEN,
    (S.NEW, E.ACCEPT_CONDITIONAL): S.UNTRIGGERED,
    (S.NEW, E.ACCEPT_IMMEDIATE): S.NEW,
    (S.NEW, E.FILL): S.FILLED,
    (S.NEW, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.NEW, E.CANCEL): S.CANCELLED,
    (S.NEW, E.REJECT): S.REJECTED,
    (S.UNTRIGGERED, E.TRIGGER): S.NEW,
    (S.UNTRIGGERED, E.CANCEL): S.CANCELLED,
    (S.UNTRIGGERED, E.AMEND): S.UNTRIGGERED,
    (S.OPEN, E.FILL): S.FILLED,
    (S.OPEN, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.OPEN, E.CANCEL): S.CANCELLED,
    (S.OPEN, E.AMEND): S.OPEN,
    (S.PARTIALLY_FILLED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, E.FILL): S.FILLED,
    (S.PARTIALLY_FILLED, E.CANCEL): S.CANCELLED,
    (S.PARTIALLY_FILLED, E.AMEND): S.PARTIALLY_FILLED,
}


class IllegalTransition(RuntimeError):
    pass


def next_status(status: OrderStatus, event: OrderEvent) -> OrderStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(f"order cannot go from {status.value} on {event.value}") from None


Side = Literal["buy", "sell"]
Trigger = Literal["mark", "last", "index"]
TimeInForce = Literal["GTC", "IOC", "FOK"]


class OrderRequest(BaseModel):
    """What the order form (or a script step) sends. Structure is checked here; the exchange
    checks everything that depends on the market and the account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str
    side: Side
    qty: int = Field(description="contracts")
    type: OrderType = OrderType.MARKET
    price: float | None = None
    stop_price: float | None = None
    trigger: Trigger = "mark"
    time_in_force: TimeInForce | None = None
    post_only: bool = False
    reduce_only: bool = False
    close_on_trigger: bool = False
    trail_offset: float | None = Field(default=None, description="trailing stop: distance in price")
    ref: str | None = Field(default=None, description="a client name for the order (scripts cancel by it)")
    take_profit: float | None = Field(default=None, description="bracket: take-profit trigger price, armed on entry fill")
    stop_loss: float | None = Field(default=None, description="bracket: stop-loss trigger price, armed on entry fill")

    @field_validator("qty", mode="before")
    @classmethod
    def _whole_contracts(cls, v: object) -> object:
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError("size must be a number")
            if v != int(v):
                raise ValueError("size must be a whole number of contracts")
            return int(v)
        return v

    @field_validator("price", "stop_price", "trail_offset", "take_profit", "stop_loss")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @property
    def direction(self) -> int:
        return 1 if self.side == "buy" else -1

    @property
    def tif(self) -> TimeInForce:
        if self.time_in_force is not None:
            return self.time_in_force
        return "IOC" if self.type == OrderType.MARKET else "GTC"


class Order:
    """A live or finished order inside the exchange (plain attributes: this is on the hot path)."""

    __slots__ = (
        "avg_fill_price",
        "bracket_parent",
        "close_on_trigger",
        "cost",
        "created_ms",
        "cross",
        "direction",
        "filled_qty",
        "id",
        "leverage",
        "oco_id",
        "post_only",
        "price",
        "qty",
        "reduce_only",
        "ref",
        "side",
        "status",
        "stop_loss",
        "stop_price",
        "symbol",
        "take_profit",
        "tif",
        "trail_anchor",
        "trail_offset",
        "trigger",
        "triggered",
        "type",
        "updated_ms",
    )

    def __init__(self, order_id: int, req: OrderRequest, now_ms: int, leverage: float, cross: bool) -> None:
        self.id = order_id
        self.symbol = req.symbol
        self.side = req.side
        self.direction = req.direction
        self.qty = req.qty
        self.type = req.type
        self.price = req.price
        self.stop_price = req.stop_price
        self.trigger = req.trigger
        self.tif = req.tif
        self.post_only = req.post_only
        self.reduce_only = req.reduce_only or req.close_on_trigger
        self.close_on_trigger = req.close_on_trigger
        self.trail_offset = req.trail_offset
        self.ref = req.ref
        self.status = OrderStatus.NEW
        self.filled_qty = 0
        self.avg_fill_price: float | None = None
        self.created_ms = now_ms
        self.updated_ms = now_ms
        self.triggered = False
        self.trail_anchor: float | None = None
        self.leverage = leverage
        self.cross = cross
        self.cost = 0  # margin reserved while resting (minor units), set by the exchange
        self.take_profit = req.take_profit  # bracket prices of an entry order (armed by the exchange on fill)
        self.stop_loss = req.stop_loss
        self.bracket_parent: int | None = None  # a bracket leg: the entry order it protects
        self.oco_id: int | None = None  # a bracket leg: the other leg, cancelled when this one fills

    @property
    def leaves_qty(self) -> int:
        return self.qty - self.filled_qty

    def apply(self, event: OrderEvent, now_ms: int) -> None:
        self.status = next_status(self.status, event)
        self.updated_ms = now_ms

    def trigger_direction(self) -> int:
        """+1 if the order triggers when the trigger price rises to the stop, −1 when it falls."""
        if self.type.is_if_touched:
            return -self.direction
        return self.direction

    def to_dict(self) -> dict[str, object]:
        return {name: _plain(getattr(self, name)) for name in self.__slots__}


#: order types that take whatever the book offers once they are live
TAKE_AT_ANY_PRICE = frozenset({OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET,
                               OrderType.TRAILING_STOP})


def arrival_price(order: Order, touch: float) -> float | None:
    """The price ``order`` takes on arrival (or on its trigger) when the far side's best price is ``touch``; None
    when it rests: a conditional not yet triggered, a limit that does not cross, a post-only that would take."""
    if order.type.is_conditional and not order.triggered:
        return None
    if order.type in TAKE_AT_ANY_PRICE:
        return touch
    assert order.price is not None
    if (order.price >= touch) if order.direction > 0 else (order.price <= touch):
        return None if order.post_only else touch
    return None


def _plain(v: object) -> object:
    return v.value if isinstance(v, Enum) else v


def order_from_dict(d: dict[str, object]) -> Order:
    """Rebuild an order saved with :meth:`Order.to_dict` (the store uses this)."""
    o = Order.__new__(Order)
    for name in Order.__slots__:
        setattr(o, name, d.get(name))  # fields added later (brackets) are None in older saves
    o.type = OrderType(d["type"])
    o.status = OrderStatus(d["status"])
    return o
