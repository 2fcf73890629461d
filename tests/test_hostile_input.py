"""Bad input of every kind: one clear message, and nothing changes.

Files (catalog, script, price CSV) fail with the line; requests (unknown symbol, bad sizes, prices, leverage)
are refused with the snapshot untouched; the store refuses read-only, locked, full, newer and damaged files
with a StoreError that says which; the command line exits 2 with one line on stderr."""
from __future__ import annotations

import json
import math
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from terminal.app.stored_account import account_json, play_into_store
from terminal.domain.errors import InputError
from terminal.domain.instruments import Catalog
from terminal.exchange.snapshot import take_snapshot
from terminal.session.script import parse_script
from terminal.store.account_store import AccountStore, StoreError
from terminal.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
CATALOG = (ROOT / "resources" / "instruments.toml").read_text()


def dump(ex) -> str:
    return json.dumps(take_snapshot(ex).to_dict(), sort_keys=True, default=str)


# ------------------------------------------------------------------ files
def test_catalog_bad_toml_and_bad_field_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    lines = CATALOG.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("tick_size"))
    p.write_text("\n".join(lines[:i] + ["tick_size = = 0.5"] + lines[i + 1:]))
    with pytest.raises(InputError, match="not valid TOML") as e:
        Catalog.load(p)
    assert e.value.line == i + 1
    p.write_text("\n".join(lines[:i] + ["tick_size = -3"] + lines[i + 1:]))
    with pytest.raises(InputError, match="tick_size") as e:
        Catalog.load(p)
    assert e.value.line == i + 1


def test_script_bad_field_names_field_and_line() -> None:
    text = 'seed = 1\n[feed]\nkind = "synthetic"\n[[steps]]\nat_s = 5\naction = "order"\nside = "buy"\nqty = -3\n'
    with pytest.raises(InputError, match="qty") as e:
        parse_script(text, "s.toml")
    assert e.value.line == 8 and "s.toml:8" in str(e.value)
    with pytest.raises(InputError, match="not valid TOML") as e:
        parse_script("seed = 1\nduration_s = = 3\n", "s.toml")
    assert e.value.line == 2


@pytest.mark.parametrize("kind, body, line", [
    ("bars", "timestamp,open,high,low,close,volume\n2017-12-01T00:00:00Z,1,2,0.5,1.5,3\n"
             "2017-12-01T00:30:00Z,1,abc,0.5,1.5,3\n", 3),
    ("trades", "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,"
               "foreignNotional\n2018-01-22D00:00:02.364320000,XBTUSD,Buy,10,11000.5,PlusTick,x,1,1,1\n"
               "2018-01-22D00:00:03.364320000,XBTUSD,Buy,10,11000.5\n", 3),
])
def test_price_csv_errors_name_the_line_and_load_nothing(tmp_path: Path, kind: str, body: str, line: int) -> None:
    (tmp_path / "p.csv").write_text(body)
    script = parse_script(f'duration_s = 60\n[feed]\nkind = "{kind}"\nsymbol = "XBTUSD"\npath = "p.csv"\n'
                          '[[steps]]\nat_s = 1\naction = "order"\nside = "buy"\nqty = 100\n', "s.toml", tmp_path)
    data = tmp_path / "d"
    with AccountStore.open(data) as store:
        before = dump(store.load_session().exchange)
    with pytest.raises(InputError) as e:
        play_into_store(script, tmp_path, data)
    assert e.value.line == line and "p.csv" in str(e.value)
    with AccountStore.open(data) as store:  # the stored account is untouched
        assert dump(store.load_session().exchange) == before


# ------------------------------------------------------------------ requests
@pytest.fixture
def session(tmp_path: Path):
    store = AccountStore.open(tmp_path)
    s = store.load_session()
    s.ensure_feed("XBTUSD")
    s.advance(s.now_ms + 60_000, primary="XBTUSD")
    assert s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1000}).accepted
    yield s
    store.close()


@pytest.mark.parametrize("change", [
    {"symbol": "FOOUSD"}, {"qty": 0}, {"qty": -100}, {"qty": math.nan}, {"qty": math.inf}, {"qty": 10**15},
    {"qty": 150}, {"qty": "lots"}, {"price": 0.0}, {"price": -5.0}, {"price": math.nan}, {"price": 1e12},
    {"price": 50_000.35}, {"type": "stop_market", "price": None, "stop_price": math.nan}, {"side": "long"},
])
def test_bad_orders_are_refused_and_change_nothing(session, change: dict) -> None:
    ex = session.exchange
    req = {"symbol": "XBTUSD", "side": "buy", "qty": 100, "type": "limit", "price": 40_000.0, **change}
    before = dump(ex)
    ack = ex.place_order(req)
    assert not ack.accepted and ack.reason and len(ack.reason) < 300
    assert dump(ex) == before


