"""Formatting numbers the way the terminal shows them: by instrument (tick decimals) and currency."""
from __future__ import annotations

import math
from datetime import UTC, datetime

from terminal.domain.instruments import Instrument
from terminal.domain.money import MINOR_PER_MAJOR, SHORT_DECIMALS
from ui.style import units

DASH = "—"


def money(currency: str, minor: int | None, *, sign: bool = False, unit: bool = True) -> str:
    """``2033530`` XBt → ``'0.0203 XBT'`` (XBT 4 decimals, USDT 2), or in the display unit chosen (sats, USD)."""
    if minor is None:
        return DASH
    shown = units.CURRENT.render(currency, minor, sign=sign, unit=unit)
    if shown is not None:
        return shown
    d = SHORT_DECIMALS[currency]
    v = minor / MINOR_PER_MAJOR[currency]
    if minor and abs(v) < 10 ** -d:  # a small amount is shown in full rather than as 0.0000
        d = len(str(MINOR_PER_MAJOR[currency])) - 1
    text = f"{v:+,.{d}f}" if sign else f"{v:,.{d}f}"
    return f"{text} {currency}" if unit else text


def number(currency: str, minor: int) -> str:
    """An amount as a plain number in the currency's major unit with every minor digit (for CSV exports)."""
    per = MINOR_PER_MAJOR[currency]
    whole, part = divmod(abs(int(minor)), per)  # exact: integers, never a float
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{len(str(per)) - 1}d}"


def price(inst: Instrument, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:,.{inst.tick_decimals}f}"


def qty(value: int | float, sign: bool = False) -> str:
    return f"{value:+,.0f}" if sign else f"{value:,.0f}"


def pct(value: float | None, decimals: int = 2, sign: bool = True) -> str:
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:+.{decimals}f} %" if sign else f"{value:.{decimals}f} %"


def leverage(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "x"


def utc_time(ms: int, with_date: bool = True) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%d %H:%M:%S") if with_date else dt.strftime("%H:%M:%S")


def countdown(ms: int) -> str:
    s = max(0, int(ms // 1000))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
