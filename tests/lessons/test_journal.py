"""The trade journal: one row per round trip, with the money figures kept apart and derived by hand."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from terminal.domain.account import Fill, FundingRecord
from terminal.lessons.journal import CSV_COLUMNS, JournalBuilder, write_journal_csv
from tests.helpers import catalog_with, instrument

COIN = instrument(symbol="TESTUSDT", taker_fee=0.0005)  # 1 coin a contract, USDT, tick 0.01


def fill(fid: int, t: int, side: str, qty: int, price: float, fee: int, realised: int, liquidity: str = "taker",
         order_id: int | None = None) -> Fill:
    return Fill(fid, t, order_id, "TESTUSDT", side, qty, price, liquidity, fee, realised, "USDT", "market")


def test_a_round_trip_row_by_hand() -> None:
    """Long 10 at 100.00, stop at 98.00 (risk 10 × 2 = 20 USDT), closed at 103.00: realised 30 USDT = +1.5 R.
    Fees 0.05 % of 1,000 and of 1,030 USDT = 0.50 + 0.515; funding −0.10 USDT; net = 30 − 1.015 − 0.10.
    Slippage: each taker fill is one tick (0.01) away from the intended price: 2 × 10 × 0.01 = 0.20 USDT, so the
    decision's PnL (at the intended prices) is 30.20. The mark ranged 97.50 … 104.00: MFE +40, MAE −25 USDT, and
    with the liquidation price at 90.50 the closest approach was (97.50 − 90.50) / 97.50 = 7.18 %."""
    j = JournalBuilder(catalog_with(COIN))
    j.on_fill(fill(1, 1_000, "buy", 10, 100.00, 500_000, 0), 10.0, False, 1_000_000_000)
    trip = j.open["TESTUSDT"]
    trip.stop_at_entry = 98.00
    j.on_marks("TESTUSDT", 97.50, 104.00, 90.50)
    j.on_funding(FundingRecord(2_000, "TESTUSDT", 0.0001, 100.0, 10, -100_000, "USDT"))
    j.on_fill(fill(2, 3_000, "sell", 10, 103.00, 515_000, 30_000_000), 10.0, False, 1_000_000_000)
    [row] = j.rows()
    assert row["entry_price"] == 100.00 and row["exit_price"] == 103.00 and row["size"] == 10
    assert row["r_multiple"] == 1.5
    assert row["fees_minor"] == 1_015_000 and row["funding_minor"] == -100_000
    assert row["slippage_minor"] == 200_000 and row["decision_pnl_minor"] == 30_200_000
    assert row["net_pnl_minor"] == 30_000_000 - 1_015_000 - 100_000
    assert row["mfe_minor"] == 40_000_000 and row["mae_minor"] == -25_000_000
    assert abs(float(row["closest_liq_pct"]) - 7.179) < 1e-3
    assert row["closed_ms"] == 3_000 and not row["liquidated"]


def test_a_flip_closes_one_trip_and_opens_the_next() -> None:
    """Long 10, then sell 25: 10 close the long, 15 open a short; the fee is split 10 : 15."""
    j = JournalBuilder(catalog_with(COIN))
    j.on_fill(fill(1, 1, "buy", 10, 100.0, 0, 0), 5.0, False, 1)
    j.on_fill(fill(2, 2, "sell", 25, 101.0, 2_500, 10_000_000), 5.0, False, 1)
    long, short = j.trips
    assert long.closed_ms == 2 and long.fees_minor == 1_000 and long.realised_minor == 10_000_000
    assert short.is_open and short.side == "short" and short.qty == 15 and short.fees_minor == 1_500


def test_csv_has_unit_columns_and_major_units(tmp_path: Path) -> None:
    j = JournalBuilder(catalog_with(COIN))
    j.on_fill(fill(1, 1, "buy", 10, 100.0, 500_000, 0), 10.0, False, 1)
    j.on_fill(fill(2, 2, "sell", 10, 103.0, 515_000, 30_000_000), 10.0, False, 1)
    j.set_note(1, "took profit at the plan")
    p = tmp_path / "j.csv"
    write_journal_csv(p, j.rows())
    rows = list(csv.reader(p.open(encoding="utf-8")))
    assert tuple(rows[0]) == CSV_COLUMNS
    r = dict(zip(rows[0], rows[1]))
    assert r["money_unit"] == "USDT" and r["size_unit"] == "contracts"
    assert r["decision_pnl"] == "30.200000" and r["note"] == "took profit at the plan"


def test_the_report_has_a_journal_section_and_csv(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    script = root / "resources" / "scripts" / "flash-crash-demo.toml"
    exe = [sys.executable, "-m", "ui.cli"]
    subprocess.run([*exe, "run", str(script), "--data-dir", str(tmp_path)], check=True, capture_output=True)
    out = tmp_path / "r.html"
    subprocess.run([*exe, "report", "--out", str(out), "--data-dir", str(tmp_path)], check=True, capture_output=True)
    assert '<section id="journal">' in out.read_text(encoding="utf-8")
    rows = list(csv.DictReader((tmp_path / "r.journal.csv").open(encoding="utf-8")))
    assert rows[0]["liquidated"] == "yes" and rows[0]["leverage"] == "25.0"  # the demo's 25x long is liquidated
