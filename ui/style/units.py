"""Display units for money: the settlement coin (as BitMEX shows it), satoshis, or US dollars at the mark.

A room reading "1.0000 XBT" cannot see a 1,500-satoshi fee; in sats every satoshi shows ("99,998,500 sat") and in
USD the account reads in the currency people think in ("$50,012.34"). The choice is one process-wide setting that
``ui.style.format.money`` consults, so the account strip, the tables and the order form's read-outs always agree,
each unit with fixed digits: sats whole numbers, USD two decimals, coins as the instrument shows them. The ledger
and every export stay in the settlement currency's minor units (CSV files carry numbers and a unit column).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from terminal.domain.money import MINOR_PER_MAJOR

UNITS = ("coin", "sats", "usd")
LABELS = {"coin": "Coin", "sats": "Sats", "usd": "USD"}
SATS_CURRENCIES = {"XBT"}  # satoshi is the minor unit of these
USD_LIKE = {"USDT": 1.0, "USD": 1.0}  # a dollar stablecoin counts 1:1 at the mark


@dataclass
class DisplayUnits:
    unit: str = "coin"
    usd_per: dict[str, float] = field(default_factory=dict)  # currency → USD per coin (XBT: the XBTUSD mark)

    def set_unit(self, unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        self.unit = unit

    def rate(self, currency: str) -> float | None:
        return USD_LIKE.get(currency) or self.usd_per.get(currency)

    def render(self, currency: str, minor: int, *, sign: bool, unit: bool) -> str | None:
        """The amount in the chosen unit, or None to show it in the coin (coin mode, or no rate yet)."""
        if self.unit == "sats" and currency in SATS_CURRENCIES:
            text = f"{minor:+,d}" if sign else f"{minor:,d}"
            return f"{text} sat" if unit else text
        if self.unit == "usd":
            rate = self.rate(currency)
            if rate is None:
                return None
            usd = minor / MINOR_PER_MAJOR[currency] * rate
            body = f"${abs(usd):,.2f}"
            if usd < 0 and round(usd, 2) != 0:
                return "-" + body
            return ("+" + body) if sign else body
        return None


CURRENT = DisplayUnits()


def set_unit(unit: str) -> None:
    CURRENT.set_unit(unit)


def current() -> str:
    return CURRENT.unit
