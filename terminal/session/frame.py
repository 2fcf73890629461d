"""The frame: one immutable, self-contained picture of the session per GUI frame — everything a view draws.

A :class:`Frame` carries the account figures per currency, positions and open orders (a :class:`Snapshot`), the
fills, ledger rows, liquidations, funding payments and refusals booked **since the previous frame** (events: a
table appends them, an alert sounds them), every record so far as read-only prefix views (``history``: for a
view that starts over, e.g. after an account switch, when ``reset`` is set), the chart series (time-ordered
slices on demand), the market read-outs (last, mark, index, the funding rate fixed for the next funding and the
predicted one for the funding after it), the clock, the price source, the leverage setting and the instrument of
the symbol on screen.

Building one costs the same whatever the account's age: the snapshot is open positions and orders only; events
are the records past the previous frame's cursor; history and chart series are O(1) views whose slices are only
as long as the window a chart asks for.

Extension point: ``book`` (top levels of the symbol's order book) and ``tape`` (its recent prints) are left
``None`` until the exchange has an order book; fill them in :meth:`FrameBuilder.build` (views read
``frame.book`` / ``frame.tape``). Other per-frame data is added the same way: a field with a default, filled by
the builder, never a reach into the session from a view.

No Qt here; the Qt bridge emits each frame as one signal.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

from terminal.domain.account import Fill, FundingRecord, LedgerRow, LiquidationRecord
from terminal.domain.instruments import Catalog, Instrument
from terminal.exchange.snapshot import MarketView, OrderView, PositionView, Snapshot, WalletView, take_snapshot
from terminal.feeds.spec import FeedSpec
from terminal.session.history import RingBuffer
from terminal.session.market_setup import market_views

if TYPE_CHECKING:
    from terminal.session.trading_session import TradingSession

__all__ = ["ChartSeries", "ClockState", "Frame", "FrameBuilder", "History", "LeverageSetting", "MarketView",
           "OrderView", "PositionView", "RecordLog", "RejectionView", "Series", "Snapshot", "SourceState",
           "WalletView"]

T = TypeVar("T")
Rows = npt.NDArray[np.float64]  # rows, time (ms) in column 0


class RecordLog(Sequence[T], Generic[T]):
    """A read-only view of the first ``stop`` (from ``start``) records of an append-only list: O(1) to make.

    Records are booked once and never edited, so the view stays what it was when the frame was built.
    """

    __slots__ = ("_items", "_start", "_stop")

    def __init__(self, items: list[T], start: int = 0, stop: int | None = None) -> None:
        self._items = items
        self._start = start
        self._stop = len(items) if stop is None else stop

    def __len__(self) -> int:
        return self._stop - self._start

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._items[k] for k in range(self._start, self._stop)[i]]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._items[self._start + (i % n)]

    def __iter__(self) -> Iterator[T]:
        items = self._items
        for k in range(self._start, self._stop):
            yield items[k]

    def __repr__(self) -> str:
        return f"RecordLog({len(self)} records)"


@dataclass(frozen=True)
class History:
    """Every record so far (prefix views): what a table or a marker layer rebuilds from when it starts over."""

    fills: RecordLog[Fill]
    ledger: RecordLog[LedgerRow]
    liquidations: RecordLog[LiquidationRecord]
    funding: RecordLog[FundingRecord]


class Series:
    """One chart series (rows of float64, time in ms in column 0, appended in time order) as of the frame.

    ``between(t0, t1)`` returns the rows in that time window, in time order — a read-only view when they lie in
    one piece of the ring buffer, else a copy of just those rows — so a chart's cost follows the window it shows,
    not the length of the history. Valid for the frame it came with (the ring buffer moves on after it).
    """

    __slots__ = ("_buf", "columns", "count", "key")

    def __init__(self, buf: RingBuffer | None, columns: int) -> None:
        self._buf = buf
        self.key = id(buf)  # a new buffer (a new feed, a new account) is a new series
        self.count = buf.count if buf is not None else 0  # rows ever appended (a new row changes the count)
        self.columns = buf.data.shape[1] if buf is not None else columns

    def __len__(self) -> int:
        return 0 if self._buf is None else min(self.count, self._buf.capacity)

    def _parts(self) -> list[Rows]:
        buf = self._buf
        if buf is None or self.count == 0:
            return []
        cap, data = buf.capacity, buf.data
        if self.count <= cap:
            return [data[: self.count]]
        k = self.count % cap
        return [data[k:], data[:k]]

    @property
    def first_time(self) -> float | None:
        """Time (ms) of the oldest row still held, or None when empty."""
        parts = self._parts()
        return float(parts[0][0, 0]) if parts else None

    def last(self) -> Rows | None:
        """The newest row (read-only), or None."""
        parts = self._parts()
        if not parts:
            return None
        row: Rows = parts[-1][-1:].view()[0]
        row.flags.writeable = False
        return row

    def between(self, t0_ms: float, t1_ms: float) -> Rows:
        """Rows with ``t0 ≤ t ≤ t1`` in time order (read-only)."""
        out = []
        for p in self._parts():
            t = p[:, 0]
            a = int(np.searchsorted(t, t0_ms, "left"))
            b = int(np.searchsorted(t, t1_ms, "right"))
            if b > a:
                out.append(p[a:b])
        if not out:
            rows = np.empty((0, self.columns))
        elif len(out) == 1:
            rows = out[0].view()
        else:
            rows = np.concatenate(out)
        rows.flags.writeable = False
        return rows

    def rows(self) -> Rows:
        """Every row held, in time order (a copy when the buffer has wrapped) — for tests and exports."""
        return self.between(-np.inf, np.inf)


@dataclass(frozen=True)
class ChartSeries:
    """The three charts' series for the symbol on screen: price (t, last, mark, index), equity of its settlement
    currency (t, margin balance, wallet balance) and its liquidation price vs mark (t, liquidation, mark)."""

    price: Series
    equity: Series
    liquidation: Series


@dataclass(frozen=True)
class ClockState:
    now_ms: int
    speed: str  # pause | 1x | 10x | 100x | 1000x | max

    @property
    def running(self) -> bool:
        return self.speed != "pause"


@dataclass(frozen=True)
class SourceState:
    """Where the symbol's prices come from: the spec, when that source started (its time 0: a scenario's
    phases are counted from it), and whether a finite source (a scenario, a file) has played to its end."""

    spec: FeedSpec | None
    started_ms: int | None = None
    exhausted: bool = False


@dataclass(frozen=True)
class LeverageSetting:
    """The leverage and margin mode the exchange has for a symbol (what the order form's slider shows)."""

    leverage: float
    cross: bool


@dataclass(frozen=True)
class RejectionView:
    """A refused action: when, which action (order | cancel | amend | close | leverage | margin_mode | margin), why."""

    time_ms: int
    action: str
    reason: str


@dataclass(frozen=True)
class Frame:
    seq: int  # frames built by this builder, 1 first
    symbol: str  # on screen
    instrument: Instrument
    catalog: Catalog
    snapshot: Snapshot
    setting: LeverageSetting  # of ``symbol``
    clock: ClockState
    source: SourceState  # where ``symbol``'s prices come from
    charts: ChartSeries
    history: History
    fills: tuple[Fill, ...] = ()  # booked since the previous frame
    ledger: tuple[LedgerRow, ...] = ()
    liquidations: tuple[LiquidationRecord, ...] = ()
    funding: tuple[FundingRecord, ...] = ()
    rejections: tuple[RejectionView, ...] = ()
    changed: bool = False  # the account changed since the previous frame (an order, a fill, a setting, …)
    ticks: int = 0  # price ticks the engine consumed for this frame
    live: bool = False  # published by the running clock, not by a user action, step or rebind
    reset: bool = False  # another account (or the first frame): views drop what they show and start from history
    book: object | None = None  # extension point: top levels of ``symbol``'s order book (None: no book yet)
    tape: object | None = None  # extension point: recent prints of ``symbol``
    _orders_by_id: dict[int, OrderView] = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- read-outs
    @property
    def time_ms(self) -> int:
        return self.snapshot.time_ms

    @property
    def wallets(self) -> dict[str, WalletView]:
        return self.snapshot.wallets

    @property
    def positions(self) -> list[PositionView]:
        return self.snapshot.positions

    @property
    def orders(self) -> list[OrderView]:
        return self.snapshot.orders

    @property
    def market(self) -> MarketView | None:
        """Last, mark, index, the funding rate fixed for the next funding time, that time, and the predicted rate
        for the funding after it, of ``symbol`` (None before its first price)."""
        return self.snapshot.markets.get(self.symbol)

    @property
    def predicted_funding_rate(self) -> float | None:
        """The rate the funding window in progress predicts for ``symbol``, paid at the funding *after* the next one
        (the next one's rate is fixed: ``market.funding_rate``); None before its first price or for a dated future."""
        m = self.market
        return None if m is None or m.next_funding_ms is None else m.predicted_funding_rate

    @property
    def wallet(self) -> WalletView | None:
        """The account figures in ``symbol``'s settlement currency."""
        return self.snapshot.wallets.get(self.instrument.settle_currency)

    def position(self, symbol: str | None = None) -> PositionView | None:
        return self.snapshot.position(symbol or self.symbol)

    def order(self, order_id: int) -> OrderView | None:
        """The open order ``order_id``, or None when it is no longer open."""
        if not self._orders_by_id and self.snapshot.orders:
            self._orders_by_id.update((o.order_id, o) for o in self.snapshot.orders)
        return self._orders_by_id.get(order_id)


class FrameBuilder:
    """Builds the frames of one screen: remembers how far each record list was shown, to hand out only what is new."""

    def __init__(self) -> None:
        self.seq = 0
        self._lists: tuple[object, ...] = ()
        self._cursor: tuple[int, ...] = (0, 0, 0, 0, 0)

    def restart(self) -> None:
        """Make the next frame a ``reset`` one (views built after the first frame start from history)."""
        self._lists = ()

    def build(self, session: TradingSession, symbol: str, *, clock: ClockState, changed: bool = False,
              ticks: int = 0, live: bool = False) -> Frame:
        ex = session.exchange
        lists = (ex.fills, ex.ledger, ex.liquidations, ex.funding, ex.rejections)
        lengths = tuple(len(x) for x in lists)
        reset = any(a is not b for a, b in zip(lists, self._lists, strict=False)) or len(self._lists) != len(lists) \
            or any(n < c for n, c in zip(lengths, self._cursor, strict=True))
        # a view starting over takes everything from ``history``; events are what is new from here on
        start = lengths if reset else self._cursor
        self._lists, self._cursor = lists, lengths
        self.seq += 1
        inst = session.catalog[symbol]
        setting = ex.setting(symbol)
        snap = take_snapshot(ex)
        book, tape = market_views(ex, symbol)  # the order book's ladder and tape (terminal/market)
        return Frame(
            seq=self.seq, symbol=symbol, instrument=inst, catalog=session.catalog, snapshot=snap,
            setting=LeverageSetting(setting.leverage, setting.cross), clock=clock,
            source=_source(session, symbol),
            charts=ChartSeries(
                price=Series(session.prices.get(symbol), 4),
                equity=Series(session.history.equity.get(inst.settle_currency), 3),
                liquidation=Series(session.history.liquidation.get(symbol), 3),
            ),
            history=History(RecordLog(ex.fills), RecordLog(ex.ledger), RecordLog(ex.liquidations),
                             RecordLog(ex.funding)),
            fills=tuple(ex.fills[start[0]:]) if lengths[0] > start[0] else (),
            ledger=tuple(ex.ledger[start[1]:]) if lengths[1] > start[1] else (),
            liquidations=tuple(ex.liquidations[start[2]:]) if lengths[2] > start[2] else (),
            funding=tuple(ex.funding[start[3]:]) if lengths[3] > start[3] else (),
            rejections=tuple(_rejection(r) for r in ex.rejections[start[4]:]) if lengths[4] > start[4] else (),
            changed=changed or reset or lengths != start, ticks=ticks, live=live, reset=reset,
            book=book, tape=tape,
        )


def _source(session: TradingSession, symbol: str) -> SourceState:
    origin = session.feed_origin.get(symbol)
    feed = session.feeds.get(symbol)
    return SourceState(session.feed_specs.get(symbol), None if origin is None else int(origin[1]),
                       bool(getattr(feed, "exhausted", False)))


def _rejection(row: dict[str, object]) -> RejectionView:
    t = row.get("time", 0)
    return RejectionView(int(t) if isinstance(t, int | float) else 0, str(row.get("action", "")),
                         str(row.get("reason", "")))
