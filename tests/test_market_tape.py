"""The tape and candles fold prints the same way whatever the batching: a whole batch, one print at a time, or a
single print appended between batches give the same bars and the same tape (the GUI and the report read them)."""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.market.tape import TIMEFRAMES_S, Candles, PrintBatch, Tape


def _prints(gaps: list[int], prices: list[int], sizes: list[int]) -> PrintBatch:
    n = min(len(gaps), len(prices), len(sizes))
    t = 1_709_251_200_000 + np.cumsum(np.array(gaps[:n], np.int64))
    return PrintBatch(t, np.array(prices[:n], np.float64) * 0.5, np.array(sizes[:n], np.int64),
                      np.where(np.arange(n) % 2, 1, -1).astype(np.int8), np.zeros(n, np.int8))


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.integers(0, 40_000), min_size=1, max_size=120),
       prices=st.lists(st.integers(90_000, 110_000), min_size=120, max_size=120),
       sizes=st.lists(st.integers(1, 10**7), min_size=120, max_size=120),
       cuts=st.lists(st.integers(0, 120), max_size=6))
def test_candles_and_tape_are_the_same_however_the_prints_are_batched(gaps, prices, sizes, cuts):
    """Bars are OHLCV of the prints in each bucket (open = first, high = max, low = min, close = last,
    volume = sum), so splitting the prints into batches — including batches inside one minute, which take the
    one-bar path, and single appended prints — cannot change them."""
    p = _prints(gaps, prices, sizes)
    n = p.t_ms.size
    whole_c, whole_t = Candles(), Tape(capacity=64)
    whole_c.extend(p)
    whole_t.extend(p)
    split_c, split_t = Candles(), Tape(capacity=64)
    edges = sorted({0, n, *(c % (n + 1) for c in cuts)})
    for a, b in itertools.pairwise(edges):
        part = PrintBatch(*(c[a:b] for c in p))
        if b - a == 1:
            split_c.append(int(part.t_ms[0]), float(part.price[0]), int(part.size[0]))
            split_t.append(int(part.t_ms[0]), float(part.price[0]), int(part.size[0]), int(part.side[0]),
                           int(part.kind[0]))
        else:
            split_c.extend(part)
            split_t.extend(part)
    for tf in TIMEFRAMES_S:
        assert split_c.view(tf).tobytes() == whole_c.view(tf).tobytes(), tf
    # and the bars are the OHLCV of their bucket's prints
    bars = whole_c.view("1m")
    bucket = p.t_ms // 60_000 * 60_000
    for row in bars:
        m = bucket == row[0]
        assert (row[1], row[2], row[3], row[4], row[5]) == (p.price[m][0], p.price[m].max(), p.price[m].min(),
                                                            p.price[m][-1], p.size[m].sum())
    assert split_t.count == whole_t.count == n and split_t.volume == whole_t.volume == int(p.size.sum())
    for a, b in zip(split_t.view(), whole_t.view()):
        assert a.tobytes() == b.tobytes()


def test_bars_being_folded_show_in_every_view_and_survive_the_ring_wrapping():
    """The last bar is folded into as plain floats ahead of the ring buffer: a view taken at any moment — between
    single prints, small batches and large ones, with the ring wrapping over a capacity of 7 — shows exactly the
    OHLCV of the prints so far, bar for bar."""
    rng = np.random.default_rng(3)
    n = 3000
    t = 1_709_251_200_000 + np.cumsum(rng.choice([0, 500, 5_000, 50_000, 400_000], n)).astype(np.int64)
    p = PrintBatch(t, rng.integers(90_000, 110_000, n) * 0.5, rng.integers(1, 10**6, n).astype(np.int64),
                   np.ones(n, np.int8), np.zeros(n, np.int8))
    c = Candles(capacity=7)
    lo = 0
    while lo < n:
        hi = min(n, lo + int(rng.choice([1, 1, 3, 30, 200])))
        if hi - lo == 1:
            c.append(int(p.t_ms[lo]), float(p.price[lo]), int(p.size[lo]))
        else:
            c.extend(PrintBatch(*(col[lo:hi] for col in p)))
        lo = hi
        if rng.random() < 0.3 or lo == n:
            for tf, secs in TIMEFRAMES_S.items():
                bucket = p.t_ms[:lo] // (secs * 1000) * (secs * 1000)
                keys = list(dict.fromkeys(bucket.tolist()))[-7:]
                want = []
                for k in keys:
                    m = bucket == k
                    pr = p.price[:lo][m]
                    want.append([float(k), pr[0], pr.max(), pr.min(), pr[-1], float(p.size[:lo][m].sum())])
                assert c.view(tf).tolist() == want, (tf, lo)


def test_cutting_the_tape_back_shows_only_prints_still_in_the_ring_in_time_order() -> None:
    """A rewind cuts the tape back to a checkpoint's count. The undone prints wrote over the oldest slots of the
    ring: those prints are gone and hidden, never shown out of order — also after a second rewind to the same
    checkpoint (the slots an earlier, longer future overwrote stay gone)."""
    from terminal.market.book_state import cut_tape
    from terminal.market.tape import Tape

    tape = Tape(capacity=8)
    for i in range(10):
        tape.append(i, 100.0 + i, 1, 1, 0)
    saved = (tape.count, tape.volume)
    for i in range(10, 15):  # the undone future: indices 10..14 write over the slots of 2..6
        tape.append(i, 100.0 + i, 1, 1, 0)
    cut_tape(tape, *saved)
    assert tape.view().t_ms.tolist() == [7, 8, 9] and tape.volume == 10
    for i in range(10, 12):  # a shorter second future, then back again
        tape.append(i, 100.0 + i, 1, 1, 0)
    cut_tape(tape, *saved)
    assert tape.view().t_ms.tolist() == [7, 8, 9]
    for i in range(10, 20):  # playing on fills the ring again, in order
        tape.append(i, 100.0 + i, 1, 1, 0)
    assert tape.view().t_ms.tolist() == list(range(12, 20))


def test_a_forward_restore_after_a_shorter_replay_hides_the_slots_that_replay_overwrote() -> None:
    """Go back to an early checkpoint, play a little, then go to a later checkpoint: the little replay wrote over
    slots the later moment's ring held; those prints are hidden, the rest stay in order (QA round 5: the tape
    jumped back in time and the open bars lost half an hour)."""
    from terminal.market.book_state import cut_tape
    from terminal.market.tape import Tape

    tape = Tape(capacity=8)
    for i in range(2):
        tape.append(i, 1.0, 1, 1, 0)
    early = (tape.count, tape.volume)
    for i in range(2, 12):
        tape.append(i, 1.0, 1, 1, 0)
    late = (tape.count, tape.volume)
    cut_tape(tape, *early)
    for i in range(2, 4):  # the replay's prints 2, 3 go to slots 2, 3 — where the later ring keeps prints 10, 11
        tape.append(i, 1.0, 1, 1, 0)
    cut_tape(tape, *late)
    assert tape.view().t_ms.tolist() == [4, 5, 6, 7, 8, 9]  # 10 and 11 are gone, nothing out of order
