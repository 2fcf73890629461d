"""The simulated exchange: accepts orders, steps through price ticks, fills, funds and liquidates.

The :class:`Exchange` holds the account state (wallets, positions, orders, ledger, markets) and the
margin view of it, and is composed of parts, each replaceable on its own:

* ``desk`` — :class:`terminal.exchange.actions.OrderDesk`: place, amend, cancel, leverage, margin, preview;
* ``stepper`` — :class:`terminal.exchange.events.MarketStepper`: walks price ticks, fires triggers;
* ``matcher`` — :class:`terminal.exchange.matching.Matcher`: **the fill path** (price and size of every
  execution); an order book plugs in by replacing it (see :mod:`terminal.exchange.matching`);
* ``clearing`` — :class:`terminal.exchange.clearing.Clearing`: books an execution into position and ledger.

Liquidation, funding and expiry are functions in :mod:`terminal.exchange.liquidation` and
:mod:`terminal.exchange.settlement`. The public methods below are the exchange's API; they delegate.

Per tick the engine does nothing but compare prices with precomputed thresholds (see
:mod:`terminal.exchange.triggers`); all bookkeeping happens at events. Every change appends an event to
``events`` — ``("order", Order)``, ``("fill", Fill)``, ``("ledger", LedgerRow)``,
``("liquidation", LiquidationRecord)``, ``("funding", FundingRecord)``, ``("rejection", dict)``,
``("position", symbol)``, ``("settings", symbol)`` — which the runner, the store and the GUI drain.
"""
from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from terminal.domain.account import (
    Fill,
    FundingRecord,
    LedgerRow,
    LiquidationRecord,
    Position,
    SymbolSettings,
    Wallet,
)
from terminal.domain.instruments import Catalog, Instrument
from terminal.domain.margin import MarginFigures
from terminal.domain.money import MINOR_PER_MAJOR
from terminal.domain.orders import Order, OrderRequest, OrderStatus
from terminal.exchange.actions import OrderDesk, OrderPreview
from terminal.exchange.clearing import Clearing
from terminal.exchange.events import MarketStepper
from terminal.exchange.matching import Matcher, MatcherLike
from terminal.exchange.triggers import Thresholds
from terminal.exchange.types import Ack, EngineConfig, Market

if TYPE_CHECKING:
    from terminal.feeds.base import TickBatch

__all__ = ["Ack", "EngineConfig", "Exchange", "Market"]
_log = logging.getLogger(__name__)


