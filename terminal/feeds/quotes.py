"""Replay of a BitMEX quote dump: ``timestamp,symbol,bidSize,bidPrice,askPrice,askSize`` (``.csv`` or ``.csv.gz``).

Each quote is one tick: last = the mid rounded to the tick (quotes carry no trades), index = its trailing 60-second
mean, funding from the premium, mark from the index (as for trade dumps, :mod:`terminal.feeds.replay`). The recorded
best bid / ask and their sizes are kept beside the ticks: the order book (terminal/market) stands on them and the
liquidity profile supplies the depth behind them. Recorded history cannot be moved by the trader's orders.

A malformed row raises :class:`InputError` naming the file and its 1-based line (header = line 1).
"""
from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument
from terminal.feeds.base import ArrayFeed
from terminal.feeds.replay import (
    _PAD,
    _TS_DIGITS,
    _TS_LEN,
    _TS_SEPS,
    EARLIEST_MS,
    LATEST_MS,
    Trades,
    _fast_decimal,
    _field_strings,
    _gather,
    days_from_civil,
    read_bytes,
    ticks_from_trades,
)

QUOTE_COLUMNS = ["timestamp", "symbol", "bidSize", "bidPrice", "askPrice", "askSize"]


class Quotes(NamedTuple):
    t_ms: np.ndarray  # int64
    bid: np.ndarray  # float64
    ask: np.ndarray
    bid_size: np.ndarray  # int64 contracts
    ask_size: np.ndarray


def _time_ms(text: str) -> int:
    """``2018-12-05D00:00:05.045590000`` (BitMEX) or ISO-8601 → epoch ms UTC."""
    s = text.strip()
    if len(s) >= 20 and s[10] == "D":
        day, clock = s[:10], s[11:]
        whole, _, frac = clock.partition(".")
        if not (frac.isascii() and frac.isdigit()):
            raise ValueError(text)
        dt = datetime.strptime(f"{day} {whole}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return int(dt.timestamp() * 1000) + int((frac + "000")[:3])
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def parse_quotes(data: bytes, path: str, symbol: str | None = None, instrument: Instrument | None = None) -> Quotes:
    """Rows of ``symbol`` (all when None); both sides quoted (a row with an empty side is skipped, as BitMEX
    writes one when a side of the book is empty). Times must fall in 1970-01-02 … 2099; with ``instrument``,
    prices must lie on [tick size, max price] and sizes within its maximum order size."""
    lo_px, hi_px = (instrument.tick_size, instrument.max_price) if instrument is not None else (0.0, math.inf)
    max_size = instrument.max_order_qty if instrument is not None else 2**53
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    if [h.strip() for h in next(csv.reader([first]), [])] != QUOTE_COLUMNS:
        raise InputError("not a BitMEX quote file: the header must be " + ",".join(QUOTE_COLUMNS), path=path, line=1)
    fast = _fast_quotes(data, symbol, lo_px, hi_px, max_size)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(data.decode("utf-8", "replace")))  # row by row: names the line that is wrong
    next(reader, None)
    t: list[int] = []
    bid: list[float] = []
    ask: list[float] = []
    bs: list[int] = []
    as_: list[int] = []
    for n, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != 6:
            raise InputError(f"expected 6 comma-separated fields, found {len(row)}", path=path, line=n)
        if symbol is not None and row[1] != symbol:
            continue
        if not (row[2] and row[3] and row[4] and row[5]):
            continue
        try:
            tm = _time_ms(row[0])
        except ValueError:
            raise InputError("timestamp must look like 2018-12-05D00:00:05.045590000", path=path, line=n) from None
        try:
            b, a, zb, za = float(row[3]), float(row[4]), int(row[2]), int(row[5])
        except ValueError:
            raise InputError("bidSize / askSize must be whole numbers and bidPrice / askPrice numbers",
                             path=path, line=n) from None
        if not (0 < b < a) or zb < 0 or za < 0:
            raise InputError(f"a quote needs 0 < bid < ask and sizes ≥ 0 (bid {b}, ask {a})", path=path, line=n)
        if not (lo_px <= b and a <= hi_px):
            what = instrument.symbol if instrument is not None else "the symbol"
            raise InputError(f"price is outside what {what} trades at ({lo_px:g} to {hi_px:g}): bid {b:g}, ask {a:g}",
                             path=path, line=n)
        if zb > max_size or za > max_size:
            raise InputError(f"a size is above the maximum order size ({max_size:,} contracts)", path=path, line=n)
        if not EARLIEST_MS <= tm < LATEST_MS:
            raise InputError("timestamp out of range: the year must be 1970 to 2099", path=path, line=n)
        if t and tm < t[-1]:
            raise InputError("quotes must be in time order", path=path, line=n)
        t.append(tm)
        bid.append(b)
        ask.append(a)
        bs.append(zb)
        as_.append(za)
    return Quotes(np.array(t, np.int64), np.array(bid), np.array(ask), np.array(bs, np.int64), np.array(as_, np.int64))


