"""Store safety (issue 15): temporary files never follow a planted symlink; the stored price tail stays bounded
at max speed, so no frame has to delete a backlog of it (a 10 s event-loop stall in the GUI soak)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from terminal.session.history import RingBuffer
from terminal.store.accounts import active_account, set_active_account
from terminal.store.prices import TAIL_POINTS, PriceTail


def test_remembering_the_active_account_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    from terminal.store.account_store import create_account

    create_account(tmp_path, "alice")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "active.txt.tmp").symlink_to(victim)  # the fixed name the old code wrote to
    set_active_account(tmp_path, "alice")
    assert active_account(tmp_path) == "alice"
    assert victim.read_text() == "precious"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".active-")]  # no temp file left behind


def test_the_stored_price_tail_stays_bounded_when_frames_bring_big_chunks() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE prices (symbol TEXT NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, "
               "data BLOB NOT NULL, PRIMARY KEY (symbol, seq)) WITHOUT ROWID")
    tail = PriceTail()
    buf = RingBuffer(100_000, 4)
    most = 0
    for frame in range(60):  # max speed: 20,000 new points a frame
        t0 = frame * 20_000
        buf.extend(np.column_stack([np.arange(t0, t0 + 20_000, dtype=np.float64)] + [np.ones(20_000)] * 3))
        tail.commit(tail.write(db, {"XBTUSD": buf}))
        stored = sum(len(r[0]) for r in db.execute("SELECT data FROM prices")) // 32
        most = max(most, stored)
    assert most <= 3 * TAIL_POINTS, most  # never a backlog of 256 chunks
    loaded = PriceTail.load(db, "XBTUSD")
    assert loaded is not None and len(loaded[0]) == TAIL_POINTS and loaded[0][-1, 0] == 60 * 20_000 - 1
