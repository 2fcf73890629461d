"""One frame per action, tables fed from the frame's events: a fill is inserted (``beginInsertRows``), not reloaded;
another account starts the tables over from the frame's history."""
from __future__ import annotations

from terminal.domain.orders import OrderRequest


def test_an_action_publishes_one_frame_and_its_fill_is_inserted_not_reloaded(window):
    bridge, fills = window.bridge, window.tables.fills
    frames, inserted, resets = [], [], []
    bridge.frame.connect(frames.append)
    fills.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    fills.modelReset.connect(lambda: resets.append(True))
    before = fills.rowCount()

    ack = bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000))

    assert ack.accepted and ack.fills
    assert len(frames) == 1 and frames[0] is bridge.last
    frame = frames[0]
    assert frame.fills == ack.fills and not frame.reset and frame.changed
    assert inserted == [(0, len(ack.fills) - 1)] and not resets  # newest first, only the new rows
    assert fills.rowCount() == before + len(ack.fills) and fills.obj(0) is ack.fills[-1]
    assert window.tables.positions.rowCount() == 1

    refused = bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=9_000_000))
    assert not refused.accepted and len(frames) == 2
    assert [r.reason for r in frames[1].rejections] == [refused.reason] and frames[1].fills == ()
    assert len(inserted) == 1  # nothing new to insert


def test_another_account_starts_the_tables_over_from_history(window):
    from ui.services.sessions import fresh_session

    bridge, tables = window.bridge, window.tables
    bridge.orders.place(OrderRequest(symbol="XBTUSD", side="buy", qty=1000))
    assert tables.fills.rowCount() >= 1
    resets = []
    tables.fills.modelReset.connect(lambda: resets.append(True))
    changed = []
    bridge.sessionChanged.connect(changed.append)

    other = fresh_session()
    bridge.set_session(other)

    assert resets and tables.fills.rowCount() == 0 and tables.positions.rowCount() == 0
    assert tables.ledger.rowCount() == len(other.exchange.ledger)  # the new account's deposits
    assert len(changed) == 1 and changed[0].reset and changed[0].history.ledger[0] is other.exchange.ledger[0]