class Exchange:
    def __init__(self, catalog: Catalog, config: EngineConfig | None = None, now_ms: int = 0) -> None:
        self.catalog = catalog
        self.config = config or EngineConfig()
        self.now_ms = now_ms
        self.wallets: dict[str, Wallet] = {c: Wallet(c) for c in MINOR_PER_MAJOR}
        self.positions: dict[str, Position] = {}
        self.settings: dict[str, SymbolSettings] = {}
        self.orders: dict[int, Order] = {}  # live orders only
        self.ledger: list[LedgerRow] = []
        self.fills: list[Fill] = []
        self.liquidations: list[LiquidationRecord] = []
        self.funding: list[FundingRecord] = []
        self.rejections: list[dict[str, object]] = []
        self.markets: dict[str, Market] = {}
        self.insurance_fund: dict[str, int] = dict.fromkeys(MINOR_PER_MAJOR, 0)
        self.next_funding_ms: dict[str, int] = {}
        self.settlement_index: dict[str, tuple[float, int]] = {}  # dated futures: (index sum, ticks) before expiry
        self.next_order_id = 1
        self.next_fill_id = 1
        self.events: list[tuple[str, object]] = []
        self.thresholds: dict[str, Thresholds] = {}  # per symbol, dropped whenever the symbol changes
        self.order_margins: dict[str, int] = {}  # per symbol, dropped whenever the symbol changes
        self.desk = OrderDesk(self)
        self.stepper = MarketStepper(self)
        self.matcher: MatcherLike = Matcher(self)
        self.clearing = Clearing(self)

    # ------------------------------------------------------------------ the API (delegates to the parts)
    def place_order(self, req: OrderRequest | dict[str, Any]) -> Ack:
        return self.desk.place_order(req)

    def amend_order(self, order_id: int | str, *, price: float | None = None,
                    stop_price: float | None = None, qty: int | None = None) -> Ack:
        return self.desk.amend_order(order_id, price=price, stop_price=stop_price, qty=qty)

    def cancel_order(self, order_id: int | str, reason: str = "cancelled by you") -> Ack:
        return self.desk.cancel_order(order_id, reason)

    def cancel_all(self, symbol: str | None = None, reason: str = "cancelled by you") -> int:
        return self.desk.cancel_all(symbol, reason)

    def find_order(self, order_id: int | str) -> Order | None:
        return self.desk.find_order(order_id)

    def close_position(self, symbol: str, price: float | None = None) -> Ack:
        return self.desk.close_position(symbol, price)

    def set_leverage(self, symbol: str, leverage: float) -> Ack:
        return self.desk.set_leverage(symbol, leverage)

    def set_margin_mode(self, symbol: str, cross: bool, leverage: float | None = None) -> Ack:
        return self.desk.set_margin_mode(symbol, cross, leverage)

    def adjust_margin(self, symbol: str, amount_minor: int) -> Ack:
        return self.desk.adjust_margin(symbol, amount_minor)

    def preview(self, symbol: str, qty: int, price: float | None = None,
                leverage: float | None = None, cross: bool | None = None) -> OrderPreview:
        return self.desk.preview(symbol, qty, price, leverage, cross)

    def step(self, symbol: str, batch: TickBatch) -> None:
        self.stepper.step(symbol, batch)

    def reject(self, action: str, detail: dict[str, Any], reason: str) -> Ack:
        """Record a refused action (the account is untouched) and say why."""
        row = {"time": self.now_ms, "action": action, "reason": reason, **detail}
        self.rejections.append(row)
        self.emit("rejection", row)
        _log.info("rejected %s %s: %s", action, detail.get("symbol", ""), reason)
        return Ack(False, None, reason)

    _reject = reject  # older name, kept for callers outside the exchange

    # ------------------------------------------------------------------ helpers
    def instrument(self, symbol: str) -> Instrument:
        return self.catalog[symbol]

    def market(self, symbol: str) -> Market:
        m = self.markets.get(symbol)
        if m is None:
            m = self.markets[symbol] = Market()
        return m

    def setting(self, symbol: str) -> SymbolSettings:
        s = self.settings.get(symbol)
        if s is None:
            inst = self.catalog[symbol]
            s = self.settings[symbol] = SymbolSettings(leverage=min(10.0, inst.max_leverage))
        return s

    def position(self, symbol: str) -> Position:
        p = self.positions.get(symbol)
        if p is None:
            s = self.setting(symbol)
            p = self.positions[symbol] = Position(symbol, leverage=s.leverage, cross=s.cross)
        return p

    def emit(self, kind: str, payload: object) -> None:
        if self.config.record_events:
            self.events.append((kind, payload))

    def drain_events(self) -> list[tuple[str, object]]:
        ev, self.events = self.events, []
        return ev

    def dirty(self, symbol: str) -> None:
        self.thresholds.pop(symbol, None)
        self.order_margins.pop(symbol, None)
        if symbol in self.catalog:
            self.dirty_cross(self.catalog[symbol].settle_currency)  # order margins move the cross pool

    def dirty_cross(self, currency: str) -> None:
        """The wallet or another position's margin moved: cross positions in ``currency`` re-price."""
        for sym, pos in self.positions.items():
            if pos.cross and pos.qty and self.catalog[sym].settle_currency == currency:
                self.thresholds.pop(sym, None)

    def dirty_currency(self, currency: str) -> None:
        for sym in list(self.thresholds):
            if self.catalog[sym].settle_currency == currency:
                self.thresholds.pop(sym, None)
        for sym in list(self.order_margins):
            if self.catalog[sym].settle_currency == currency:
                self.order_margins.pop(sym, None)

    def book(self, currency: str, kind: str, amount: int, symbol: str | None = None,
             ref: int | None = None, text: str = "") -> None:
        """The only way a wallet balance changes: a ledger row."""
        if amount == 0 and kind not in ("deposit",):
            return
        row = LedgerRow(self.now_ms, kind, currency, int(amount), symbol, ref, text)
        self.wallets[currency].balance += row.amount_minor
        self.ledger.append(row)
        self.emit("ledger", row)
        self.dirty_cross(currency)

    def deposit(self, currency: str, amount_minor: int, text: str = "starting balance") -> None:
        if amount_minor < 0:
            raise ValueError("a deposit cannot be negative")
        self.book(currency, "deposit", amount_minor, text=text)

    # ------------------------------------------------------------------ margin view
    def funding_rate(self, symbol: str) -> float:
        """The fixed funding rate paid at the next funding (0 before the first tick and for dated futures)."""
        m = self.markets.get(symbol)
        return m.funding_rate if m is not None and math.isfinite(m.funding_rate) else 0.0

    def figures_of(self, pos: Position, cross_balance: int | None = None) -> MarginFigures:
        """The position's margins and prices, the next funding reserved when it pays it."""
        return pos.figures(self.catalog[pos.symbol], cross_balance=cross_balance,
                           funding_rate=self.funding_rate(pos.symbol))

    def position_margin(self, pos: Position) -> int:
        """What the position locks: isolated IM + C + added margin; cross only its maintenance margin (2024 rules)."""
        if pos.qty == 0:
            return 0
        f = self.figures_of(pos)
        if pos.cross:
            return f.maint_margin
        return f.position_margin + pos.added_margin

    def order_margin(self, symbol: str, extra: Order | None = None) -> int:
        """Margin held for resting orders of ``symbol``: the larger side after netting against the position."""
        if extra is None:
            cached = self.order_margins.get(symbol)
            if cached is not None:
                return cached
        pos = self.positions.get(symbol)
        pq = pos.qty if pos else 0
        side_q = {1: 0, -1: 0}
        side_cost = {1: 0, -1: 0}
        orders = [o for o in self.orders.values() if o.symbol == symbol]
        if extra is not None:
            orders.append(extra)
        for o in orders:
            if o.reduce_only or o.status not in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.NEW):
                continue
            if o.type.is_conditional and not o.triggered:
                continue
            side_q[o.direction] += o.leaves_qty
            side_cost[o.direction] += o.cost * o.leaves_qty // max(o.qty, 1)
        best = 0
        for d in (1, -1):
            if side_q[d] == 0:
                continue
            offset = max(0, -pq) if d > 0 else max(0, pq)
            increasing = max(0, side_q[d] - offset)
            best = max(best, side_cost[d] * increasing // side_q[d])
        if extra is None:
            self.order_margins[symbol] = best
        return best

    def currency_totals(self, currency: str) -> dict[str, int]:
        """Wallet, unrealised PnL, margins and available balance of one settlement currency.

        Available = wallet − position margins (cross: MM only) − order margins + cross positions' uPnL."""
        wallet = self.wallets[currency].balance
        upnl = pos_margin = cross_upnl = ord_margin = maint = 0
        for sym, pos in self.positions.items():
            inst = self.catalog[sym]
            if inst.settle_currency != currency:
                continue
            if pos.qty:
                u = pos.unrealised_pnl(inst, self._mark(sym, pos, inst))
                upnl += u
                pos_margin += self.position_margin(pos)
                maint += self.figures_of(pos).maint_margin
                if pos.cross:
                    cross_upnl += u
        for sym in {o.symbol for o in self.orders.values()}:
            if self.catalog[sym].settle_currency == currency:
                ord_margin += self.order_margin(sym)
        available = wallet - pos_margin - ord_margin + cross_upnl
        return {
            "wallet_balance": wallet,
            "unrealised_pnl": upnl,
            "margin_balance": wallet + upnl,
            "position_margin": pos_margin,
            "order_margin": ord_margin,
            "available_balance": available,
            "maint_margin": maint,
        }

    def available_balance(self, currency: str) -> int:
        return self.currency_totals(currency)["available_balance"]

    def _mark(self, sym: str, pos: Position, inst: Instrument) -> float:
        m = self.markets.get(sym)
        if m is None or not math.isfinite(m.mark):
            return pos.entry_price(inst)
        return m.mark

    def mark_of(self, pos: Position) -> float:
        return self._mark(pos.symbol, pos, self.catalog[pos.symbol])

    def cross_positions(self, currency: str) -> list[Position]:
        """Open cross positions settled in ``currency``, in symbol order."""
        return [p for s, p in sorted(self.positions.items())
                if p.qty and p.cross and self.catalog[s].settle_currency == currency]

    def cross_pool(self, currency: str) -> int:
        """The cross pool's margin balance: wallet − isolated position margins − order margins + cross uPnL."""
        pool = self.wallets[currency].balance
        for sym, pos in self.positions.items():
            inst = self.catalog[sym]
            if inst.settle_currency != currency or pos.qty == 0:
                continue
            if pos.cross:
                pool += pos.unrealised_pnl(inst, self._mark(sym, pos, inst))
            else:
                pool -= self.position_margin(pos)
        for sym in {o.symbol for o in self.orders.values()}:
            if self.catalog[sym].settle_currency == currency:
                pool -= self.order_margin(sym)
        return pool

    def cross_backing(self, symbol: str) -> int:
        """The pool behind one cross position, its own uPnL left out and the other cross positions'
        maintenance margins set aside: its liquidation price is where its own mark takes this to its MM."""
        inst = self.catalog[symbol]
        cur = inst.settle_currency
        backing = self.cross_pool(cur)
        for pos in self.cross_positions(cur):
            if pos.symbol == symbol:
                backing -= pos.unrealised_pnl(inst, self._mark(symbol, pos, inst))
            else:
                backing -= self.figures_of(pos).maint_margin
        return backing

    def cross_in_liquidation(self, currency: str) -> bool:
        """The pool has fallen to the cross positions' maintenance margins (all of them go together)."""
        cross = self.cross_positions(currency)
        return bool(cross) and self.cross_pool(currency) <= sum(self.figures_of(p).maint_margin for p in cross)

    def liq_bk(self, symbol: str) -> tuple[float | None, float | None, float | None]:
        """(liquidation price shown, bankruptcy price shown, exact bankruptcy) of the open position."""
        pos = self.positions.get(symbol)
        if pos is None or pos.qty == 0:
            return None, None, None
        f = self.figures_of(pos, self.cross_backing(symbol) if pos.cross else None)
        return f.liquidation_price, f.bankruptcy_price, f.bankruptcy_exact
