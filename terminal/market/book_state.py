"""A market's state at a moment, kept beside a session checkpoint so a rewind replays the same fills.

The books are deterministic from the seed, but *where they stand* is not only a function of the time: depth taken
by orders is still refilling, resting orders hold places in their queues, the premium bucket and the last print
carry over, and a scenario's crowd has lost its first members. A :class:`MarketSnapshot` keeps those few numbers
per book (O(books + resting orders), never the tape), the market's settings (fill model, crowds, stress, recorded
history) and the book objects themselves — so a rewind restores the market the trader had, not a fresh
``realistic`` one — and, on restore, cuts the tape and candles back to the moment.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from terminal.market.queue_position import QueueSpot

if TYPE_CHECKING:
    from terminal.market.book import SymbolBook
    from terminal.market.tape import Candles, Tape
    from terminal.market.venue import MarketSim


@dataclass(frozen=True)
class BookState:
    state: Any  # HoleEvent
    prev_t: int | None
    prev_centre: int | None
    last_price: float
    bucket: tuple[int, int, int]
    prev_bucket_mean: float
    now: tuple[int, int, int, float]
    now_touch: tuple[float, float]
    stress_floor: float
    queue: tuple[tuple[int, int, float], ...]  # (order id, price ticks, ahead)
    crowd_next: tuple[int, int] | None
    stress: Any  # the scenario's stressed stretches the book had (a later source switch changes them in place)
    tape: tuple[int, int]  # (prints ever appended, volume ever printed)
    candles: dict[str, tuple[int, list[float] | None]]  # per timeframe: (bars ever opened, the open bar's row)


@dataclass(frozen=True)
class MarketSnapshot:
    market: MarketSim
    fill_model: str
    crowds: dict[str, Any]
    stress: dict[str, Any]
    recorded: frozenset[str]
    recorded_quotes: dict[str, Any]
    recorded_trades: dict[str, Any]
    books: dict[str, tuple[SymbolBook, BookState]]


def book_state(b: SymbolBook) -> BookState:
    bars: dict[str, tuple[int, list[float] | None]] = {}
    for tf, series in b.candles.series.items():
        series._flush()
        row = series._data[(series.count - 1) % series.capacity].tolist() if series.count else None
        bars[tf] = (series.count, row)
    return BookState(replace(b.state), b.prev_t, b.prev_centre, b.last_price, b.bucket, b.prev_bucket_mean, b.now,
                     b.now_touch, b.stress_floor,
                     tuple((k, s.price_ticks, s.ahead) for k, s in b.queue.items()),
                     (b.crowd.next_long, b.crowd.next_short) if b.crowd is not None else None,
                     b.stress, (b.tape.count, b.tape.volume), bars)


def restore_book(b: SymbolBook, st: BookState) -> None:
    b.state = replace(st.state)
    b.prev_t, b.prev_centre, b.last_price = st.prev_t, st.prev_centre, st.last_price
    b.bucket, b.prev_bucket_mean, b.now, b.now_touch = st.bucket, st.prev_bucket_mean, st.now, st.now_touch
    b.stress_floor = st.stress_floor
    b.queue = {k: QueueSpot(p, ahead) for k, p, ahead in st.queue}
    if b.crowd is not None and st.crowd_next is not None:
        b.crowd.next_long, b.crowd.next_short = st.crowd_next
    b.stress = st.stress
    b.b = None
    cut_tape(b.tape, *st.tape)
    cut_candles(b.candles, st.candles)


def snapshot(m: MarketSim) -> MarketSnapshot:
    return MarketSnapshot(m, m.fill_model, dict(m.crowds), dict(m.stress), frozenset(m.recorded),
                          dict(m.recorded_quotes), dict(m.recorded_trades),
                          {s: (b, book_state(b)) for s, b in m.books.items()})


def restore(snap: MarketSnapshot, *, own_copy: bool = False) -> MarketSim:
    """The market as it stood at ``snap``: the same object, put back, or with ``own_copy`` an
    independent copy (a what-if plays a second future beside the live one)."""
    if own_copy:
        keep: dict[int, Any] = {id(snap.market.catalog): snap.market.catalog}
        for b, _ in snap.books.values():
            keep[id(b.inst)] = b.inst
            keep[id(b.profile)] = b.profile
        snap = copy.deepcopy(snap, keep)
    m = snap.market
    m.set_fill_model(snap.fill_model)  # type: ignore[arg-type]
    m.crowds, m.stress = dict(snap.crowds), dict(snap.stress)
    m.recorded = set(snap.recorded)
    m.recorded_quotes, m.recorded_trades = dict(snap.recorded_quotes), dict(snap.recorded_trades)
    m.books = {}
    for s, (b, st) in snap.books.items():
        restore_book(b, st)
        m.books[s] = b
    return m


def cut_tape(tape: Tape, count: int, volume: int) -> None:
    """Back to the tape as it was after ``count`` prints (the later ones were undone). Slots an undone print wrote
    over no longer hold the print the ring expects there, and the tape stops showing them (:class:`Tape`)."""
    tape.count, tape.volume = count, volume


def cut_candles(candles: Candles, saved: dict[str, tuple[int, list[float] | None]]) -> None:
    """Back to the bars as they were: each series' count, and its open bar exactly as it stood (the later prints
    folded into it are undone; bars an undone one wrote over are not shown, never shown out of order)."""
    for tf, series in candles.series.items():
        if tf not in saved:
            continue
        count, row = saved[tf]
        series._flush()
        series._open = None
        series._open_at = -1
        if count > series.count > 0:  # forward, to a moment played before: the bar that was open here holds
            at = (series.count - 1) % series.capacity  # only part of its prints; hidden (closed bars are the same
            if series._idx[at] == series.count - 1:  # on every replay, and later ones are the first play's)
                series._idx[at] = -1
        series.count = count
        if row is not None and count:
            at = (count - 1) % series.capacity
            series._data[at] = row
            series._idx[at] = count - 1
