"""The shared defaults are declared once (terminal/domain/defaults.py) and every user takes them from there."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from terminal.domain import defaults
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.domain.orders import ORDER_TYPE_LABELS, ORDER_TYPE_SHORT_LABELS, OrderType
from terminal.session.script import parse_script

ROOT = Path(__file__).resolve().parents[1]
#: literals that must appear in code only where they are defined
DECLARED_ONCE = {
    r"1_?709_?251_?200_?000": "terminal/domain/defaults.py",  # the default start, in ms
    r"\(1, 2, 3, 5, 10, 25, 50, 100\)": "terminal/domain/defaults.py",  # leverage presets
    r'"Take Profit (Market|Mkt)"': "terminal/domain/orders.py",  # order-type labels
}


def test_a_fresh_account_starts_on_1_march_2024_with_1_xbt_and_10000_usdt() -> None:
    start = defaults.DEFAULT_START_AT
    assert start == datetime(2024, 3, 1, tzinfo=UTC)
    start_ms = defaults.DEFAULT_START_MS
    assert start_ms == int(start.timestamp()) * 1000
    wallets = defaults.DEFAULT_WALLETS_MINOR
    assert wallets == {"XBT": 1 * MINOR_PER_MAJOR["XBT"], "USDT": 10_000 * MINOR_PER_MAJOR["USDT"]}
    script = parse_script('[feed]\nkind = "synthetic"\nsymbol = "XBTUSD"\n')
    assert script.start == defaults.DEFAULT_START_AT
    assert script.account == {"XBT": 1.0, "USDT": 10000.0}


def test_every_order_type_has_a_label_and_a_short_one() -> None:
    assert set(ORDER_TYPE_LABELS) == set(OrderType)
    assert set(ORDER_TYPE_SHORT_LABELS) == {t.value for t in OrderType}
    assert all(len(label) <= 15 for label in ORDER_TYPE_SHORT_LABELS.values())


def test_shared_literals_are_declared_in_one_module() -> None:
    offenders = []
    for path in [*ROOT.glob("terminal/**/*.py"), *ROOT.glob("ui/**/*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for pattern, home in DECLARED_ONCE.items():
            if rel != home and re.search(pattern, text):
                offenders.append(f"{rel} repeats {pattern} (import it from {home})")
    assert not offenders, offenders
