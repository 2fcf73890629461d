"""Feeds: determinism across chunkings and seek, funding instants, mark, trade and bar replay."""
from __future__ import annotations

import gzip
from datetime import UTC, datetime

import numpy as np
import pytest

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.domain.instruments import default_catalog
from terminal.feeds import UNBOUNDED_MS, BarsFeed, Feed, SyntheticFeed, TickBatch, TradesFeed, funding_times, make_feed
from terminal.feeds.mark import fair_mark, next_funding_ms
from terminal.feeds.replay import days_from_civil, parse_trades, write_trade_dump
from terminal.feeds.spec import FeedSpec

START = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)
H = 3_600_000


@pytest.fixture(scope="module")
def cat():
    return default_catalog()


def _read_all(feed, sizes, until=UNBOUNDED_MS, total=None):
    parts, i = [], 0
    while total is None or sum(len(p) for p in parts) < total:
        want = sizes[i % len(sizes)]
        if total is not None:
            want = min(want, total - sum(len(p) for p in parts))
        b = feed.read(until, want)
        if len(b) == 0:
            break
        parts.append(b)
        i += 1
    return TickBatch.concat(parts)


def _same(a: TickBatch, b: TickBatch) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


# ---- synthetic ----------------------------------------------------------------------------------
def test_synthetic_chunking_and_seek_are_byte_identical(cat):
    inst = cat["XBTUSD"]
    n = 100_000
    whole = SyntheticFeed(inst, seed=7, start_ms=START).read(UNBOUNDED_MS, n)
    assert len(whole) == n
    chunked = _read_all(SyntheticFeed(inst, seed=7, start_ms=START), [1, 999, 8191, 8193, 17, 30_000], total=n)
    _same(whole, chunked)
    f = SyntheticFeed(inst, seed=7, start_ms=START)
    f.seek(54_321)
    _same(f.read(UNBOUNDED_MS, 20_000), whole.slice(54_321, 74_321))
    f.seek(10)  # backwards too
    _same(f.read(UNBOUNDED_MS, 5), whole.slice(10, 15))
    assert f.position == 15
    other = SyntheticFeed(inst, seed=8, start_ms=START).read(UNBOUNDED_MS, 1000)
    assert not np.array_equal(other.last, whole.last[:1000])


def test_synthetic_read_respects_until_and_max(cat):
    f = SyntheticFeed(cat["XBTUSD"], seed=1, start_ms=START, tick_interval_ms=100)
    b = f.read(START + 1000, 10_000)
    assert len(b) == 10 and b.t_ms[-1] < START + 1000 and f.position == 10
    assert len(f.read(START + 1000, 10)) == 0
    assert len(f.read(UNBOUNDED_MS, 3)) == 3
    assert not f.exhausted


def test_synthetic_path_is_sane(cat):
    inst = cat["XBTUSD"]
    b = SyntheticFeed(inst, seed=3, start_ms=START).read(UNBOUNDED_MS, 6 * 36_000)  # 6 h
    assert b.t_ms.dtype == np.int64 and np.all(np.diff(b.t_ms) >= 0)
    assert np.all(b.last > 0) and np.all(b.index > 0)
    assert np.allclose(b.last / inst.tick_size, np.round(b.last / inst.tick_size))
    move = b.index.max() / b.index.min() - 1
    assert 0.002 < move < 0.25
    assert np.all(np.abs(b.funding_rate) <= inst.funding_cap + 1e-15)
    assert len(np.unique(np.round(b.funding_rate, 10))) > 10  # not a constant
    assert np.allclose(b.mark, fair_mark(b.index, b.funding_rate, b.t_ms, 8))


def test_synthetic_dated_future_has_no_funding_and_decaying_basis(cat):
    inst = cat["ETHUSDZ26"]
    b = SyntheticFeed(inst, seed=1, start_ms=START).read(UNBOUNDED_MS, 20_000)
    assert np.all(b.funding_rate == 0)
    basis = b.mark / b.index - 1
    assert np.all(basis > 0) and basis[-1] < basis[0]


# ---- funding instants and mark -----------------------------------------------------------------------
def test_funding_instants_at_04_12_20_utc():
    t = funding_times(START, START + 48 * H)
    hours = [datetime.fromtimestamp(x / 1000, UTC).hour for x in t]
    assert hours == [4, 12, 20, 4, 12, 20]
    assert funding_times(START + 4 * H, START + 4 * H + 1)[0] == START + 4 * H  # [start, end)
    assert len(funding_times(START + 4 * H + 1, START + 12 * H)) == 0
    assert next_funding_ms(START + 4 * H) == START + 4 * H
    assert next_funding_ms(START + 4 * H + 1) == START + 12 * H


