"""The trade journal: one row per round trip (a position from flat back to flat, or to a flip).

Built from what the exchange records — fills, funding — plus what a watcher saw while the trip was open: the mark's
range (MFE / MAE), the liquidation price (closest approach), the stop-loss resting at entry (R-multiple) and the
coach's warnings that still applied a minute after entry. Live, :class:`terminal.lessons.monitor.SessionMonitor`
feeds it every batch; afterwards :func:`journal_from_records` rebuilds it from a stored account (with 1-second mark
samples, and without stops, which the store does not keep).

Money is kept in integer minor units. Fees, funding and slippage are kept apart from the decision's PnL:
``decision = realised PnL at the intended prices``, ``net = realised − fees + funding``.
"""
from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from terminal.domain.account import Fill, FundingRecord
from terminal.domain.instruments import Catalog, Instrument
from terminal.domain.margin import pnl
from terminal.domain.money import MINOR_PER_MAJOR

COACH_GRACE_MS = 60_000  # the coach judges a trip as it stands one minute after entry


@dataclass
class RoundTrip:
    trip_id: int
    symbol: str
    currency: str
    side: str  # long | short
    opened_ms: int
    leverage: float
    margin_mode: str
    entry_value_exact: float = 0.0  # Σ value of opening fills (exact), for the average entry
    entry_qty: int = 0
    exit_value_exact: float = 0.0
    exit_qty: int = 0
    max_qty: int = 0
    qty: int = 0  # contracts open now
    closed_ms: int | None = None
    fees_minor: int = 0
    funding_minor: int = 0
    realised_minor: int = 0  # from the fills: fees and funding excluded
    slippage_minor: int = 0  # cost of fills away from the intended price (≥ 0 is a cost)
    best_mark: float = math.nan
    worst_mark: float = math.nan
    closest_liq_pct: float | None = None
    stop_at_entry: float | None = None
    account_at_entry_minor: int = 0
    coach_warnings: list[str] = field(default_factory=list)
    coach_done: bool = False
    liquidated: bool = False
    fills: int = 0
    note: str = ""

    @property
    def direction(self) -> int:
        return 1 if self.side == "long" else -1

    @property
    def is_open(self) -> bool:
        return self.closed_ms is None

    def entry_price(self, inst: Instrument) -> float | None:
        return inst.price_for_value(self.entry_qty, self.entry_value_exact) if self.entry_qty else None

    def exit_price(self, inst: Instrument) -> float | None:
        return inst.price_for_value(self.exit_qty, self.exit_value_exact) if self.exit_qty else None

    def risk_minor(self, inst: Instrument) -> int | None:
        """What the stop at entry would have lost on the largest size held."""
        entry = self.entry_price(inst)
        if self.stop_at_entry is None or entry is None:
            return None
        return abs(pnl(inst, self.direction, self.max_qty, entry, self.stop_at_entry))

    def excursion_minor(self, inst: Instrument, mark: float) -> int | None:
        entry = self.entry_price(inst)
        if entry is None or not math.isfinite(mark):
            return None
        return pnl(inst, self.direction, self.max_qty, entry, mark)

    def row(self, inst: Instrument) -> dict[str, object]:
        """The journal row: plain values, money in minor units of ``currency``."""
        entry, exit_ = self.entry_price(inst), self.exit_price(inst)
        risk = self.risk_minor(inst)
        decision = self.realised_minor + self.slippage_minor
        net = self.realised_minor - self.fees_minor + self.funding_minor
        return {
            "trip": self.trip_id, "symbol": self.symbol, "side": self.side, "currency": self.currency,
            "opened_ms": self.opened_ms, "closed_ms": self.closed_ms,
            "entry_price": None if entry is None else inst.round_price(entry),
            "exit_price": None if exit_ is None else inst.round_price(exit_),
            "size": self.max_qty, "leverage": self.leverage, "margin_mode": self.margin_mode,
            "stop_at_entry": self.stop_at_entry,
            "r_multiple": None if not risk else round(self.realised_minor / risk, 2),
            "mfe_minor": self.excursion_minor(inst, self.best_mark),
            "mae_minor": self.excursion_minor(inst, self.worst_mark),
            "decision_pnl_minor": decision, "fees_minor": self.fees_minor, "funding_minor": self.funding_minor,
            "slippage_minor": self.slippage_minor, "net_pnl_minor": net,
            "roe_pct": self.roe_pct(inst),
            "closest_liq_pct": None if self.closest_liq_pct is None else round(self.closest_liq_pct, 3),
            "liquidated": self.liquidated, "coach_warnings_ignored": list(self.coach_warnings), "note": self.note,
        }

    def roe_pct(self, inst: Instrument) -> float | None:
        entry = self.entry_price(inst)
        if entry is None or self.leverage <= 0:
            return None
        margin = inst.value_minor(self.max_qty, entry) / self.leverage
        return round(self.realised_minor / margin * 100, 2) if margin else None


