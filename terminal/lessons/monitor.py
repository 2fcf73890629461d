"""Watches a session batch by batch: the facts a lesson's checks judge, and the journal's round trips.

Call :meth:`SessionMonitor.observe` after every batch the engine stepped (the headless player does it at each
script step and at least every ``observe_ms`` of simulated time; the GUI once per frame), passing the batch of
each symbol so the mark's range between observations is seen (MFE / MAE, closest approach to liquidation). It
reads the exchange's own records (fills, funding, liquidations) by cursor and its state (positions, resting stops);
it never changes anything.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from terminal.domain.margin import pnl
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.domain.orders import Order, OrderStatus, OrderType
from terminal.domain.training import CoachSettings, coach
from terminal.exchange.engine import Exchange

if TYPE_CHECKING:
    from terminal.session.trading_session import TradingSession
from terminal.feeds.base import TickBatch
from terminal.lessons.checks import Facts, Opened, Verdict, evaluate
from terminal.lessons.journal import COACH_GRACE_MS, JournalBuilder, RoundTrip, journal_from_records
from terminal.lessons.model import Lesson

STOP_TYPES = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP)


def resting_stop(ex: Exchange, symbol: str, direction: int, intended: dict[int, float] | None = None) -> float | None:
    """The stop-loss protecting a position of ``direction`` on ``symbol``: the untriggered stop order on the
    closing side nearest the price (a trailing stop at its current level); None when there is none."""
    best: float | None = None
    if intended is None:
        intended = {}
    for o in ex.orders.values():
        if o.symbol != symbol or o.status != OrderStatus.UNTRIGGERED or o.direction != -direction:
            continue
        px = _stop_level(o)
        if px is None:
            continue
        intended[o.id] = px
        if best is None or (px - best) * direction > 0:
            best = px
    return best


def _stop_level(o: Order) -> float | None:
    if o.type not in STOP_TYPES:
        return None
    if o.type == OrderType.TRAILING_STOP:
        if o.trail_anchor is None or o.trail_offset is None:
            return None
        return float(o.trail_anchor) + (o.trail_offset if o.direction > 0 else -o.trail_offset)
    return o.stop_price


class SessionMonitor:
    @classmethod
    def of(cls, session: TradingSession, lesson: Lesson | None = None) -> SessionMonitor:
        """A monitor of ``session``'s exchange."""
        return cls(session.exchange, lesson)

    def watches(self, session: TradingSession) -> bool:
        """Whether this monitor follows ``session`` (not an account the window has since left)."""
        return self.ex is session.exchange

    def follow(self, session: TradingSession) -> None:
        """Follow ``session`` from now on (a rewind restored it: same account, new engine)."""
        self.ex = session.exchange

    def __init__(self, ex: Exchange, lesson: Lesson | None = None, *,
                 coach_settings: CoachSettings = CoachSettings()) -> None:
        self.ex = ex
        self.lesson = lesson
        self.coach_settings = coach_settings
        self.facts = Facts()
        self.journal = JournalBuilder(ex.catalog, ex.config.spread_ticks)
        if ex.fills:  # an account with a past (reopened, switched to, back from a lesson): its round trips so far,
            # and the open one, which a closing fill must close (not open an opposite trip that never ends)
            leverage = {sym: (s.leverage, s.cross) for sym, s in ex.settings.items()}
            leverage.update({sym: (p.leverage, p.cross) for sym, p in ex.positions.items()})
            self.journal = journal_from_records(ex.catalog, ex.fills, ex.funding, leverage=leverage,
                                                spread_ticks=ex.config.spread_ticks)
        self._n_fills = len(ex.fills)
        self._n_funding = len(ex.funding)
        self._n_liq = len(ex.liquidations)
        self._last_t = ex.now_ms
        self._state: dict[str, tuple[int, float, bool, int]] = {}  # symbol → (qty, leverage, has stop, added)
        self._trip_stop: dict[int, bool] = {}
        self.start_equity: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        for cur in MINOR_PER_MAJOR:
            mb = ex.currency_totals(cur)["margin_balance"]
            if mb:
                self.start_equity[cur] = self._peak[cur] = mb
        self.final = False
        if lesson is not None:
            self.facts.funding_currency = ex.catalog[lesson.start.symbol].settle_currency

    # ------------------------------------------------------------------ observing
    def observe(self, batches: Mapping[str, TickBatch] | None = None) -> None:
        ex = self.ex
        t = ex.now_ms
        dt = max(0, t - self._last_t)
        f = self.facts
        for pos_sym, (qty, _lev, has_stop, _added) in self._state.items():  # the state held since the last look
            if qty and pos_sym in ex.positions:
                f.open_ms += dt
                if has_stop:
                    f.covered_ms += dt
        self._last_t = t
        known = {tr.trip_id for tr in self.journal.trips}
        for fill in ex.fills[self._n_fills:]:
            pos = ex.positions.get(fill.symbol)
            lev, cross = (pos.leverage, pos.cross) if pos is not None else (0.0, False)
            wallet = ex.wallets[fill.currency].balance
            before = self.journal._qty.get(fill.symbol, 0)
            self.journal.on_fill(fill, lev, cross, wallet)
            f.fills_by_symbol[fill.symbol] = f.fills_by_symbol.get(fill.symbol, 0) + 1
            after = self.journal._qty.get(fill.symbol, 0)
            if fill.liquidity != "liquidation" and abs(after) > abs(before) * ((after > 0) == (before > 0)):
                f.entry_types.append((fill.symbol, fill.order_type))
        self._n_fills = len(ex.fills)
        for rec in ex.funding[self._n_funding:]:
            self.journal.on_funding(rec)
            f.funding_exposed += 1
            f.funding_minor += rec.amount_minor
            f.funding_currency = rec.currency
        self._n_funding = len(ex.funding)
        f.liquidations += len(ex.liquidations) - self._n_liq
        self._n_liq = len(ex.liquidations)
        for trip in self.journal.trips:
            if trip.trip_id not in known:
                self._opened(trip)
        self._positions(t, batches)
        self._equity()

    def _opened(self, trip: RoundTrip) -> None:
        ex = self.ex
        inst = ex.catalog[trip.symbol]
        pos = ex.positions.get(trip.symbol)
        im = mm = None
        liq = None
        if trip.is_open and pos is not None and pos.qty:
            fig = pos.figures(inst)
            im, mm = fig.initial_margin, fig.maint_margin
            liq = ex.liq_bk(trip.symbol)[0]
        self.facts.opened.append(Opened(trip.symbol, trip.side, trip.leverage, trip.margin_mode, trip.opened_ms,
                                        trip.account_at_entry_minor, im, mm, liq, trip.entry_price(inst)))
        self.facts.trips_total += 1
        self.facts.max_leverage_held = max(self.facts.max_leverage_held, trip.leverage)
        self._trip_stop[trip.trip_id] = False

    def _positions(self, t: int, batches: Mapping[str, TickBatch] | None) -> None:
        ex, f = self.ex, self.facts
        state: dict[str, tuple[int, float, bool, int]] = {}
        cross = 0
        open_syms = []
        for sym, pos in ex.positions.items():
            prev = self._state.get(sym)
            if not pos.qty:
                continue
            open_syms.append(sym)
            inst = ex.catalog[sym]
            cross += pos.cross
            f.max_leverage_held = max(f.max_leverage_held, pos.leverage)
            stop = resting_stop(ex, sym, pos.direction, self.journal.intended)
            trip = self.journal.open.get(sym)
            if prev is not None and prev[0] and (prev[0] > 0) == (pos.qty > 0):
                if abs(prev[1] - pos.leverage) > 1e-9 and not pos.cross:
                    f.leverage_changes.append((sym, prev[1], pos.leverage))
                if not pos.cross and pos.added_margin > prev[3]:
                    f.margin_added_minor += pos.added_margin - prev[3]
            liq = ex.liq_bk(sym)[0]
            batch = batches.get(sym) if batches else None
            if batch is not None and len(batch):
                low, high = float(batch.mark.min()), float(batch.mark.max())
            else:
                m = ex.markets.get(sym)
                low = high = m.mark if m is not None else math.nan
            self.journal.on_marks(sym, low, high, liq)
            if trip is not None:
                entry = trip.entry_price(inst)
                if stop is not None:
                    self._trip_stop[trip.trip_id] = True
                    if trip.stop_at_entry is None and t - trip.opened_ms <= COACH_GRACE_MS:
                        trip.stop_at_entry = stop
                    if entry is not None and trip.account_at_entry_minor > 0:
                        risk = abs(pnl(inst, pos.direction, abs(pos.qty), entry, stop))
                        pct = 100.0 * risk / trip.account_at_entry_minor
                        f.worst_risk_pct = pct if f.worst_risk_pct is None else max(f.worst_risk_pct, pct)
                if not trip.coach_done and t - trip.opened_ms >= COACH_GRACE_MS:
                    self._coach(trip)
            state[sym] = (pos.qty, pos.leverage, stop is not None, 0 if pos.cross else pos.added_margin)
        for trip in self.journal.trips:  # trips that closed since the last look
            if not trip.is_open and not trip.coach_done:
                self._coach(trip)
        f.trips_without_stop = sum(1 for tr in self.journal.trips if not self._trip_stop.get(tr.trip_id, False)
                                   and (not tr.is_open or t - tr.opened_ms > COACH_GRACE_MS))
        f.max_cross = max(f.max_cross, cross)
        f.open_symbols = open_syms
        self._state = state

    def _coach(self, trip: RoundTrip) -> None:
        inst = self.ex.catalog[trip.symbol]
        entry = trip.entry_price(inst)
        trip.coach_done = True
        if entry is None:
            return
        warnings = coach(inst, trip.direction, trip.max_qty, entry, trip.leverage, trip.account_at_entry_minor,
                         trip.stop_at_entry, self.coach_settings)
        trip.coach_warnings = [w.code for w in warnings]

    def _equity(self) -> None:
        for cur, start in self.start_equity.items():
            mb = self.ex.currency_totals(cur)["margin_balance"]
            peak = self._peak[cur] = max(self._peak[cur], mb)
            if peak > 0:
                self.facts.max_drawdown_pct = max(self.facts.max_drawdown_pct, 100.0 * (peak - mb) / peak)
            del start

    # ------------------------------------------------------------------ verdicts
    def verdicts(self, final: bool = False) -> list[tuple[str, str, Verdict]]:
        """(id, label, verdict) of each of the lesson's checks; ``final`` settles them (the session ended)."""
        if self.lesson is None:
            return []
        return [(c.id, c.label, evaluate(c, self.facts, final)) for c in self.lesson.checks]

    def finish(self, batches: Mapping[str, TickBatch] | None = None) -> None:
        """The session ended: a last look, and open trips get their coach verdict."""
        self.observe(batches)
        for trip in self.journal.trips:
            if not trip.coach_done:
                self._coach(trip)
        self.final = True
