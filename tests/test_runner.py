"""`leverage-terminal run`: the report's surface and invariants, determinism, scenarios end to end."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from terminal.domain.calc import calculate
from terminal.domain.instruments import default_catalog
from terminal.session.runner import REPORT_KEYS, run_script
from terminal.session.script import parse_script

ROOT = Path(__file__).resolve().parents[1]
CAT = default_catalog()


def script(feed: str, steps: str = "", duration: int = 3600, account: str = "XBT = 1.0\nUSDT = 10000") -> str:
    return f'seed = 7\nstart = "2024-03-01T00:00:00Z"\nduration_s = {duration}\n[account]\n{account}\n[feed]\n{feed}\n{steps}'


def long_step(leverage: float, symbol: str = "XBTUSD", qty: int = 10_000) -> str:
    return (f'[[steps]]\nat_s = 1\naction = "order"\nsymbol = "{symbol}"\nside = "buy"\nqty = {qty}\n'
            f'type = "market"\nleverage = {leverage}\n')


CRASH = 'kind = "scenario"\nname = "flash-crash"\nsymbol = "XBTUSD"\nprice = 50000'


def check_invariants(report: dict) -> None:
    assert list(report) == list(REPORT_KEYS)
    for cur, w in report["final"]["wallets"].items():
        total = sum(r["amount_minor"] for r in report["ledger"] if r["currency"] == cur)
        assert total == w["wallet_balance_minor"], cur
        assert isinstance(w["margin_balance_minor"], int) and isinstance(w["available_balance_minor"], int)
    for row in report["ledger"]:
        assert {"time", "kind", "currency", "amount_minor"} <= set(row)
        assert isinstance(row["amount_minor"], int)
    for liq in report["liquidations"]:
        assert {"time", "symbol", "side", "qty", "mark_price", "liquidation_price", "bankruptcy_price",
                "loss_minor"} <= set(liq)
    assert {"ticks", "seconds"} <= set(report["stats"])


def test_flash_crash_liquidates_100x_long_at_the_calc_price():
    """The engine reserves the next (fixed) funding rate in a paying long's maintenance margin, so calc is asked
    with the same rate (was: no funding reserve, which put BitMEX's paying longs' liquidation 8 ticks too low)."""
    report = run_script(parse_script(script(CRASH, long_step(100))))
    check_invariants(report)
    (liq,) = report["liquidations"]
    fill = report["fills"][0]
    rate = report["final"]["markets"]["XBTUSD"]["funding_rate"]  # no funding passed: still the rate of the start
    c = calculate(CAT, symbol="XBTUSD", side="buy", qty=10_000, entry=fill["price"], leverage=100, funding_rate=rate)
    assert liq["liquidation_price"] == c["liquidation_price"]
    assert liq["bankruptcy_price"] == c["bankruptcy_price"]
    assert liq["mark_price"] <= liq["liquidation_price"]
    assert liq["entry_price"] == pytest.approx(fill["price"])  # the average entry is the fill price
    v = round(c["order_value"] * 1e8)
    close_fee_reserve = liq["maint_margin_minor"] - math.ceil(round((0.005 + max(rate, 0)) * v, 6))
    assert liq["loss_minor"] == round(c["initial_margin"] * 1e8) + close_fee_reserve  # the position margin
    assert report["final"]["positions"] == []


def test_flash_crash_2x_long_survives():
    report = run_script(parse_script(script(CRASH, long_step(2))))
    check_invariants(report)
    assert report["liquidations"] == []
    (pos,) = report["final"]["positions"]
    assert pos["size"] == 10_000 and pos["leverage"] == 2
    mins = min(e["margin_balance_minor"] for e in report["equity"])
    assert mins < report["equity"][0]["margin_balance_minor"]  # it hurt, but it survived


def test_short_squeeze_liquidates_a_high_leverage_short_on_a_linear_contract():
    feed = 'kind = "scenario"\nname = "short-squeeze"\nsymbol = "ETHUSDT"\nprice = 3000'
    step = ('[[steps]]\nat_s = 1\naction = "order"\nsymbol = "ETHUSDT"\nside = "sell"\nqty = 1000000\n'
            'type = "market"\nleverage = 25\n')
    report = run_script(parse_script(script(feed, step, duration=3600)))
    check_invariants(report)
    assert report["liquidations"] and report["liquidations"][0]["side"] == "sell"


def test_funding_is_paid_at_0400_utc_by_a_long_when_positive():
    report = run_script(parse_script(script('kind = "synthetic"\nsymbol = "XBTUSD"\nprice = 50000',
                                            long_step(5), duration=6 * 3600)))
    check_invariants(report)
    (f,) = report["funding"]
    assert f["time"] == "2024-03-01T04:00:00.000Z"
    assert (f["amount_minor"] < 0) == (f["rate"] > 0)
    assert [r["amount_minor"] for r in report["ledger"] if r["kind"] == "funding"] == [f["amount_minor"]]


def test_funding_spike_pins_the_cap():
    feed = 'kind = "scenario"\nname = "funding-spike"\nsymbol = "XBTUSD"\nprice = 50000'
    report = run_script(parse_script(script(feed, long_step(5), duration=24 * 3600)))
    cap = CAT["XBTUSD"].funding_cap
    assert len(report["funding"]) >= 2
    assert all(abs(abs(f["rate"]) - cap) < 1e-9 for f in report["funding"][1:])


def test_replay_of_the_shipped_real_sample():
    feed = 'kind = "bars"\nsymbol = "XBTUSD"\npath = "btcusd-30m-2017-12.csv"'
    report = run_script(parse_script(script(feed, long_step(5, qty=1000), duration=86_400)))
    check_invariants(report)
    assert report["fills"][0]["time"].startswith("2017-12-01")
    assert report["stats"]["ticks"] == 86_400


def test_cli_run_is_byte_identical_and_bad_scripts_exit_2(tmp_path):
    good = tmp_path / "s.toml"
    good.write_text(script(CRASH, long_step(50)), encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-m", "ui.cli", "run", str(good)], capture_output=True, cwd=ROOT)
            for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    check_invariants(json.loads(runs[0].stdout))
    bad = tmp_path / "bad.toml"
    bad.write_text(script(CRASH, long_step(50).replace("qty = ", "qyt = ")), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "run", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "qyt" in r.stderr and "bad.toml:" in r.stderr


def test_rejections_are_reported_with_step_and_reason():
    steps = long_step(10) + '[[steps]]\nat_s = 2\naction = "order"\nside = "buy"\nqty = 150\n'
    report = run_script(parse_script(script(CRASH, steps)))
    (rej,) = report["rejections"]
    assert rej["step"] == 2 and "lot size" in rej["reason"]


@pytest.mark.parametrize("symbol", ["ETHUSD", "XRPUSDT", "ADAUSD", "ETHUSDZ26"])
def test_any_scenario_plays_on_any_instrument(symbol):
    inst = CAT[symbol]
    feed = f'kind = "scenario"\nname = "flash-crash"\nsymbol = "{symbol}"'
    report = run_script(parse_script(script(feed, long_step(inst.max_leverage, symbol, inst.lot_size * 10))))
    check_invariants(report)
    assert report["liquidations"], symbol


@pytest.mark.parametrize("body, words", [
    ("duration_s = 600\n[account]\nXBT = inf\n", "XBT in [account]"),
    ("duration_s = 600\n[account]\nXBT = 1e300\n", "XBT in [account]"),
    ('duration_s = 600\n[[steps]]\nat_s = 1\naction = "margin"\namount = nan\n', "amount in [[steps]] #1"),
    ('duration_s = 600\n[[steps]]\nat_s = 1\naction = "order"\nside = "buy"\nqty = inf\n', "qty in [[steps]] #1"),
])
def test_non_finite_or_absurd_script_numbers_exit_2(tmp_path, body, words):
    path = tmp_path / "t.toml"
    path.write_text(body, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "run", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_shipped_demo_scripts_play():
    from terminal.session.script import load_script

    for path in sorted((ROOT / "resources" / "scripts").glob("*.toml")):
        report = run_script(load_script(path))
        check_invariants(report)
        assert report["fills"] and not report["rejections"], path.name
    demo = run_script(load_script(ROOT / "resources" / "scripts" / "flash-crash-demo.toml"))
    assert len(demo["liquidations"]) == 1 and demo["final"]["positions"][0]["leverage"] == 5
