"""Currencies and integer minor units.

The ledger holds integers of the settlement currency's minor unit, as BitMEX does:
XBt (satoshi, 1e-8 XBT) and USDt (1e-6 USDT). A float never reaches the ledger.
"""
from __future__ import annotations

import math

MINOR_PER_MAJOR: dict[str, int] = {"XBT": 100_000_000, "USDT": 1_000_000}
DISPLAY_DECIMALS: dict[str, int] = {"XBT": 8, "USDT": 6}
SHORT_DECIMALS: dict[str, int] = {"XBT": 4, "USDT": 2}


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves away from zero (symmetric for rebates)."""
    if x >= 0:
        return int(math.floor(x + 0.5 + 1e-9))
    return -int(math.floor(-x + 0.5 + 1e-9))


def to_minor(currency: str, amount: float) -> int:
    return round_half_up(amount * MINOR_PER_MAJOR[currency])


def to_major(currency: str, minor: int) -> float:
    return minor / MINOR_PER_MAJOR[currency]


def format_money(currency: str, minor: int, decimals: int | None = None) -> str:
    """``1234567`` XBt → ``'0.0123 XBT'`` (4 decimals unless told)."""
    d = SHORT_DECIMALS[currency] if decimals is None else decimals
    return f"{to_major(currency, minor):,.{d}f} {currency}"
