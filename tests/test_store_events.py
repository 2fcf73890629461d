"""The store writes what the engine's events say changed: an idle frame writes nothing, a fill frame does not rewrite
the resting orders, reopening a long account resumes its feeds from checkpoints (no replay of the past), and the
stored session checkpoints rebuild a session that goes on exactly as the original."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from terminal.exchange.snapshot import take_snapshot
from terminal.feeds.synthetic import SyntheticFeed
from terminal.store import checkpoints
from terminal.store.account_store import AccountStore

START = 1_709_251_200_000
DAY = 86_400_000


def snap(ex) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(take_snapshot(ex).to_dict(), sort_keys=True, default=str)


class Statements:
    """Every SQL statement the store's connection runs."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.sql: list[str] = []
        db.set_trace_callback(self.sql.append)

    def take(self) -> list[str]:
        out, self.sql[:] = list(self.sql), []
        return out


def resting_orders(session, n: int) -> None:  # type: ignore[no-untyped-def]
    ex = session.exchange
    inst = ex.catalog["XBTUSD"]
    last = ex.markets["XBTUSD"].last
    for k in range(n):
        px = inst.round_price(last * (0.9 - 0.0005 * k))
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit", "price": px}).accepted


def test_idle_frame_writes_nothing_and_a_fill_frame_writes_only_what_changed(tmp_path: Path) -> None:
    store = AccountStore.open(tmp_path)
    s = store.load_session()
    s.ensure_feed("XBTUSD")
    s.advance(START + 1_000, primary="XBTUSD")
    resting_orders(s, 200)
    store.record(s, s.exchange.drain_events())
    sql = Statements(store.db)
    changes = store.db.total_changes
    for _ in range(5):  # paused: no tick, no event
        store.record(s, s.exchange.drain_events())
    assert sql.take() == [] and store.db.total_changes == changes, "an idle frame runs no SQL at all"

    s.advance(s.now_ms + 500, primary="XBTUSD")  # ticks, no event: the clock row, the feed, the chart points
    store.record(s, s.exchange.drain_events())
    ticks_only = sql.take()
    assert ticks_only[0].startswith("BEGIN") and ticks_only[-1] == "COMMIT"
    assert not any("orders" in q or "positions" in q or "ledger" in q for q in ticks_only), ticks_only

    ex = s.exchange
    assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000}).accepted  # a market order fills
    events = ex.drain_events()
    assert any(k == "fill" for k, _ in events)
    store.record(s, events)
    fill_frame = sql.take()
    assert sum(q.count("BEGIN") for q in fill_frame) == 1, "one transaction per frame"
    written = [q for q in fill_frame if q.startswith("INSERT OR REPLACE INTO orders VALUES")]
    assert len(written) <= 2, "the 200 resting orders are not rewritten"
    store.close()
    with AccountStore.open(tmp_path) as again:
        assert snap(again.load_session().exchange) == snap(ex)


def test_reopening_a_long_account_does_not_replay_its_history(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        s.ensure_feed("XBTUSD")
        t = START
        while t < START + 2 * DAY:  # two simulated days, saved as the GUI would (a frame per simulated minute)
            t += 600_000
            s.advance(t, primary="XBTUSD")
            store.record(s, s.exchange.drain_events())
        position = s.feeds["XBTUSD"].position
        before = snap(s.exchange)
        future = s.feeds["XBTUSD"].read(t + 60_000, 10_000).last.tobytes()
    blocks: list[int] = []
    generate = SyntheticFeed._generate

    def counting(self, block_no, state):  # type: ignore[no-untyped-def]
        blocks.append(block_no)
        return generate(self, block_no, state)

    monkeypatch.setattr(SyntheticFeed, "_generate", counting)
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        assert snap(s.exchange) == before
        assert len(s.prices["XBTUSD"]) > 1_000, "the chart's tail comes from the store"
        assert min(blocks, default=10**9) >= position // SyntheticFeed.BLOCK, "no tick before the checkpoint"
        assert s.feeds["XBTUSD"].read(t + 60_000, 10_000).last.tobytes() == future


def test_a_stored_checkpoint_rebuilds_the_session_exactly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(checkpoints, "MIN_WALL_S", 0.0)
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        s.ensure_feed("XBTUSD")
        s.ensure_feed("ETHUSDT")
        s.advance(START + 1_000, primary="XBTUSD")
        ex = s.exchange
        inst = ex.catalog["XBTUSD"]
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 5_000}).accepted
        assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 5_000, "type": "limit",
                               "price": inst.round_price(ex.markets["XBTUSD"].last * 1.001)}).accepted
        for k in range(1, 40):
            s.advance(START + 1_000 + k * 30_000, primary="XBTUSD")
            store.record(s, ex.drain_events())
        times = store.checkpoint_times()
        assert len(times) >= 15 and times == sorted(times)
        cp = store.checkpoint_at(times[5] + 1)
        assert cp is not None and cp.t_ms == times[5]
        branch = store.session_at(cp)
        branch.advance(s.now_ms + 1, primary="XBTUSD")
        s.advance(s.now_ms + 1, primary="XBTUSD")
        assert snap(branch.exchange) == snap(s.exchange)
        assert [f.to_dict() for f in branch.exchange.fills] == [f.to_dict() for f in s.exchange.fills]
        assert len(cp.to_json()) < 20_000


def test_money_frames_are_fsynced_off_the_gui_thread_and_a_failed_fsync_is_reported(tmp_path: Path,
                                                                                      monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno
    import threading

    import pytest

    from terminal.store.durability import Durability
    from terminal.store.schema import StoreError

    synced: list[str] = []
    real = Durability._fsync_wal

    def spy(self: Durability) -> None:
        synced.append(threading.current_thread().name)
        real(self)

    monkeypatch.setattr(Durability, "_fsync_wal", spy)
    store = AccountStore.open(tmp_path)
    s = store.load_session()
    s.ensure_feed("XBTUSD")
    s.advance(START + 1_000, primary="XBTUSD")
    assert s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100}).accepted
    store.record(s, s.exchange.drain_events())
    assert store.wait_durable()
    assert synced and threading.main_thread().name not in synced, "the fsync ran on the durability thread"

    def full(self: Durability) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Durability, "_fsync_wal", full)
    assert s.exchange.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 100}).accepted
    store.record(s, s.exchange.drain_events())  # committed (safe against a crash); its fsync fails later
    store.wait_durable()
    assert s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100}).accepted
    last = s.exchange.markets["XBTUSD"].last
    rest = s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit",
                                   "price": s.exchange.catalog["XBTUSD"].round_price(last * 0.9)})
    with pytest.raises(StoreError) as err:
        store.record(s, s.exchange.drain_events())
    assert err.value.kind == "full"
    monkeypatch.setattr(Durability, "_fsync_wal", real)
    store._durability.clear_error()  # the disk has room again: saving goes on, nothing was lost
    store.record(s, s.exchange.drain_events())
    assert store.wait_durable()
    store.close()
    with AccountStore.open(tmp_path) as again:
        back = again.load_session().exchange
        assert len(back.fills) == len(s.exchange.fills) == 3
        assert rest.order_id in back.orders, "the failed frame's order was saved by the retry"
