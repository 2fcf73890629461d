"""The defaults every part of the terminal shares — one place each, imported everywhere else.

* a fresh practice account (the GUI's, a new stored account, ``account`` on an empty folder) starts on
  2024-03-01T00:00:00Z with 1 XBT and 10,000 USDT; a script without ``start`` / ``[account]`` too;
* the leverage presets of the order form's slider and the trainer's curve (BitMEX's stops, each shown
  only up to the instrument's maximum).
"""
from __future__ import annotations

from datetime import UTC, datetime

from terminal.domain.money import MINOR_PER_MAJOR

#: 2024-03-01T00:00:00Z in milliseconds since the epoch
DEFAULT_START_MS = 1_709_251_200_000
#: the same instant as a datetime (a script's default ``start``)
DEFAULT_START_AT = datetime.fromtimestamp(DEFAULT_START_MS / 1000, UTC)

#: 1 XBT and 10,000 USDT, in minor units (satoshi, micro-USDT)
DEFAULT_WALLETS_MINOR: dict[str, int] = {"XBT": 100_000_000, "USDT": 10_000_000_000}


def default_wallets_major() -> dict[str, float]:
    """:data:`DEFAULT_WALLETS_MINOR` in major units, as a script's ``[account]`` table writes them."""
    return {cur: amount / MINOR_PER_MAJOR[cur] for cur, amount in DEFAULT_WALLETS_MINOR.items()}


#: leverage stops of the order form and the trainer, up to each instrument's maximum
PRESET_LEVERAGES = (1, 2, 3, 5, 10, 25, 50, 100)