def test_mark_matches_captured_xbtusd_record():
    funding_at = START + 12 * H
    t = funding_at - (4 * 3600 + 26 * 60 + 41) * 1000
    mark = fair_mark(np.array([97_843.77]), np.array([0.00011]), np.array([t]), 8)
    assert mark[0] == pytest.approx(97_849.76, abs=0.015)  # F is shown rounded to 0.011 %


def test_wick_in_last_does_not_move_mark(cat):
    inst = cat["XBTUSD"]
    b = SyntheticFeed(inst, seed=5, start_ms=START).read(UNBOUNDED_MS, 1000)
    assert np.all(np.abs(b.mark / b.index - 1) <= inst.funding_cap)  # mark hugs index, whatever last does
    wick = b.last.copy()
    wick[500] *= 0.8  # a wick in last changes nothing the mark is made of
    assert np.array_equal(fair_mark(b.index, b.funding_rate, b.t_ms), b.mark)


# ---- trade replay -------------------------------------------------------------------------------------
def _trades(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    t = START + np.cumsum(rng.integers(0, 400, n))
    p = np.round((50_000 + np.cumsum(rng.standard_normal(n)) * 5) * 2) / 2
    return t, p, rng.integers(1, 5000, n)


@pytest.mark.parametrize("name,trd_type", [("trades.csv", False), ("trades.csv.gz", True)])
def test_trade_dump_replay_plain_and_gz(tmp_path, cat, name, trd_type):
    t, p, s = _trades()
    path = tmp_path / name
    write_trade_dump(path, t, p, s, trd_type=trd_type)
    feed = TradesFeed(cat["XBTUSD"], path)
    b = feed.read(UNBOUNDED_MS, 10**9)
    assert np.array_equal(b.t_ms, t) and np.array_equal(b.last, p)
    assert feed.exhausted and feed.start_ms == t[0]
    assert np.all(np.abs(b.index - b.last) < 0.02 * b.last)
    feed.seek(100)
    _same(feed.read(UNBOUNDED_MS, 50), b.slice(100, 150))


def test_trade_timestamps_and_symbol_filter(tmp_path, cat):
    text = (
        "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n"
        "2018-01-22D00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009,100\n"
        "2018-01-22D00:00:03.000000000,ETHUSD,Sell,5,1000.05,MinusTick,b,1,1,1\n"
        "2020-10-03D23:59:59.999999999,XBTUSD,Sell,2,10600,ZeroMinusTick,c,1,1,2\n"
    )
    path = tmp_path / "mixed.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    tr = parse_trades(gzip.decompress(path.read_bytes()), str(path), "XBTUSD")
    expect = [int(datetime(2018, 1, 22, 0, 0, 2, 364000, tzinfo=UTC).timestamp() * 1000),
              int(datetime(2020, 10, 3, 23, 59, 59, 999000, tzinfo=UTC).timestamp() * 1000)]
    assert tr.t_ms.tolist() == expect and tr.price.tolist() == [11000.5, 10600.0] and tr.size.tolist() == [100, 2]
    eth = TradesFeed(cat["ETHUSD"], path)
    assert eth.read(UNBOUNDED_MS, 10).last.tolist() == [1000.05]
    y, m, d = np.array([1970, 2000, 2024]), np.array([1, 2, 3]), np.array([1, 29, 1])
    assert days_from_civil(y, m, d).tolist() == [0, 11016, 19783]


HEADER = "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n"
GOOD = "2018-01-22D00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009,100\n"


@pytest.mark.parametrize("bad,what", [
    ("2018-01-22D00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009\n", "fields"),
    ("2018-01-22 00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009,100\n", "timestamp"),
    ("2018-13-22D00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009,100\n", "range"),
    ("2018-01-22D00:00:02.364320000,XBTUSD,Buy,100,eleven,PlusTick,a,909050,0.009,100\n", "price"),
    ("2018-01-22D00:00:02.364320000,XBTUSD,Buy,100,-5,PlusTick,a,909050,0.009,100\n", "price"),
    ("2018-01-22D00:00:02.364320000,XBTUSD,Buy,1.5x,100,PlusTick,a,909050,0.009,100\n", "size"),
    ("2018-01-21D00:00:02.364320000,XBTUSD,Buy,100,11000.5,PlusTick,a,909050,0.009,100\n", "backwards"),
])
def test_malformed_trade_row_names_file_and_line(tmp_path, cat, bad, what):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD * 3 + bad + GOOD)
    with pytest.raises(InputError) as err:
        TradesFeed(cat["XBTUSD"], path)
    assert err.value.line == 5 and err.value.path == str(path), (what, str(err.value))
    with pytest.raises(InputError) as err:
        make_feed(FeedSpec(kind="trades", path=str(path)), cat["XBTUSD"], seed=0, start_ms=START)
    assert err.value.line == 5