def _fast_quotes(data: bytes, symbol: str | None, lo_px: float, hi_px: float, max_size: int) -> Quotes | None:
    """A well-formed BitMEX dump read column-wise with numpy (a million quotes in about a second, where the row
    loop took nine on the GUI thread); None when any row is not of that plain form or breaks a rule, and the row
    loop then names the line."""
    if not data.endswith(b"\n"):
        data += b"\n"
    size = len(data)
    buf = np.frombuffer(data + bytes(_PAD), dtype=np.uint8)
    nl = np.flatnonzero(buf[:size] == 10)
    starts, ends = nl[:-1] + 1, nl[1:]
    starts, ends = starts[ends > starts], ends[ends > starts]  # blank lines are skipped
    commas = np.flatnonzero(buf[:size] == 44)
    first = np.searchsorted(commas, starts)
    if starts.size == 0 or (np.searchsorted(commas, ends) - first != 5).any():
        return None
    c = commas[first[:, None] + np.arange(5)]
    if symbol is not None:
        sym = np.frombuffer(symbol.encode(), dtype=np.uint8)
        keep = (c[:, 1] - c[:, 0] - 1) == sym.size
        keep &= (_gather(buf, c[:, 0] + 1, sym.size) == sym[None, :]).all(axis=1)
        starts, ends, c = starts[keep], ends[keep], c[keep]
    bounds = [(c[:, k] + 1, c[:, k + 1] if k < 4 else ends) for k in range(1, 5)]  # bidSize … askSize
    quoted = np.logical_and.reduce([e > s for s, e in bounds])  # a row with an empty side is skipped
    starts, c, bounds = starts[quoted], c[quoted], [(s[quoted], e[quoted]) for s, e in bounds]
    if starts.size == 0 or (c[:, 0] - starts != _TS_LEN).any() or any((e - s > 24).any() for s, e in bounds):
        return None
    ts = _gather(buf, starts, _TS_LEN)
    seps = np.frombuffer(b"".join(_TS_SEPS.values()), dtype=np.uint8)
    dig = ts[:, _TS_DIGITS] - np.uint8(48)
    if not ((ts[:, list(_TS_SEPS)] == seps).all() and (dig <= 9).all()):
        return None
    d10 = dig.astype(np.int64)
    y = d10[:, 0] * 1000 + d10[:, 1] * 100 + d10[:, 2] * 10 + d10[:, 3]
    mo, d = d10[:, 4] * 10 + d10[:, 5], d10[:, 6] * 10 + d10[:, 7]
    hh, mi, ss = d10[:, 8] * 10 + d10[:, 9], d10[:, 10] * 10 + d10[:, 11], d10[:, 12] * 10 + d10[:, 13]
    if not (((mo >= 1) & (mo <= 12) & (d >= 1) & (hh < 24) & (mi < 60) & (ss < 62)).all()):
        return None
    late = np.flatnonzero(d > 28)  # the 29th to the 31st: is the month that long?
    if late.size and (days_from_civil(y[late] + (mo[late] == 12), mo[late] % 12 + 1, np.ones_like(late))
                      - days_from_civil(y[late], mo[late], np.ones_like(late)) < d[late]).any():
        return None
    t = days_from_civil(y, mo, d) * 86_400_000 + hh * 3_600_000 + mi * 60_000 + ss * 1000 + (
        d10[:, 14] * 100 + d10[:, 15] * 10 + d10[:, 16])
    cols = []
    for k, (s, e) in enumerate(bounds):
        whole = k in (0, 3)
        vals = _fast_decimal(buf, s, e, integer=whole)  # plain digits: parsed as float() / int() would
        if vals is None:
            try:
                vals = _field_strings(buf, s, e).astype(np.int64 if whole else np.float64)
            except (ValueError, OverflowError):
                return None
        cols.append(vals)
    zb, b, a, za = cols
    ok = (b > 0) & (b < a) & (zb >= 0) & (za >= 0) & (lo_px <= b) & (a <= hi_px) & (zb <= max_size) & (za <= max_size)
    if not (ok.all() and (t >= EARLIEST_MS).all() and (t < LATEST_MS).all() and (np.diff(t) >= 0).all()):
        return None
    return Quotes(t.astype(np.int64), b, a, zb, za)


class QuotesFeed(ArrayFeed):
    """Quote-by-quote replay of a BitMEX quote dump (finite); ``quotes`` holds the recorded touch per tick."""

    kind = "quotes"

    def __init__(self, instrument: Instrument, path: Path, *, source_symbol: str | None = None,
                 rebase_to_ms: int | None = None) -> None:
        self.path = Path(path)
        self.source_symbol = source_symbol or instrument.symbol
        q = parse_quotes(read_bytes(self.path), str(self.path), self.source_symbol, instrument)
        if q.t_ms.size == 0:
            raise InputError(f"no quotes for {self.source_symbol} in this file", path=str(self.path))
        t = q.t_ms if rebase_to_ms is None else q.t_ms - q.t_ms[0] + int(rebase_to_ms)
        self.quotes = Quotes(t, q.bid, q.ask, q.bid_size, q.ask_size)
        mid = (q.bid + q.ask) / 2.0
        ticks = ticks_from_trades(Trades(t, mid, np.minimum(q.bid_size, q.ask_size)), instrument, int(t[0]))
        super().__init__(instrument, ticks, start_ms=int(t[0]))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "path": str(self.path), "source_symbol": self.source_symbol}
