"""Replay of recorded prices: BitMEX public trade dumps (OHLCV bar files: :mod:`terminal.feeds.bars`).

Trades (``timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional``
and an optional trailing ``trdType``; ``.csv`` or ``.csv.gz``; timestamps ``2018-01-22D00:00:02.364320000``) are
parsed with vectorised numpy (no Python loop per row). Each trade is one tick: last = trade price; index = the
trailing 60-second mean of trade prices (dumps carry no index); funding from the premium of last over that index;
mark from index (MECHANICS §5, §6).

Any malformed row raises :class:`InputError` naming the file and the 1-based line (header = line 1); nothing is
kept from a file that fails.
"""
from __future__ import annotations

import gzip
import math
import os
import stat
import zlib
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument
from terminal.feeds.base import ArrayFeed, TickBatch
from terminal.feeds.mark import funding_rate_from_premium, mark_for, round_to_tick

TRADE_COLUMNS = ["timestamp", "symbol", "side", "size", "price", "tickDirection", "trdMatchID",
                 "grossValue", "homeNotional", "foreignNotional"]
INDEX_WINDOW_MS = 60_000
_TS_LEN = 29  # 2018-01-22D00:00:02.364320000
_TS_SEPS = {4: b"-", 7: b"-", 10: b"D", 13: b":", 16: b":", 19: b"."}
_TS_DIGITS = [i for i in range(_TS_LEN) if i not in _TS_SEPS]


class Trades(NamedTuple):
    t_ms: np.ndarray
    price: np.ndarray
    size: np.ndarray


MAX_FILE_BYTES = 2 << 30  # a price file on disk (a day of BitMEX trades is ~0.1-0.5 GB uncompressed)
MAX_TEXT_BYTES = 4 << 30  # its text once decompressed: a zip bomb stops here
EARLIEST_MS = 86_400_000  # 1970-01-02: replayed data must have real dates …
LATEST_MS = 4_102_444_800_000  # … before 2100-01-01


