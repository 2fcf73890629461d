"""`run --data-dir` keeps the order history of the stored account (issue 15: orders_history got no rows)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ui.cli import main

SCRIPT = """seed = 5
duration_s = 900
[feed]
kind = "synthetic"
symbol = "XBTUSD"
[[steps]]
at_s = 10
action = "order"
side = "buy"
qty = 1000
leverage = 10
[[steps]]
at_s = 20
action = "order"
side = "sell"
qty = 500
type = "limit"
price = 900000
order_ref = "far"
[[steps]]
at_s = 30
action = "order"
side = "buy"
qty = 200
type = "limit"
price = 1000
[[steps]]
at_s = 40
action = "cancel"
order_ref = "far"
"""


def test_run_into_a_data_dir_records_every_order_with_its_last_status(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "s.toml").write_text(SCRIPT)
    assert main(["run", str(tmp_path / "s.toml"), "--data-dir", str(tmp_path / "d")]) == 0
    report = json.loads(capsys.readouterr().out)
    db = sqlite3.connect(tmp_path / "d" / "accounts" / "practice.sqlite")
    rows = {oid: (status, json.loads(js)) for oid, status, js in
            db.execute("SELECT order_id, status, json FROM orders_history ORDER BY order_id")}
    db.close()
    assert len(rows) == 3, rows  # the market buy, the far limit sell (cancelled), the resting limit buy
    assert sorted(status for status, _ in rows.values()) == ["cancelled", "filled", "open"]
    filled = [js for status, js in rows.values() if status == "filled"]
    assert filled[0]["side"] == "buy" and filled[0]["qty"] == 1000
    assert {f["order_id"] for f in report["fills"]} <= set(rows)

    # a second run goes on in the stored account: its three orders join the history
    assert main(["run", str(tmp_path / "s.toml"), "--data-dir", str(tmp_path / "d")]) == 0
    db = sqlite3.connect(tmp_path / "d" / "accounts" / "practice.sqlite")
    assert db.execute("SELECT COUNT(*) FROM orders_history").fetchone()[0] == 6
    assert db.execute("SELECT COUNT(*) FROM orders_history WHERE status = 'cancelled'").fetchone()[0] == 2
    db.close()