class JournalBuilder:
    """Turns fills, funding and observed marks into round trips, in time order."""

    def __init__(self, catalog: Catalog, spread_ticks: int = 1) -> None:
        self.catalog = catalog
        self.spread_ticks = spread_ticks
        self.trips: list[RoundTrip] = []
        self.open: dict[str, RoundTrip] = {}
        self._qty: dict[str, int] = {}
        self.notes: dict[int, str] = {}
        self.intended: dict[int, float] = {}  # order id → the price a stop was meant to close at

    def _start(self, f: Fill, direction: int, leverage: float, cross: bool, account_minor: int) -> RoundTrip:
        trip = RoundTrip(len(self.trips) + 1, f.symbol, f.currency, "long" if direction > 0 else "short", f.time,
                         leverage, "cross" if cross else "isolated", account_at_entry_minor=account_minor)
        trip.note = self.notes.get(trip.trip_id, "")
        self.trips.append(trip)
        self.open[f.symbol] = trip
        return trip

    def _slippage(self, inst: Instrument, f: Fill, qty: int) -> int:
        """Cost of a taker fill against its intended price: the order book's when the fill says it, a stop's
        trigger price, else the last trade ± the spread."""
        if f.liquidity != "taker":
            return 0
        intended = getattr(f, "intended_price", None)
        if intended is None and f.order_id is not None:
            intended = self.intended.get(f.order_id)
        if intended is None:
            direction = 1 if f.side == "buy" else -1
            intended = f.price - direction * self.spread_ticks * inst.tick_size
        direction = 1 if f.side == "buy" else -1
        return pnl(inst, direction, qty, float(intended), f.price) if qty else 0

    def on_fill(self, f: Fill, leverage: float, cross: bool, account_minor: int) -> None:
        inst = self.catalog[f.symbol]
        before = self._qty.get(f.symbol, 0)
        signed = f.qty if f.side == "buy" else -f.qty
        if f.liquidity == "liquidation":
            signed = -before
        after = before + signed
        self._qty[f.symbol] = after
        trip = self.open.get(f.symbol)
        closing = 0 if before == 0 or (before > 0) == (signed > 0) else min(abs(signed), abs(before))
        opening = abs(signed) - closing
        if closing and trip is not None:
            part = closing / abs(signed)
            trip.exit_qty += closing
            trip.exit_value_exact += inst.value_exact(closing, f.price)
            trip.realised_minor += f.realised_pnl_minor
            trip.fees_minor += round(f.fee_minor * part) if opening else f.fee_minor
            trip.slippage_minor += self._slippage(inst, f, closing)
            trip.fills += 1
            trip.qty = abs(after) if opening == 0 else 0
            if f.liquidity == "liquidation":
                trip.liquidated = True
                trip.closest_liq_pct = 0.0
            if trip.qty == 0:
                trip.closed_ms = f.time
                self.open.pop(f.symbol, None)
        if opening:
            if trip is None or not trip.is_open:
                direction = 1 if signed > 0 else -1
                trip = self._start(f, direction, leverage, cross, account_minor)
            share = f.fee_minor - (round(f.fee_minor * closing / abs(signed)) if closing else 0)
            trip.entry_qty += opening
            trip.entry_value_exact += inst.value_exact(opening, f.price)
            trip.fees_minor += share
            trip.slippage_minor += self._slippage(inst, f, opening)
            trip.qty = abs(after)
            trip.max_qty = max(trip.max_qty, trip.qty)
            trip.fills += 1
            trip.leverage = max(trip.leverage, leverage)

    def on_funding(self, rec: FundingRecord) -> None:
        trip = self.open.get(rec.symbol)
        if trip is not None:
            trip.funding_minor += rec.amount_minor

    def on_marks(self, symbol: str, low: float, high: float, liq: float | None) -> None:
        """The mark ranged over [low, high] while ``liq`` was the liquidation price."""
        trip = self.open.get(symbol)
        if trip is None or not (math.isfinite(low) and math.isfinite(high)):
            return
        best, worst = (high, low) if trip.direction > 0 else (low, high)
        if math.isnan(trip.best_mark) or (best - trip.best_mark) * trip.direction > 0:
            trip.best_mark = best
        if math.isnan(trip.worst_mark) or (worst - trip.worst_mark) * trip.direction < 0:
            trip.worst_mark = worst
        if liq is not None and math.isfinite(liq) and worst > 0:
            dist = max(0.0, (worst - liq) * trip.direction / worst * 100.0)
            if trip.closest_liq_pct is None or dist < trip.closest_liq_pct:
                trip.closest_liq_pct = dist

    def set_note(self, trip_id: int, note: str) -> None:
        self.notes[trip_id] = note
        for t in self.trips:
            if t.trip_id == trip_id:
                t.note = note

    def rows(self) -> list[dict[str, object]]:
        return [t.row(self.catalog[t.symbol]) for t in self.trips]