def _read_file(path: Path) -> bytes:
    """A regular file of at most MAX_FILE_BYTES (never a device such as /dev/zero, a FIFO or a folder)."""
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):  # opening a FIFO waits for a writer, forever: refuse it first
            raise InputError("not a regular file: a price file must be a CSV (or .csv.gz) file on disk", path=str(path))
        with open(path, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
                raise InputError(f"{what}: a price file must be a CSV (or .csv.gz) file on disk", path=str(path))
            raw = f.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise InputError("a folder: a price file must be a CSV (or .csv.gz) file on disk", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the price file: {exc.strerror or exc}", path=str(path)) from None
    except MemoryError:
        raise InputError("too large to read into memory", path=str(path)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"too large for a price file (over {MAX_FILE_BYTES >> 30} GiB)", path=str(path))
    return raw


def _gunzip(raw: bytes, path: Path) -> bytes:
    """Every gzip member of ``raw``, at most MAX_TEXT_BYTES of text; damage is one InputError."""
    out: list[bytes] = []
    size = 0
    try:
        while raw:
            d = zlib.decompressobj(wbits=31)
            chunk = d.decompress(raw, MAX_TEXT_BYTES + 1 - size)
            size += len(chunk)
            out.append(chunk)
            if size > MAX_TEXT_BYTES:
                raise InputError(f"decompresses to more than {MAX_TEXT_BYTES >> 30} GiB", path=str(path))
            if not d.eof:
                raise InputError("not a readable gzip file: it ends before its data does (truncated?)",
                                 path=str(path))
            raw = d.unused_data.lstrip(b"\x00")
    except zlib.error as exc:
        raise InputError(f"not a readable gzip file: the compressed data is damaged ({exc})", path=str(path)) from None
    except MemoryError:
        raise InputError("too large to decompress into memory", path=str(path)) from None
    return b"".join(out)


def read_bytes(path: Path) -> bytes:
    raw = _read_file(Path(path))
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, Path(path))
    if raw[:3] == b"\xef\xbb\xbf":  # a UTF-8 byte-order mark, as spreadsheets save CSV
        raw = raw[3:]
    if b"\r" in raw:
        raw = raw.replace(b"\r", b"")
    return raw


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised; H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: np.ndarray = era * 146097 + doe - 719468
    return days


_PAD = 64  # parse_trades pads the buffer so a window of up to this width never runs off its end


def _gather(buf: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Rows ``buf[s : s + width]`` for each ``s`` in ``starts`` (copied), via a sliding-window view."""
    rows: np.ndarray = np.lib.stride_tricks.sliding_window_view(buf, width)[starts]
    return rows


def _field_strings(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Fixed-width byte strings (dtype S<w>) of the fields ``buf[starts:ends]``."""
    lens = ends - starts
    width = max(1, int(lens.max()) if lens.size else 1)
    mat = _gather(buf, starts, width)
    mat[np.arange(width)[None, :] >= lens[:, None]] = 0
    return np.ascontiguousarray(mat).view(f"S{width}").ravel()


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _fast_decimal(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, integer: bool) -> np.ndarray | None:
    """Plain decimals (``123``, ``11000.5``) parsed by digit arithmetic, exactly as ``float()`` would; None when a
    field is not of that simple form (the caller then falls back to numpy's parser, which also reports errors)."""
    lens = ends - starts
    width = int(lens.max()) if lens.size else 1
    if width > 16 or (lens.size and int(lens.min()) == 0):
        return None
    mat = _gather(buf, starts, width)
    inside = np.arange(width)[None, :] < lens[:, None]
    digit = ((mat - np.uint8(48)) <= 9) & inside
    dot = (mat == 46) & inside
    if not (digit | dot | ~inside).all() or (integer and dot.any()) or (dot.sum(axis=1) > 1).any():
        return None
    right = np.cumsum(digit[:, ::-1], axis=1, dtype=np.int8)[:, ::-1] - digit  # digits to the right
    mant: np.ndarray = (np.where(digit, mat - np.uint8(48), 0).astype(np.int64) * _POW10[right]).sum(axis=1)
    if integer:
        return mant
    if (mant >= 2**53).any():
        return None
    frac = np.where(dot.any(axis=1), lens - 1 - dot.argmax(axis=1), 0)
    values: np.ndarray = mant / _POW10[frac].astype(np.float64)
    return values


def _first_bad(strings: np.ndarray, kind: type) -> int:
    for i, s in enumerate(strings):
        try:
            v = kind(s.decode("ascii", "replace"))
            if not (math.isfinite(v) and v > 0) or (kind is int and v >= 2**63):
                return i
        except ValueError:
            return i
    return 0


def parse_trades(data: bytes, path: str, symbol: str | None = None, instrument: Instrument | None = None) -> Trades:
    """Parse a BitMEX trade dump (decompressed bytes); keep the rows of ``symbol`` (all when None). With
    ``instrument``, prices must lie on [tick size, max price] and sizes within its maximum order size."""
    if not data.endswith(b"\n") or data.endswith(b"\n\n"):
        data = data.rstrip(b"\n") + b"\n"  # tolerate a missing final newline and trailing blank lines
    buf = np.frombuffer(data + bytes(_PAD), dtype=np.uint8)
    nl = np.flatnonzero(buf[: len(data)] == 10)
    if nl.size == 0:
        raise InputError("empty file: expected a header line", path=path, line=1)
    header = data[: nl[0]].decode("utf-8", "replace").strip().split(",")
    if header[:10] != TRADE_COLUMNS or len(header) not in (10, 11):
        raise InputError("not a BitMEX trade file: the header must be " + ",".join(TRADE_COLUMNS)
                         + "[,trdType]", path=path, line=1)
    ncomma = len(header) - 1
    starts = nl[:-1] + 1
    ends = nl[1:]
    n = starts.shape[0]
    commas = np.flatnonzero(buf[: len(data)] == 44)
    per_line = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    bad = np.flatnonzero(per_line != ncomma)
    if bad.size:
        i = int(bad[0])
        raise InputError(f"expected {ncomma + 1} comma-separated fields, found {int(per_line[i]) + 1}",
                         path=path, line=i + 2)
    c = commas[ncomma:].reshape(n, ncomma)

    def fail(rows: np.ndarray, what: str) -> None:
        if rows.size:
            raise InputError(what, path=path, line=int(rows[0]) + 2)

    fail(np.flatnonzero(c[:, 0] - starts != _TS_LEN), "timestamp must look like 2018-01-22D00:00:02.364320000")
    ts = _gather(buf, starts, _TS_LEN)
    ok = (ts[:, list(_TS_SEPS)] == np.frombuffer(b"".join(_TS_SEPS.values()), dtype=np.uint8)).all(axis=1)
    dig = ts[:, _TS_DIGITS[:17]] - np.uint8(48)  # wraps below '0', so one test checks 0..9
    ok &= (dig <= 9).all(axis=1) & (ts[:, _TS_DIGITS[17:]] - np.uint8(48) <= 9).all(axis=1)
    fail(np.flatnonzero(~ok), "timestamp must look like 2018-01-22D00:00:02.364320000")
    dig = dig.astype(np.int32)
    y = dig[:, 0] * 1000 + dig[:, 1] * 100 + dig[:, 2] * 10 + dig[:, 3]
    mo, d = dig[:, 4] * 10 + dig[:, 5], dig[:, 6] * 10 + dig[:, 7]
    hh, mi, ss = dig[:, 8] * 10 + dig[:, 9], dig[:, 10] * 10 + dig[:, 11], dig[:, 12] * 10 + dig[:, 13]
    ms = dig[:, 14] * 100 + dig[:, 15] * 10 + dig[:, 16]
    ok = (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31) & (hh < 24) & (mi < 60) & (ss < 61)
    fail(np.flatnonzero(~ok), "timestamp out of range")
    fail(np.flatnonzero((y < 1970) | (y > 2099)), "timestamp out of range: the year must be 1970 to 2099")
    t_ms = days_from_civil(y, mo, d).astype(np.int64) * 86_400_000 + (
        hh * 3_600_000 + mi * 60_000 + ss * 1000 + ms).astype(np.int64)

    if symbol is not None:
        sym = np.frombuffer(symbol.encode(), dtype=np.uint8)
        keep = (c[:, 1] - c[:, 0] - 1) == sym.size
        keep &= (_gather(buf, c[:, 0] + 1, sym.size) == sym[None, :]).all(axis=1)
        rows = np.flatnonzero(keep)
    else:
        rows = np.arange(n)
    fields = {}
    for col, kind in ((4, float), (3, int)):
        s_, e_ = c[rows, col - 1] + 1, c[rows, col]
        fail(rows[e_ - s_ > _PAD // 2], f"{TRADE_COLUMNS[col]} is too long")
        fail(rows[e_ == s_], f"{TRADE_COLUMNS[col]} is empty")
        vals = _fast_decimal(buf, s_, e_, integer=kind is int)
        strings = _field_strings(buf, s_, e_) if vals is None else None
        if strings is not None:
            try:
                vals = strings.astype(np.float64 if kind is float else np.int64)
            except (ValueError, OverflowError):
                vals = None
        if vals is not None and kind is int and (vals <= 0).any():
            i = int(np.flatnonzero(vals <= 0)[0])
            raise InputError(f"size must be a positive whole number, got {int(vals[i])}", path=path,
                             line=int(rows[i]) + 2)
        if vals is None or (kind is float and not (np.isfinite(vals).all() and (vals > 0).all())):
            strings = _field_strings(buf, s_, e_)
            i = _first_bad(strings, kind)
            word = "a positive number" if kind is float else "a whole number"
            raise InputError(f"{TRADE_COLUMNS[col]} must be {word}, got {strings[i].decode(errors='replace')!r}",
                             path=path, line=int(rows[i]) + 2)
        fields[col] = vals
    t_sel = t_ms[rows]
    back = np.flatnonzero(np.diff(t_sel) < 0)
    fail(rows[back + 1], "timestamps go backwards: trade files must be in time order")
    if instrument is not None:
        lo, hi = instrument.tick_size, instrument.max_price
        fail(rows[(fields[4] < lo) | (fields[4] > hi)],
             f"price is outside what {instrument.symbol} trades at ({lo:g} to {hi:g})")
        fail(rows[fields[3] > instrument.max_order_qty],
             f"size is above {instrument.symbol}'s maximum order size ({instrument.max_order_qty:,} contracts)")
    return Trades(t_sel, fields[4], fields[3])


def trailing_mean(t_ms: np.ndarray, x: np.ndarray, window_ms: int = INDEX_WINDOW_MS) -> np.ndarray:
    """Mean of ``x`` over the ticks in ``(t − window, t]`` for each tick (vectorised)."""
    cs = np.concatenate(([0.0], np.cumsum(x, dtype=np.float64)))
    j = np.searchsorted(t_ms, t_ms - window_ms, side="right")
    i = np.searchsorted(t_ms, t_ms, side="right")
    mean: np.ndarray = (cs[i] - cs[j]) / (i - j)
    return mean


def ticks_from_trades(trades: Trades, instrument: Instrument, start_ms: int) -> TickBatch:
    last = round_to_tick(trades.price, instrument)
    index = trailing_mean(trades.t_ms, last)
    funding, _ = funding_rate_from_premium(trades.t_ms, last / index - 1.0, instrument)
    mark = mark_for(instrument, index, funding, trades.t_ms, start_ms=start_ms)
    return TickBatch(trades.t_ms, last, index, mark, funding)


class TradesFeed(ArrayFeed):
    """Tick-by-tick replay of a BitMEX trade dump (finite). Times are the file's unless ``rebase_to_ms`` is given."""

    kind = "trades"

    def __init__(self, instrument: Instrument, path: Path, *, source_symbol: str | None = None,
                 rebase_to_ms: int | None = None) -> None:
        self.path = Path(path)
        self.source_symbol = source_symbol or instrument.symbol
        trades = parse_trades(read_bytes(self.path), str(self.path), self.source_symbol, instrument)
        if trades.t_ms.size == 0:
            raise InputError(f"no trades for {self.source_symbol} in this file", path=str(self.path))
        t = trades.t_ms
        if rebase_to_ms is not None:
            t = t - t[0] + int(rebase_to_ms)
        trades = Trades(t, trades.price, trades.size)
        self.trades = trades  # the recorded trades, for the order book's tape (terminal/market)
        super().__init__(instrument, ticks_from_trades(trades, instrument, int(t[0])), start_ms=int(t[0]))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "path": str(self.path), "source_symbol": self.source_symbol}


# ---- bars ----------------------------------------------------------------------------------------
def format_trade_timestamps(t_ms: np.ndarray) -> np.ndarray:
    """BitMEX dump timestamps (``2018-01-22D00:00:02.364000000``) for epoch-ms times."""
    iso = np.datetime_as_string(np.asarray(t_ms, dtype="datetime64[ms]").astype("datetime64[ns]"), unit="ns")
    return np.char.replace(iso, "T", "D")


def write_trade_dump(path: Path, t_ms: np.ndarray, price: np.ndarray, size: np.ndarray, *,
                     symbol: str = "XBTUSD", trd_type: bool = False) -> None:
    """Write trades in the BitMEX dump layout (``.gz`` suffix → gzip). For tests, demos and the benchmark."""
    ts = format_trade_timestamps(t_ms)
    side = np.where(np.arange(len(t_ms)) % 3 == 0, "Sell", "Buy")
    price_s = np.char.mod("%.1f", np.asarray(price, dtype=np.float64))
    size_s = np.asarray(size, dtype=np.int64).astype(str)
    gross = (np.asarray(size, dtype=np.int64) * 1e8 / np.asarray(price)).astype(np.int64).astype(str)
    cols = [ts, np.full(len(ts), symbol), side, size_s, price_s, np.full(len(ts), "PlusTick"),
            np.full(len(ts), "00000000-0000-0000-0000-000000000000"), gross, np.full(len(ts), "0.1"),
            size_s]
    header = ",".join(TRADE_COLUMNS)
    if trd_type:
        cols.append(np.full(len(ts), "Regular"))
        header += ",trdType"
    body = [",".join(row) for row in zip(*(c.tolist() for c in cols))]
    text = (header + "\n" + "\n".join(body) + "\n").encode()
    path = Path(path)
    path.write_bytes(gzip.compress(text, compresslevel=1) if path.suffix == ".gz" else text)
