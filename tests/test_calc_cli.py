"""`leverage-terminal calc`: the exact JSON surface, the worked numbers, and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ui.cli import main

KEYS = ["symbol", "side", "qty", "entry_price", "leverage", "margin_mode", "currency", "order_value",
        "initial_margin", "maint_margin", "cost", "liquidation_price", "bankruptcy_price"]


def calc(capsys, *args: str) -> dict:
    assert main(["calc", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_inverse_isolated_worked_example(capsys):
    out = calc(capsys, "--symbol", "XBTUSD", "--side", "buy", "--qty", "10000", "--entry", "50000", "--leverage", "10")
    assert list(out) == KEYS
    assert out["order_value"] == 0.2 and out["initial_margin"] == 0.02
    assert out["cost"] == 0.020315 and out["maint_margin"] == 0.001165
    assert abs(out["liquidation_price"] - 45_662.10) <= 0.5  # one tick
    assert out["currency"] == "XBT" and out["margin_mode"] == "isolated" and out["qty"] == 10000


def test_exit_adds_pnl_and_roe(capsys):
    out = calc(capsys, "--symbol", "XBTUSD", "--side", "buy", "--qty", "10000", "--entry", "50000",
               "--leverage", "10", "--exit", "55000")
    assert list(out) == KEYS + ["exit_price", "pnl", "roe_pct"]
    # per lot of 100 (was per contract, 10,000 × (2,000 − 1,818)): 100 × (200,000 − round(1e10/55,000) = 181,818)
    assert out["pnl"] == 0.018182
    assert out["roe_pct"] == 90.91  # 1,818,200 / 2,000,000
    assert "liquidated_before_exit" not in out


def test_order_cost_example(capsys):
    """BitMEX's "Calculating Order Cost" example on today's lot of 100 (the
    article's lot-1 value was 972,500): V = round(972,478.85) = 972,479, IM = ceil(9,724.79) = 9,725,
    Cost = 9,725 + round(729.36) + ceil(736.65) = 11,191."""
    out = calc(capsys, "--symbol", "XBTUSD", "--side", "buy", "--qty", "100", "--entry", "10283", "--leverage", "100")
    assert (out["order_value"], out["initial_margin"], out["cost"]) == (0.00972479, 0.00009725, 0.00011191)


def test_exit_beyond_liquidation_says_liquidated_and_gives_the_liquidation_pnl(capsys):
    """Long 10,000 at 50,000, 10x: liquidation 45,662.2; an exit at 40,000 is never reached — the position margin
    IM + C = 2,000,000 + 16,500 XBt is lost (ROE −100.83 %), as the GUI calculator says."""
    out = calc(capsys, "--symbol", "XBTUSD", "--side", "buy", "--qty", "10000", "--entry", "50000",
               "--leverage", "10", "--exit", "40000")
    assert out["liquidated_before_exit"] is True
    assert out["liquidation_pnl"] == -0.020165
    assert out["liquidation_roe_pct"] == -100.83


def test_linear_cross_published_example(capsys):
    out = calc(capsys, "--symbol", "ETHUSDT", "--side", "buy", "--qty", "20", "--qty-unit", "coin", "--entry", "1000",
               "--leverage", "50", "--cross", "--balance", "10000", "--maint-rate", "0.01", "--taker-fee", "0")
    assert out["qty"] == 2_000_000 and out["margin_mode"] == "cross" and out["currency"] == "USDT"
    assert (out["initial_margin"], out["maint_margin"]) == (400.0, 200.0)
    assert (out["liquidation_price"], out["bankruptcy_price"]) == (510.0, 500.0)


def test_cross_defaults_to_max_leverage_and_quanto_works(capsys):
    out = calc(capsys, "--symbol", "ETHUSD", "--side", "sell", "--qty", "10", "--entry", "3000", "--cross",
               "--balance", "0.05")
    assert out["leverage"] == 100 and out["currency"] == "XBT"
    assert out["liquidation_price"] > 3000


def test_usd_unit_and_1x_short_null_bankruptcy(capsys):
    out = calc(capsys, "--symbol", "XBTUSD", "--side", "sell", "--qty", "10000", "--qty-unit", "usd", "--entry",
               "50000", "--leverage", "1")
    assert out["bankruptcy_price"] is None and out["qty"] == 10000


@pytest.mark.parametrize("args, words", [
    (["--symbol", "NOPE", "--side", "buy", "--qty", "1", "--entry", "1", "--leverage", "1"], "unknown symbol"),
    (["--symbol", "XBTUSD", "--side", "buy", "--qty", "100", "--entry", "50000", "--leverage", "101"], "1x to 100x"),
    (["--symbol", "XBTUSD", "--side", "buy", "--qty", "100", "--entry", "50000", "--cross"], "--balance"),
    (["--symbol", "XBTUSD", "--side", "buy", "--qty", "-5", "--entry", "50000", "--leverage", "2"], "positive"),
    (["--symbol", "XBTUSD", "--side", "buy", "--qty", "nan", "--entry", "50000", "--leverage", "2"], "positive"),
    (["--symbol", "ETHUSD", "--side", "buy", "--qty", "1", "--qty-unit", "coin", "--entry", "3000", "--leverage", "2"],
     "cannot be given in coin"),
])
def test_bad_values_one_line_exit_2(capsys, args, words):
    assert main(["calc", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_bad_syntax_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["calc", "--symbol", "XBTUSD", "--side", "up", "--qty", "5", "--entry", "50000", "--leverage", "2"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and len(err.strip().splitlines()) == 1


def test_installed_style_invocation_subprocess():
    r = subprocess.run([sys.executable, "-m", "ui.cli", "calc", "--symbol", "XBTUSD", "--side", "buy",
                        "--qty", "10000", "--entry", "50000", "--leverage", "10"], capture_output=True, text=True)
    assert r.returncode == 0 and json.loads(r.stdout)["cost"] == 0.020315
    r = subprocess.run([sys.executable, "-m", "ui.cli", "calc", "--symbol", "XBTUSD"], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_linear_size_in_usd_and_coin_agree(capsys):
    usd = calc(capsys, "--symbol", "XBTUSDT", "--side", "buy", "--qty", "5000", "--qty-unit", "usd", "--entry", "50000",
               "--leverage", "10")
    coin = calc(capsys, "--symbol", "XBTUSDT", "--side", "buy", "--qty", "0.1", "--qty-unit", "coin", "--entry",
                "50000", "--leverage", "10")
    assert usd["qty"] == coin["qty"] == 100_000  # 0.1 XBT at 1e-6 XBT a contract
    assert usd["order_value"] == 5000.0


@pytest.mark.parametrize("extra, words", [
    (["--maint-rate", "0.2"], "not below the initial-margin rate"),
    (["--cross", "--balance", "0.001"], "does not cover the order's cost"),
    (["--taker-fee", "-0.01"], "cannot be negative"),
    (["--qty", "1e30"], "above XBTUSD's maximum order"),
])
def test_calc_refuses_what_cannot_exist(capsys, extra, words):
    args = ["--symbol", "XBTUSD", "--side", "buy", "--qty", "10000", "--entry", "50000", "--leverage", "10"]
    if "--qty" in extra:
        args[5] = extra[1]
        extra = []
    assert main(["calc", *args, *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_well_funded_cross_long_has_no_liquidation_price(capsys):
    out = calc(capsys, "--symbol", "ADAUSDT", "--side", "buy", "--qty", "1000", "--entry", "0.45", "--leverage", "20",
               "--cross", "--balance", "100")
    assert out["liquidation_price"] is None and out["bankruptcy_price"] is None


def test_help_says_what_calc_does_and_when_leverage_is_needed(capsys):
    with pytest.raises(SystemExit) as done:
        main(["calc", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("Cost", "liquidation and bankruptcy price", "liquidated_before_exit", "--leverage for an isolated",
                  "--funding-rate", "example:"):
        assert words in text


def test_funding_rate_is_reserved_by_the_side_that_pays_it(capsys):
    """MECHANICS §2: +0.01 % due, long 10,000 at 50,000, 10x: MM = ceil(0.0051 × 20,000,000) + 16,500 = 118,500 XBt
    and liquidation 50,000/1.0949 = 45,666.27 → 45,666.3; the short (which receives it) keeps MM 116,500."""
    args = ["--symbol", "XBTUSD", "--qty", "10000", "--entry", "50000", "--leverage", "10", "--funding-rate", "0.0001"]
    long = calc(capsys, "--side", "buy", *args)
    assert (long["maint_margin"], long["liquidation_price"]) == (0.001185, 45_666.3)
    assert calc(capsys, "--side", "sell", *args)["maint_margin"] == 0.001165


def test_a_size_or_price_the_exchange_would_round_is_said_on_stderr_json_unchanged(capsys):
    assert main(["calc", "--symbol", "XBTUSD", "--side", "buy", "--qty", "150", "--entry", "45000.03",
                 "--leverage", "10"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["qty"] == 200 and out["entry_price"] == 45000.0
    assert "150 contracts rounded to 200" in captured.err and "lots of 100" in captured.err
    assert "45000.03 rounded to 45,000.0" in captured.err
    assert main(["calc", "--symbol", "XBTUSD", "--side", "buy", "--qty", "200", "--entry", "45000",
                 "--leverage", "10"]) == 0
    assert capsys.readouterr().err == ""  # nothing rounded, nothing said