def journal_from_records(catalog: Catalog, fills: Iterable[Fill], funding: Iterable[FundingRecord],
                         marks: dict[str, list[tuple[float, float, float]]] | None = None,
                         leverage: dict[str, tuple[float, bool]] | None = None,
                         spread_ticks: int = 1) -> JournalBuilder:
    """Rebuild the journal from stored fills and funding; ``marks`` are (t, liquidation, mark) samples per symbol
    and ``leverage`` the (leverage, cross) to assume per symbol (a store keeps only the current setting)."""
    builder = JournalBuilder(catalog, spread_ticks)
    events: list[tuple[int, int, object]] = [(f.time, 0, f) for f in fills]
    events += [(r.time, 1, r) for r in funding]
    for sym, rows in (marks or {}).items():
        events += [(int(t), 2, (sym, mark, liq)) for t, liq, mark in rows]
    for _, kind, obj in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == 0 and isinstance(obj, Fill):
            lev, cross = (leverage or {}).get(obj.symbol, (0.0, False))
            builder.on_fill(obj, lev, cross, 0)
        elif kind == 1 and isinstance(obj, FundingRecord):
            builder.on_funding(obj)
        elif isinstance(obj, tuple):
            sym, mark, liq = obj
            builder.on_marks(sym, mark, mark, None if math.isnan(liq) else liq)
    return builder


CSV_COLUMNS = ("trip", "symbol", "side", "opened", "closed", "entry_price", "exit_price", "size", "size_unit",
               "leverage", "margin_mode", "stop_at_entry", "r_multiple", "mfe", "mae", "decision_pnl", "fees",
               "funding", "slippage", "net_pnl", "money_unit", "roe_pct", "closest_liq_pct", "liquidated",
               "coach_warnings_ignored", "note")


def _major(currency: str, minor: object) -> str:
    if not isinstance(minor, int):
        return ""
    d = len(str(MINOR_PER_MAJOR[currency])) - 1
    return f"{minor / MINOR_PER_MAJOR[currency]:.{d}f}"


def csv_rows(rows: list[dict[str, object]], iso: object) -> list[list[object]]:
    """Journal rows as CSV cells: money in major units with a unit column, times as ISO text."""
    fmt = iso if callable(iso) else str
    out: list[list[object]] = []
    for r in rows:
        cur = str(r["currency"])
        out.append([
            r["trip"], r["symbol"], r["side"], fmt(r["opened_ms"]),
            "" if r["closed_ms"] is None else fmt(r["closed_ms"]),
            _blank(r["entry_price"]), _blank(r["exit_price"]), r["size"], "contracts", r["leverage"], r["margin_mode"],
            _blank(r["stop_at_entry"]), _blank(r["r_multiple"]), _major(cur, r["mfe_minor"]),
            _major(cur, r["mae_minor"]), _major(cur, r["decision_pnl_minor"]), _major(cur, r["fees_minor"]),
            _major(cur, r["funding_minor"]), _major(cur, r["slippage_minor"]), _major(cur, r["net_pnl_minor"]), cur,
            _blank(r["roe_pct"]), _blank(r["closest_liq_pct"]), "yes" if r["liquidated"] else "no",
            " ".join(r["coach_warnings_ignored"]) if isinstance(r["coach_warnings_ignored"], list) else "",
            r["note"],
        ])
    return out


def _blank(v: object) -> object:
    return "" if v is None else v


def write_journal_csv(path: Path, rows: list[dict[str, object]], iso: object = str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        w.writerows(csv_rows(rows, iso))
