"""The session's own numbers a debrief may quote: their names, units and how each is written.

Money metrics end in ``_minor`` (integer minor units of the lesson's settlement currency); percentages end in
``_pct``; leverages are plain numbers written with an ``x``. A metric that did not happen (no stop, no position)
is ``None`` and is written "–".
"""
from __future__ import annotations

from typing import Literal

from terminal.domain.money import format_money

Unit = Literal["money", "pct", "leverage", "count", "price", "text"]

#: name → (unit, what it is)
METRICS: dict[str, tuple[Unit, str]] = {
    "return_pct": ("pct", "change of the margin balance since the start, percent"),
    "pnl_minor": ("money", "change of the margin balance since the start"),
    "max_drawdown_pct": ("pct", "largest fall of the margin balance from a peak, percent"),
    "max_leverage": ("leverage", "highest leverage of any position held"),
    "liquidations": ("count", "positions liquidated"),
    "round_trips": ("count", "positions opened and closed"),
    "fills": ("count", "fills"),
    "fees_minor": ("money", "fees paid (negative: rebates received)"),
    "funding_minor": ("money", "funding received (negative: paid)"),
    "slippage_minor": ("money", "cost of fills away from the intended price"),
    "worst_risk_pct": ("pct", "largest loss at the stop, percent of the account"),
    "stop_coverage_pct": ("pct", "share of the time in a position with a stop-loss resting"),
    "closest_liq_pct": ("pct", "closest the mark came to the liquidation price, percent of the price"),
    "first_leverage": ("leverage", "leverage of the first position"),
    "first_liq_price": ("price", "liquidation price of the first position when it opened"),
    "first_liq_distance_pct": ("pct", "distance from the first entry to its liquidation price, percent"),
    "rule_of_thumb_pct": ("pct", "the rule of thumb's distance for the first leverage: 100 / leverage"),
    "first_initial_margin_minor": ("money", "initial margin of the first position"),
    "first_maint_margin_minor": ("money", "maintenance margin of the first position"),
    "margin_added_minor": ("money", "margin added to isolated positions"),
    "max_cross_positions": ("count", "most cross positions held at once"),
    "same_move_roe": ("text", "the first round trip's price move, as a return on margin at 1x, 10x and 100x"),
    "roe_by_leverage": ("text", "return on margin of each round trip, with its leverage"),
    "symbols_traded": ("text", "symbols with fills"),
}


def format_metric(name: str, value: object, currency: str, format_price: object = None) -> str:
    """``value`` of metric ``name`` as a trainee reads it."""
    if value is None:
        return "–"
    unit = METRICS[name][0]
    if unit == "money" and isinstance(value, int):
        return format_money(currency, value, 8 if currency == "XBT" else 2)
    if unit == "pct" and isinstance(value, (int, float)):
        return f"{value:.2f} %"
    if unit == "leverage" and isinstance(value, (int, float)):
        return f"{value:g}x"
    if unit == "price" and isinstance(value, (int, float)):
        return format_price(value) if callable(format_price) else f"{value:,.8g}"
    return str(value)
