"""The account store on real SQLite files: round trip, determinism across a restart, schema versions,
corrupt files, named accounts, reset, `account` JSON, scripts played into the store, and the HTML report."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from terminal.app.report import write_report
from terminal.app.stored_account import account_json, play_into_store
from terminal.exchange.snapshot import take_snapshot
from terminal.session.script import parse_script
from terminal.store.account_store import (
    DEFAULT_WALLETS_MINOR,
    AccountStore,
    StoreError,
    active_account,
    create_account,
    delete_account,
    list_accounts,
    set_active_account,
)
from terminal.store.schema import MIGRATIONS, SCHEMA_VERSION
from terminal.store.state import export_exchange

ROOT = Path(__file__).resolve().parents[1]
START = 1_709_251_200_000
FRAME_MS = 2_000


def act(session, frame: int) -> None:
    """Deterministic trading at a few frames: every order type, leverage and margin changes."""
    ex = session.exchange
    x, e = ex.catalog["XBTUSD"], ex.catalog["ETHUSDT"]
    px, pe = ex.markets["XBTUSD"].last, ex.markets["ETHUSDT"].last
    if frame == 3:
        assert ex.set_leverage("XBTUSD", 25).accepted
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 20_000}).accepted
        assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 5_000, "type": "limit",
                               "price": x.round_price(px * 1.0004)}).accepted
        assert ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 10_000, "type": "stop_market",
                               "stop_price": x.round_price(px * 0.9990), "reduce_only": True}).accepted
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 3_000, "type": "limit",
                               "price": x.round_price(px * 0.9995), "post_only": True}).accepted
    if frame == 5:
        assert ex.set_margin_mode("ETHUSDT", True).accepted
        assert ex.place_order({"symbol": "ETHUSDT", "side": "sell", "qty": 50_000}).accepted
        assert ex.place_order({"symbol": "ETHUSDT", "side": "buy", "qty": 50_000, "type": "trailing_stop",
                               "trail_offset": 2.0, "trigger": "last"}).accepted
        assert ex.place_order({"symbol": "ETHUSDT", "side": "buy", "qty": 20_000, "type": "take_profit_limit",
                               "stop_price": e.round_price(pe * 0.9995), "price": e.round_price(pe * 0.9994)}).accepted
    if frame in (160, 230, 300):
        assert ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit",
                               "price": x.round_price(px - 2 * x.tick_size)}).accepted
        assert ex.place_order({"symbol": "ETHUSDT", "side": "sell", "qty": 10_000, "type": "stop_market",
                               "stop_price": e.round_price(pe - 3 * e.tick_size), "trigger": "last"}).accepted
    if frame == 260:
        assert ex.close_position("ETHUSDT").accepted if ex.positions["ETHUSDT"].qty else True
    if frame == 9:
        assert ex.adjust_margin("XBTUSD", 50_000).accepted if ex.positions["XBTUSD"].qty else True
        assert not ex.set_leverage("XBTUSD", 0).accepted


def run(session, store, frames: range) -> None:
    for i in frames:
        session.advance(START + (i + 1) * FRAME_MS, max_ticks=15, primary="XBTUSD")
        act(session, i)
        if store is not None:
            store.record(session, session.exchange.drain_events())


def new_session(store):
    s = store.load_session()
    s.ensure_feed("XBTUSD")
    s.ensure_feed("ETHUSDT")
    return s


def dump(ex) -> str:
    return json.dumps(take_snapshot(ex).to_dict(), sort_keys=True, default=str)


def test_round_trip_and_same_future_after_restart(tmp_path: Path) -> None:
    a = AccountStore.open(tmp_path / "a")
    sa = new_session(a)
    run(sa, a, range(400))
    b = AccountStore.open(tmp_path / "b")
    sb = new_session(b)
    run(sb, b, range(150))
    before, ledger = dump(sb.exchange), [r.to_dict() for r in sb.exchange.ledger]
    orders = sorted(sb.exchange.orders)
    b.close()
    b = AccountStore.open(tmp_path / "b")
    sb = b.load_session()
    assert dump(sb.exchange) == before
    assert [r.to_dict() for r in sb.exchange.ledger] == ledger
    assert sorted(sb.exchange.orders) == orders and orders, "resting orders survive"
    assert set(sb.feeds) == {"XBTUSD", "ETHUSDT"} and len(sb.prices["XBTUSD"]) > 0
    assert sb.history.equity["XBT"].count > 0
    run(sb, b, range(150, 400))
    assert [f.to_dict() for f in sb.exchange.fills] == [f.to_dict() for f in sa.exchange.fills]
    assert len(sa.exchange.fills) >= 3 + 4, "the restored session keeps trading"
    assert dump(sb.exchange) == dump(sa.exchange)
    assert sb.ticks == sa.ticks
    a.close()
    b.close()


def test_record_is_a_no_op_when_nothing_changed(tmp_path: Path) -> None:
    store = AccountStore.open(tmp_path)
    s = new_session(store)
    run(s, store, range(3))
    store.record(s, [])
    changes = store.db.total_changes
    store.record(s, [])
    assert store.db.total_changes == changes
    store.close()


def test_new_account_has_deposits_in_the_ledger(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        assert store.name == "practice" and store.path.exists()
        assert {r.currency: r.amount_minor for r in s.exchange.ledger} == DEFAULT_WALLETS_MINOR
        assert s.now_ms == START


def test_migrates_an_old_schema_forward(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = new_session(store)
        run(s, store, range(20))
        before = dump(s.exchange)
        state = export_exchange(s.exchange)  # a version-1 file keeps the whole exchange in one state row
        state["session"] = {"seed": s.seed, "start_ms": s.start_ms, "ticks": s.ticks, "next_sample": s._next_sample}
        future = [f.read(START + 10**9, 500).last.tolist() for f in (s.feeds["XBTUSD"],)]
    path = tmp_path / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    for table in ("rejections", "orders", "positions", "settings", "prices", "checkpoints"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX ledger_time")
    db.execute("ALTER TABLE feeds DROP COLUMN checkpoint")
    db.execute("UPDATE state SET json = ?", (json.dumps(state),))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        assert dump(s.exchange) == before
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == max(MIGRATIONS)
        assert len(s.prices["XBTUSD"]) > 0, "the chart's tail is found by seeking the old feed, once"
        store.record(s, [])  # the feeds' checkpoints are stored at the next frame
        assert store.db.execute("SELECT COUNT(*) FROM feeds WHERE checkpoint IS NULL").fetchone()[0] == 0
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        assert dump(s.exchange) == before
        assert [s.feeds["XBTUSD"].read(START + 10**9, 500).last.tolist()] == future


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    AccountStore.open(tmp_path).close()
    path = tmp_path / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    raw = path.read_bytes()
    with pytest.raises(StoreError, match="newer Leverage Terminal") as err:
        AccountStore.open(tmp_path)
    assert err.value.kind == "newer"
    with pytest.raises(StoreError, match="newer"):
        account_json(tmp_path)
    assert path.read_bytes() == raw


def test_corrupt_file_and_quarantine(tmp_path: Path) -> None:
    acc = tmp_path / "accounts"
    acc.mkdir()
    (acc / "practice.sqlite").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="damaged") as err:
        AccountStore.open(tmp_path)
    assert err.value.kind == "corrupt"
    kept = AccountStore.quarantine(tmp_path, "practice")
    assert kept.exists() and kept.read_bytes().startswith(b"this is not")
    assert list_accounts(tmp_path) == ["practice"]
    with AccountStore.open(tmp_path) as store:
        assert store.load_session().exchange.wallets["XBT"].balance == DEFAULT_WALLETS_MINOR["XBT"]


def test_damaged_state_row_is_reported_not_wiped(tmp_path: Path) -> None:
    AccountStore.open(tmp_path).close()
    with AccountStore.open(tmp_path) as s:
        s.load_session()
    path = tmp_path / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    db.execute("UPDATE state SET json = '{\"wallets\": 3}'")
    db.commit()
    db.close()
    with AccountStore.open(tmp_path) as store, pytest.raises(StoreError, match="damaged"):
        store.load_session()
    db = sqlite3.connect(path)  # unchanged
    assert db.execute("SELECT json FROM state").fetchone()[0] == '{"wallets": 3}'
    db.close()


def test_named_accounts(tmp_path: Path) -> None:
    assert list_accounts(tmp_path) == [] and active_account(tmp_path) == "practice"
    create_account(tmp_path, "alice", {"XBT": 50_000_000})
    create_account(tmp_path, "bob")
    with pytest.raises(StoreError, match="already exists"):
        create_account(tmp_path, "bob")
    for bad in ("", "../x", ".hidden", "a/b", "x" * 80):
        with pytest.raises(StoreError, match="not a valid account name"):
            create_account(tmp_path, bad)
    assert list_accounts(tmp_path) == ["alice", "bob"]
    set_active_account(tmp_path, "alice")
    assert active_account(tmp_path) == "alice"
    with AccountStore.open(tmp_path) as store:
        assert store.name == "alice"
        ex = store.load_session().exchange
        assert ex.wallets["XBT"].balance == 50_000_000 and ex.wallets["USDT"].balance == 0
        with pytest.raises(StoreError, match="open in another"):
            delete_account(tmp_path, "alice")
    with pytest.raises(StoreError, match="no account named"):
        set_active_account(tmp_path, "carol")
    delete_account(tmp_path, "alice")
    assert list_accounts(tmp_path) == ["bob"] and active_account(tmp_path) == "bob"


def test_reset_keeps_the_market_and_wipes_the_account(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = new_session(store)
        run(s, store, range(30))
        assert s.exchange.fills
        now, mark = s.now_ms, s.exchange.markets["XBTUSD"].mark
        s2 = store.reset({"XBT": 20_000_000})
        assert s2.now_ms == now and s2.exchange.markets["XBTUSD"].mark == mark and "XBTUSD" in s2.feeds
        assert not s2.exchange.fills and not s2.exchange.orders and not s2.history.equity
        assert [r.amount_minor for r in s2.exchange.ledger] == [20_000_000]
        with pytest.raises(StoreError):
            store.reset({"XBT": -5})
    with AccountStore.open(tmp_path) as store:
        s3 = store.load_session()
        assert dump(s3.exchange) == dump(s2.exchange)


def test_account_json_reads_while_open_and_sums(tmp_path: Path) -> None:
    fresh = account_json(tmp_path / "nothing-here")
    assert fresh["wallets"]["XBT"]["wallet_balance_minor"] == DEFAULT_WALLETS_MINOR["XBT"]
    assert not (tmp_path / "nothing-here").exists()
    with AccountStore.open(tmp_path) as store:
        s = new_session(store)
        run(s, store, range(60))
        doc = account_json(tmp_path)  # while the "window" holds the lock
        json.dumps(doc, allow_nan=False)
        for cur, w in doc["wallets"].items():
            assert sum(r["amount_minor"] for r in doc["ledger"] if r["currency"] == cur) == w["wallet_balance_minor"]
        assert doc["positions"] and {"time", "kind", "currency", "amount_minor"} <= set(doc["ledger"][0])
        assert doc["wallets"]["XBT"]["margin_balance_minor"] == take_snapshot(s.exchange).wallets["XBT"].margin_balance_minor


SCRIPT = """seed = 3
duration_s = 1800
[account]
XBT = 0.5
[feed]
kind = "synthetic"
symbol = "XBTUSD"
[[steps]]
at_s = 10
action = "order"
side = "buy"
qty = 5000
leverage = 20
[[steps]]
at_s = 900
action = "close"
"""


def test_play_into_store_then_again(tmp_path: Path) -> None:
    script = parse_script(SCRIPT)
    r1 = play_into_store(script, tmp_path, tmp_path / "d")
    assert r1["ledger"][0]["amount_minor"] == 50_000_000 and r1["fills"]
    doc = account_json(tmp_path / "d")
    assert doc["wallets"]["XBT"]["wallet_balance_minor"] == r1["final"]["wallets"]["XBT"]["wallet_balance_minor"]
    assert len(doc["ledger"]) == len(r1["ledger"])
    r2 = play_into_store(script, tmp_path, tmp_path / "d")  # the wallet now comes from the store
    assert r2["ledger"][: len(r1["ledger"])] == r1["ledger"]
    doc2 = account_json(tmp_path / "d")
    assert doc2["wallets"]["XBT"]["wallet_balance_minor"] == r2["final"]["wallets"]["XBT"]["wallet_balance_minor"]
    with AccountStore.open(tmp_path / "d") as store:
        s = store.load_session()
        assert s.feeds["XBTUSD"].position > 0 and s.history.equity["XBT"].count > 2


def test_report_html_and_csv(tmp_path: Path) -> None:
    play_into_store(parse_script(SCRIPT), tmp_path, tmp_path / "d")
    out = tmp_path / "out" / "r.html"
    write_report(tmp_path / "d", out)
    text = out.read_text()
    for sid in ("summary", "equity", "liquidation", "fills", "liquidations", "funding", "ledger"):
        assert f'id="{sid}"' in text
    assert "<polyline" in text and "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    lines = (tmp_path / "out" / "r.ledger.csv").read_text().splitlines()
    doc = account_json(tmp_path / "d")
    assert len(lines) == len(doc["ledger"]) + 1
    assert sum(int(x.split(",")[4]) for x in lines[1:] if x.split(",")[3] == "XBT") == \
        doc["wallets"]["XBT"]["wallet_balance_minor"]


def test_cli_account_and_report(tmp_path: Path) -> None:
    play_into_store(parse_script(SCRIPT), tmp_path, tmp_path / "d")
    cmd = [sys.executable, "-m", "ui.cli"]
    p = subprocess.run(cmd + ["account", "--data-dir", str(tmp_path / "d")], check=False, capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert sum(r["amount_minor"] for r in doc["ledger"] if r["currency"] == "XBT") == \
        doc["wallets"]["XBT"]["wallet_balance_minor"]
    p = subprocess.run(cmd + ["report", "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "x.html")],
                       check=False, capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "x.ledger.csv").exists()


def test_a_second_run_into_the_same_account_goes_on_from_its_clock(tmp_path):
    root = Path(__file__).resolve().parents[1]
    script = tmp_path / "s.toml"
    script.write_text('seed = 3\nduration_s = 21600\n[feed]\nkind = "synthetic"\nsymbol = "XBTUSD"\n'
                      '[[steps]]\nat_s = 60\naction = "order"\nside = "buy"\nqty = 1000\nleverage = 5\n')
    runs = []
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "ui.cli", "run", str(script), "--data-dir", str(tmp_path / "d")],
                           capture_output=True, text=True, cwd=root)
        assert r.returncode == 0, r.stderr
        runs.append(json.loads(r.stdout))
    assert runs[0]["final"]["time"] == "2024-03-01T06:00:00.000Z"
    assert runs[1]["final"]["time"] == "2024-03-01T12:00:00.000Z"
    assert [f["time"] for f in runs[1]["fills"]] == ["2024-03-01T00:01:00.000Z", "2024-03-01T06:01:00.000Z"]
    ledger = runs[1]["ledger"]
    assert sum(r["amount_minor"] for r in ledger if r["currency"] == "XBT") == \
        runs[1]["final"]["wallets"]["XBT"]["wallet_balance_minor"]
    assert [r["time_ms"] for r in ledger] == sorted(r["time_ms"] for r in ledger)  # time never runs backwards