def test_trade_file_with_wrong_header(tmp_path, cat):
    path = tmp_path / "x.csv"
    path.write_text("time,price\n1,2\n")
    with pytest.raises(InputError) as err:
        TradesFeed(cat["XBTUSD"], path)
    assert err.value.line == 1


# ---- bars ---------------------------------------------------------------------------------------------
BARS = """timestamp,open,high,low,close,volume
2024-03-01T00:00:00Z,100.0,110.0,95.0,105.0,1
2024-03-01T00:01:00Z,105.0,106.0,90.0,92.5,1
1709251320,92.5,93.0,92.0,93.0,0
"""


def test_bars_expand_within_range_and_hit_ohlc(tmp_path, cat):
    path = tmp_path / "bars.csv"
    path.write_text(BARS)
    feed = BarsFeed(cat["XBTUSD"], path, seed=1, tick_interval_ms=500)
    b = feed.read(UNBOUNDED_MS, 10**6)
    assert feed.exhausted and len(b) == 360 and b.t_ms[0] == START
    bars = [(100.0, 110.0, 95.0, 105.0), (105.0, 106.0, 90.0, 92.5), (92.5, 93.0, 92.0, 93.0)]
    for k, (o, h, lo, c) in enumerate(bars):
        seg = b.last[k * 120:(k + 1) * 120]
        assert seg.min() == lo and seg.max() == h and seg[0] == o and seg[-1] == c
    again = BarsFeed(cat["XBTUSD"], path, seed=1, tick_interval_ms=500)
    _same(_read_all(again, [7, 100, 3]), b)


def test_shipped_sample_bars_load(cat):
    path = RESOURCES_DIR / "data" / "btcusd-30m-2017-12.csv"
    feed = make_feed(FeedSpec(kind="bars", path=str(path), tick_interval_ms=60_000), cat["XBTUSD"], seed=0,
                     start_ms=START)
    b = feed.read(UNBOUNDED_MS, 10**6)
    assert len(b) == 1344 * 30 and feed.exhausted
    assert b.last.min() > 9000 and b.last.max() < 20_000
    assert feed.describe()["kind"] == "bars"


@pytest.mark.parametrize("row,line", [("2024-03-01T00:03:00Z,1,2,3\n", 5), ("nope,1,2,0.5,1,1\n", 5),
                                      ("2024-03-01T00:03:00Z,1,0.9,0.5,1,1\n", 5),
                                      ("2024-03-01T00:00:30Z,1,2,0.5,1,1\n", 5)])
def test_malformed_bars(tmp_path, cat, row, line):
    path = tmp_path / "b.csv"
    path.write_text(BARS + row)
    with pytest.raises(InputError) as err:
        BarsFeed(cat["XBTUSD"], path, seed=0)
    assert err.value.line == line and err.value.path == str(path)


def test_make_feed_kinds(cat):
    inst = cat["XBTUSD"]
    syn = make_feed(FeedSpec(), inst, seed=1, start_ms=START)
    assert isinstance(syn, Feed) and syn.describe()["seed"] == 1 and syn.start_ms == START and not syn.exhausted
    sc = make_feed(FeedSpec(kind="scenario", name="flash-crash", tick_interval_ms=1000), inst, seed=1,
                   start_ms=START)
    assert sc.describe()["name"] == "flash-crash"
    with pytest.raises(InputError):
        make_feed(FeedSpec(kind="trades", path="/nonexistent/file.csv"), inst, seed=0, start_ms=START)


def test_a_long_synthetic_feed_keeps_few_generator_states_and_seeks_back_to_the_same_prices():
    """1,000 hours of ticks must not keep a generator state per 8,192-tick block forever (memory grows by the hour);
    a seek far back still reads exactly the prices the first pass read."""
    from terminal.domain.instruments import default_catalog
    from terminal.feeds.base import KEEP_EVERY_BLOCK
    from terminal.feeds.synthetic import SyntheticFeed

    inst = default_catalog()["XBTUSD"]
    feed = SyntheticFeed(inst, seed=5, start_ms=0, price=50_000.0)
    early = feed.read(10**15, 3 * feed.BLOCK + 17)
    blocks = 600
    while feed.position < blocks * feed.BLOCK:
        feed.read(10**15, 100_000)
    assert len(feed._states) <= 2 * KEEP_EVERY_BLOCK + blocks // KEEP_EVERY_BLOCK + 2
    feed.seek(0)
    again = feed.read(10**15, 3 * feed.BLOCK + 17)
    assert np.array_equal(early.last, again.last) and np.array_equal(early.mark, again.mark)
