"""The named predicates a lesson's ``[[checks]]`` use, each a pure function of what the monitor has seen.

A verdict is ``passed`` (True / False / None = not yet known), a ``detail`` quoting the session's numbers, and
``settled`` (nothing later can change it). While the session plays, "did X" checks stay open until X happens and
"never did Y" checks hold (unsettled) until Y happens or the session ends; :func:`evaluate` with ``final=True``
settles every check.

Kinds and their parameters:

- ``opened_position`` — opened ≥ ``min_count`` positions matching ``symbol``, ``side``, ``margin_mode``,
  ``min_leverage`` / ``max_leverage`` (the leverage when the position opened);
- ``leverage_at_most`` — no position ever held above ``max_leverage`` (raising it later counts too);
- ``stop_rested`` — a stop-loss rested ≥ ``min_coverage_pct`` of the time a position was open, and every
  position had one;
- ``risk_at_stop`` — the loss at the stop never exceeded ``max_pct`` of the account (wallet at entry);
- ``margin_at_risk`` — each position's initial margin was ≤ ``max_pct`` of the account when it opened;
- ``not_liquidated``; ``cross_positions`` — held ≥ ``min_count`` cross positions at once;
- ``closed_before_funding`` — held a position and none was open at a funding instant;
- ``changed_leverage_open`` — changed the leverage of an open position (``direction`` lower / higher / any);
- ``added_margin`` — added margin to an open isolated position;
- ``traded`` — ≥ ``min_count`` fills (on ``symbol``); ``entry_order_type`` — every fill that opened or added to a
  position (on ``symbol``) came from an order of ``order_types``;
- ``max_drawdown`` — the margin balance never fell more than ``max_pct`` from a peak;
- ``flat_at_end`` — no position open when the session ends.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from terminal.domain.money import format_money
from terminal.lessons.model import CheckSpec


def _money(currency: str, minor: int) -> str:
    return format_money(currency, minor, 8 if currency == "XBT" else 2)


@dataclass(frozen=True)
class Verdict:
    passed: bool | None
    detail: str
    settled: bool


@dataclass(frozen=True)
class Opened:
    symbol: str
    side: str
    leverage: float
    margin_mode: str
    time_ms: int
    account_minor: int
    initial_margin_minor: int | None
    maint_margin_minor: int | None
    liq_price: float | None
    entry_price: float | None


@dataclass
class Facts:
    """What the monitor has seen so far (plain values, updated each batch)."""

    opened: list[Opened] = field(default_factory=list)
    max_leverage_held: float = 0.0
    open_ms: int = 0
    covered_ms: int = 0
    trips_without_stop: int = 0
    trips_total: int = 0
    worst_risk_pct: float | None = None
    liquidations: int = 0
    max_cross: int = 0
    funding_exposed: int = 0
    funding_minor: int = 0
    funding_currency: str = "XBT"
    leverage_changes: list[tuple[str, float, float]] = field(default_factory=list)
    margin_added_minor: int = 0
    fills_by_symbol: dict[str, int] = field(default_factory=dict)
    entry_types: list[tuple[str, str]] = field(default_factory=list)  # (symbol, order type) of opening fills
    max_drawdown_pct: float = 0.0
    open_symbols: list[str] = field(default_factory=list)


def _match(spec: CheckSpec, o: Opened) -> bool:
    return ((spec.symbol is None or o.symbol == spec.symbol)
            and (spec.side == "any" or o.side == spec.side)
            and (spec.margin_mode == "any" or o.margin_mode == spec.margin_mode)
            and (spec.min_leverage is None or o.leverage >= spec.min_leverage - 1e-9)
            and (spec.max_leverage is None or o.leverage <= spec.max_leverage + 1e-9))


def _opened_list(facts: Facts) -> str:
    if not facts.opened:
        return "no position opened"
    return "opened: " + ", ".join(f"{o.side} {o.symbol} {o.leverage:g}x {o.margin_mode}" for o in facts.opened[:6])


def _opened_position(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    hits = [o for o in f.opened if _match(s, o)]
    if len(hits) >= s.min_count:
        o = hits[s.min_count - 1]
        return Verdict(True, f"opened a {o.side} {o.symbol} at {o.leverage:g}x {o.margin_mode}", True)
    return Verdict(False if final else None, _opened_list(f), final)


def _leverage_at_most(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    cap = s.max_leverage or 0.0
    if f.max_leverage_held > cap + 1e-9:
        return Verdict(False, f"held a position at {f.max_leverage_held:g}x, above {cap:g}x", True)
    held = f"highest leverage held {f.max_leverage_held:g}x" if f.opened else "no position held"
    return Verdict(True, held, final)


def _stop_rested(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.open_ms <= 0 and not f.trips_total:
        return Verdict(False if final else None, "no position held", final)
    cov = 100.0 * f.covered_ms / f.open_ms if f.open_ms else 0.0
    detail = f"a stop rested {cov:.1f} % of the {f.open_ms / 1000:,.0f} s in a position"
    if f.trips_without_stop:
        detail += f"; {f.trips_without_stop} of {f.trips_total} positions never had one"
    ok = cov >= s.min_coverage_pct - 1e-9 and f.trips_without_stop == 0
    return Verdict(ok, detail, final)


def _risk_at_stop(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    cap = s.max_pct or 0.0
    if f.worst_risk_pct is not None and f.worst_risk_pct > cap + 1e-9:
        return Verdict(False, f"the stop risked {f.worst_risk_pct:.2f} % of the account (limit {cap:g} %)", True)
    if f.trips_without_stop:
        return Verdict(False, "a position had no stop-loss: the risk was the whole margin", final)
    if f.worst_risk_pct is None:
        return Verdict(False if final else None, "no position with a stop-loss yet", final)
    return Verdict(True, f"worst risk at the stop {f.worst_risk_pct:.2f} % of the account (limit {cap:g} %)", final)


def _margin_at_risk(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    cap = s.max_pct or 0.0
    worst = 0.0
    for o in f.opened:
        if o.initial_margin_minor is not None and o.account_minor > 0:
            worst = max(worst, 100.0 * o.initial_margin_minor / o.account_minor)
    if worst > cap + 1e-9:
        return Verdict(False, f"a position's margin was {worst:.2f} % of the account (limit {cap:g} %)", True)
    if not f.opened:
        return Verdict(False if final else None, "no position opened", final)
    return Verdict(True, f"largest margin {worst:.2f} % of the account (limit {cap:g} %)", final)


def _not_liquidated(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.liquidations:
        return Verdict(False, f"liquidated {f.liquidations} time{'s' if f.liquidations > 1 else ''}", True)
    return Verdict(True, "never liquidated", final)


def _cross_positions(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.max_cross >= s.min_count:
        return Verdict(True, f"held {f.max_cross} cross positions at once", True)
    return Verdict(False if final else None, f"at most {f.max_cross} cross position{'s' if f.max_cross != 1 else ''} "
                   f"at once (need {s.min_count})", final)


def _closed_before_funding(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.funding_exposed:
        return Verdict(False, f"a position was open at {f.funding_exposed} funding instant"
                       f"{'s' if f.funding_exposed > 1 else ''}: funding {_money(f.funding_currency, f.funding_minor)}",
                       True)
    if not f.trips_total:
        return Verdict(False if final else None, "no position held", final)
    return Verdict(True, "no position was open at a funding instant", final)


def _changed_leverage_open(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    for sym, old, new in f.leverage_changes:
        if s.symbol not in (None, sym):
            continue
        if s.direction == "any" or (s.direction == "lower") == (new < old):
            return Verdict(True, f"changed {sym} from {old:g}x to {new:g}x with the position open", True)
    seen = "; ".join(f"{sym} {old:g}x → {new:g}x" for sym, old, new in f.leverage_changes[:4])
    what = {"lower": "lowered", "higher": "raised", "any": "changed"}[s.direction]
    return Verdict(False if final else None, f"leverage not {what} on an open position" + (f" ({seen})" if seen else ""),
                   final)


def _added_margin(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.margin_added_minor > 0:
        return Verdict(True, f"added {_money(f.funding_currency, f.margin_added_minor)} of margin to an open position",
                       True)
    return Verdict(False if final else None, "no margin added to an open isolated position", final)


def _traded(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    n = f.fills_by_symbol.get(s.symbol, 0) if s.symbol else sum(f.fills_by_symbol.values())
    where = f" on {s.symbol}" if s.symbol else ""
    if n >= s.min_count:
        return Verdict(True, f"{n} fill{'s' if n != 1 else ''}{where}", True)
    return Verdict(False if final else None, f"{n} fill{'s' if n != 1 else ''}{where} (need {s.min_count})", final)


def _entry_order_type(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    allowed = set(s.order_types or [])
    mine = [(sym, t) for sym, t in f.entry_types if s.symbol in (None, sym)]
    bad = [t for _, t in mine if t not in allowed]
    where = f" on {s.symbol}" if s.symbol else ""
    if bad:
        return Verdict(False, f"entered{where} with a {bad[0].replace('_', '-')} order", True)
    if not mine:
        return Verdict(False if final else None, f"no entry{where} yet", final)
    return Verdict(True, f"every entry{where} used {' / '.join(sorted({t for _, t in mine}))} orders", final)


def _max_drawdown(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    cap = s.max_pct or 0.0
    ok = f.max_drawdown_pct <= cap + 1e-9
    return Verdict(ok, f"largest drawdown {f.max_drawdown_pct:.2f} % (limit {cap:g} %)", final or not ok)


def _flat_at_end(s: CheckSpec, f: Facts, final: bool) -> Verdict:
    if f.open_symbols:
        return Verdict(False if final else None, "still open: " + ", ".join(f.open_symbols), final)
    if not f.trips_total:
        return Verdict(False if final else None, "no position held", final)
    return Verdict(True if final else None, "every position closed", final)


CHECK_KINDS: dict[str, Callable[[CheckSpec, Facts, bool], Verdict]] = {
    "opened_position": _opened_position, "leverage_at_most": _leverage_at_most, "stop_rested": _stop_rested,
    "risk_at_stop": _risk_at_stop, "margin_at_risk": _margin_at_risk, "not_liquidated": _not_liquidated,
    "cross_positions": _cross_positions, "closed_before_funding": _closed_before_funding,
    "changed_leverage_open": _changed_leverage_open, "added_margin": _added_margin, "traded": _traded,
    "entry_order_type": _entry_order_type, "max_drawdown": _max_drawdown, "flat_at_end": _flat_at_end,
}


def evaluate(spec: CheckSpec, facts: Facts, final: bool) -> Verdict:
    return CHECK_KINDS[spec.kind](spec, facts, final)
