"""The fill model is the account's: it survives closing and reopening the account."""
from __future__ import annotations

from pathlib import Path

from terminal.store.account_store import AccountStore


def test_an_accounts_fill_model_survives_a_restart(tmp_path: Path):
    store = AccountStore.open(tmp_path)
    session = store.load_session()
    assert session.market.fill_model == "realistic"  # the default
    session.market.set_fill_model("stressed")
    session.advance(session.now_ms + 10_000, primary="XBTUSD")
    store.record(session, session.exchange.drain_events())
    store.close()
    again = AccountStore.open(tmp_path)
    try:
        assert again.load_session().market.fill_model == "stressed"
    finally:
        again.close()