@pytest.mark.parametrize("lev", [0, -1, 0.5, 101, 1e9, math.nan, math.inf])
def test_bad_leverage_is_refused(session, lev: float) -> None:
    ex = session.exchange
    before = dump(ex)
    assert not ex.set_leverage("XBTUSD", lev).accepted
    assert not ex.set_margin_mode("XBTUSD", False, lev).accepted
    assert not ex.set_leverage("FOOUSD", 10).accepted
    assert dump(ex) == before


def test_unknown_symbol_in_catalog_lookup_is_an_input_error(session) -> None:
    with pytest.raises(InputError, match="unknown symbol"):
        session.catalog["FOOUSD"]


# ------------------------------------------------------------------ the store
def test_second_window_on_the_same_account_is_refused(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path):
        with pytest.raises(StoreError, match="open in another Leverage Terminal") as e:
            AccountStore.open(tmp_path)
        assert e.value.kind == "locked"
        with AccountStore.open(tmp_path, "other"):  # another account is fine
            pass
    AccountStore.open(tmp_path).close()  # released on close


def test_read_only_file_is_refused_but_readable(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        before = dump(s.exchange)
    path = tmp_path / "accounts" / "practice.sqlite"
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        with pytest.raises(StoreError, match="read-only") as e:
            AccountStore.open(tmp_path)
        assert e.value.kind == "readonly"
        assert account_json(tmp_path)["wallets"]["XBT"]["wallet_balance_minor"] == 100_000_000
    finally:
        path.chmod(0o644)
    with AccountStore.open(tmp_path) as store:
        assert dump(store.load_session().exchange) == before


def test_full_disk_keeps_the_last_saved_state(tmp_path: Path) -> None:
    store = AccountStore.open(tmp_path)
    s = store.load_session()
    s.ensure_feed("XBTUSD")
    s.advance(s.now_ms + 10_000, primary="XBTUSD")
    store.record(s, s.exchange.drain_events())
    saved = dump(s.exchange)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    for i in range(300):
        s.exchange.place_order({"symbol": "XBTUSD", "side": "buy" if i % 2 else "sell", "qty": 100})
    with pytest.raises(StoreError, match="disk is full") as e:
        store.record(s, s.exchange.drain_events())
    assert e.value.kind == "full"
    store.close()
    with AccountStore.open(tmp_path) as store:
        assert dump(store.load_session().exchange) == saved


def test_newer_schema_and_truncated_file(tmp_path: Path) -> None:
    with AccountStore.open(tmp_path) as store:
        s = store.load_session()
        s.ensure_feed("XBTUSD")
        for _ in range(50):
            s.advance(s.now_ms + 5_000, primary="XBTUSD")
            s.exchange.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 100})
            store.record(s, s.exchange.drain_events())
    path = tmp_path / "accounts" / "practice.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        AccountStore.open(tmp_path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.commit()
    db.close()
    data = path.read_bytes()
    assert len(data) >= 4 * 4096
    path.write_bytes(data[:4096] + b"\xab" * 8192 + data[3 * 4096:])  # two pages of garbage
    with pytest.raises(StoreError, match="damaged") as e, AccountStore.open(tmp_path) as store:
        store.load_session()
    assert e.value.kind == "corrupt"
    kept = AccountStore.quarantine(tmp_path, "practice")
    assert kept.name.startswith("practice.corrupt-") and kept.exists()
    with AccountStore.open(tmp_path) as store:
        assert store.load_session().exchange.fills == []


# ------------------------------------------------------------------ command line
def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], check=False, capture_output=True, text=True, cwd=ROOT, env=env)


def test_cli_bad_arguments_exit_2_with_one_line(tmp_path: Path) -> None:
    for args in (["account", "--bogus"], ["account", "--data-dir"], ["report"], ["account", "--name", "../x",
                 "--data-dir", str(tmp_path)]):
        p = _cli(*args)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    p = _cli("account", "--data-dir", str(tmp_path / "new"))  # no account there: said so, not shown as a fresh one
    assert p.returncode == 2 and p.stdout == "" and "no account named 'practice'" in p.stderr
    assert not (tmp_path / "new").exists()  # and nothing was created
