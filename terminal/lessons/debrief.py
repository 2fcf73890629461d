"""The debrief: the session's own numbers (see :mod:`terminal.lessons.metrics`) and the lesson's text with them."""
from __future__ import annotations

import string
from typing import Any

from terminal.domain.instruments import Instrument
from terminal.domain.training import curve_point, roe_of_move
from terminal.lessons.journal import RoundTrip
from terminal.lessons.metrics import METRICS, format_metric
from terminal.lessons.model import Lesson
from terminal.lessons.monitor import SessionMonitor


def session_numbers(monitor: SessionMonitor, currency: str) -> dict[str, Any]:
    """Every metric of :data:`METRICS` for the session ``monitor`` watched (money in ``currency``)."""
    ex, f = monitor.ex, monitor.facts
    start = monitor.start_equity.get(currency, 0)
    now = ex.currency_totals(currency)["margin_balance"]
    trips = monitor.journal.trips
    cat = ex.catalog
    first = f.opened[0] if f.opened else None
    closest = [t.closest_liq_pct for t in trips if t.closest_liq_pct is not None]
    roes = []
    for t in trips:
        roe = t.roe_pct(cat[t.symbol])
        if roe is not None and not t.is_open:
            roes.append(f"{t.leverage:g}x {t.side} {t.symbol} {roe:+.2f} %")
    first_dist = None
    if first is not None and first.liq_price is not None and first.entry_price:
        first_dist = round(abs(first.liq_price - first.entry_price) / first.entry_price * 100, 3)
    fees = sum(t.fees_minor for t in trips if t.currency == currency)
    return {
        "return_pct": round((now - start) / start * 100, 4) if start else None,
        "pnl_minor": now - start,
        "max_drawdown_pct": round(f.max_drawdown_pct, 4),
        "max_leverage": f.max_leverage_held or None,
        "liquidations": f.liquidations,
        "round_trips": sum(1 for t in trips if not t.is_open),
        "fills": sum(f.fills_by_symbol.values()),
        "fees_minor": fees,
        "funding_minor": f.funding_minor,
        "slippage_minor": sum(t.slippage_minor for t in trips if t.currency == currency),
        "worst_risk_pct": None if f.worst_risk_pct is None else round(f.worst_risk_pct, 4),
        "stop_coverage_pct": round(100.0 * f.covered_ms / f.open_ms, 2) if f.open_ms else None,
        "closest_liq_pct": round(min(closest), 3) if closest else None,
        "first_leverage": first.leverage if first else None,
        "first_liq_price": first.liq_price if first else None,
        "first_liq_distance_pct": first_dist,
        "rule_of_thumb_pct": round(100.0 / first.leverage, 3) if first and first.leverage else None,
        "first_initial_margin_minor": first.initial_margin_minor if first else None,
        "first_maint_margin_minor": first.maint_margin_minor if first else None,
        "margin_added_minor": f.margin_added_minor,
        "max_cross_positions": f.max_cross,
        "same_move_roe": next((_same_move(t, cat[t.symbol]) for t in trips if not t.is_open and not t.liquidated), None),
        "roe_by_leverage": "; ".join(roes) if roes else None,
        "symbols_traded": ", ".join(sorted(f.fills_by_symbol)) or None,
    }


def _same_move(trip: RoundTrip, inst: Instrument) -> str | None:
    """The trip's move from entry to exit as a return on margin at 1x, 10x and 100x — or where it liquidates."""
    entry, exit_ = trip.entry_price(inst), trip.exit_price(inst)
    if entry is None or exit_ is None:
        return None
    move = (exit_ - entry) / entry * 100.0
    parts = []
    for lev in (1.0, 10.0, 100.0):
        if lev > inst.max_leverage:
            continue
        liq = curve_point(inst, trip.direction, trip.max_qty, entry, lev).liquidation_price
        if liq is not None and (trip.worst_mark - liq) * trip.direction <= 0:
            parts.append(f"{lev:g}x liquidated at {inst.format_price(liq)}")
        else:
            parts.append(f"{lev:g}x {roe_of_move(inst, trip.direction, trip.max_qty, entry, lev, move):+.1f} %")
    return f"a {move:+.2f} % move ({trip.side}): " + ", ".join(parts)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "–"


def build_debrief(lesson: Lesson, monitor: SessionMonitor) -> dict[str, Any]:
    """The debrief as JSON-ready data: idea, text with the numbers filled in, the quoted numbers, the journal."""
    inst = monitor.ex.catalog[lesson.start.symbol]
    cur = inst.settle_currency
    numbers = session_numbers(monitor, cur)
    texts = {name: format_metric(name, numbers[name], cur, inst.format_price) for name in METRICS}
    text = string.Formatter().vformat(lesson.debrief.text, (), _Blank(texts)).strip()
    return {
        "idea": lesson.idea,
        "text": text,
        "currency": cur,
        "numbers": {name: numbers[name] for name in lesson.debrief.quote},
        "shown": [{"metric": name, "what": METRICS[name][1], "value": numbers[name], "text": texts[name]}
                  for name in lesson.debrief.quote],
        "round_trips": monitor.journal.rows(),
    }
