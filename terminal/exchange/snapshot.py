"""Read-only views of the account that screens, reports and the store consume.

A snapshot is plain data (dataclasses of numbers and strings), built once per frame.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from terminal.domain.margin import roe_pct
from terminal.domain.orders import Order, OrderType

if TYPE_CHECKING:
    from terminal.exchange.engine import Exchange


@dataclass(frozen=True)
class WalletView:
    currency: str
    wallet_balance_minor: int
    unrealised_pnl_minor: int
    margin_balance_minor: int
    position_margin_minor: int
    order_margin_minor: int
    available_balance_minor: int
    maint_margin_minor: int
    margin_ratio: float  # maintenance margin / margin balance of what can be liquidated (1.0 = liquidation)


@dataclass(frozen=True)
class PositionView:
    symbol: str
    currency: str
    size: int  # signed contracts
    entry_price: float
    mark_price: float
    liquidation_price: float | None
    bankruptcy_price: float | None
    leverage: float
    margin_mode: str  # isolated | cross
    position_margin_minor: int
    initial_margin_minor: int
    maint_margin_minor: int
    unrealised_pnl_minor: int
    roe_pct: float
    realised_pnl_minor: int
    value_minor: int
    added_margin_minor: int


@dataclass(frozen=True)
class OrderView:
    order_id: int
    symbol: str
    side: str
    type: str
    qty: int
    filled_qty: int
    price: float | None
    stop_price: float | None
    trigger: str
    status: str
    time_in_force: str
    post_only: bool
    reduce_only: bool
    close_on_trigger: bool
    margin_minor: int
    created_ms: int
    ref: str | None = None
    take_profit: float | None = None  # an entry's bracket prices (armed when it fills)
    stop_loss: float | None = None
    bracket_of: int | None = None  # a bracket leg: the entry order it protects
    oco_with: int | None = None  # a bracket leg: the other leg, cancelled when this one fills


@dataclass(frozen=True)
class MarketView:
    """``funding_rate``: the fixed rate paid at ``next_funding_ms``; ``predicted_funding_rate``: the rate the
    window in progress predicts, paid at the funding after that (MECHANICS.md section 5)."""

    symbol: str
    last: float
    mark: float
    index: float
    funding_rate: float
    next_funding_ms: int | None
    predicted_funding_rate: float = 0.0


@dataclass(frozen=True)
class Snapshot:
    time_ms: int
    wallets: dict[str, WalletView]
    positions: list[PositionView]
    orders: list[OrderView]
    markets: dict[str, MarketView]
    insurance_fund_minor: dict[str, int] = field(default_factory=dict)

    def position(self, symbol: str) -> PositionView | None:
        for p in self.positions:
            if p.symbol == symbol:
                return p
        return None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def position_view(ex: Exchange, symbol: str) -> PositionView | None:
    pos = ex.positions.get(symbol)
    if pos is None or pos.qty == 0:
        return None
    inst = ex.catalog[symbol]
    mark = ex._mark(symbol, pos, inst)
    f = ex.figures_of(pos)
    liq, bk, _ = ex.liq_bk(symbol)
    upnl = pos.unrealised_pnl(inst, mark)
    im = f.initial_margin + (0 if pos.cross else pos.added_margin)
    return PositionView(
        symbol=symbol, currency=inst.settle_currency, size=pos.qty, entry_price=pos.entry_price(inst),
        mark_price=mark, liquidation_price=liq, bankruptcy_price=bk, leverage=pos.leverage,
        margin_mode="cross" if pos.cross else "isolated", position_margin_minor=ex.position_margin(pos),
        initial_margin_minor=im, maint_margin_minor=f.maint_margin, unrealised_pnl_minor=upnl,
        roe_pct=round(roe_pct(upnl, im), 2), realised_pnl_minor=pos.realised_pnl,
        value_minor=inst.value_minor(pos.qty, mark), added_margin_minor=0 if pos.cross else pos.added_margin,
    )


def margin_ratio(ex: Exchange, currency: str, positions: list[PositionView]) -> float:
    """The nearest any position (or the cross pool) is to liquidation: MM / margin left, 1.0 = liquidated."""
    worst = 0.0
    cross_mm = 0
    cross_upnl = 0
    for p in positions:
        if p.currency != currency:
            continue
        if p.margin_mode == "isolated":
            left = p.position_margin_minor + p.unrealised_pnl_minor
            worst = max(worst, 1.0 if left <= 0 else p.maint_margin_minor / left)
        else:
            cross_mm += p.maint_margin_minor
            cross_upnl += p.unrealised_pnl_minor
    if cross_mm:
        pool = ex.cross_pool(currency)  # wallet − isolated margins − order margins + cross uPnL
        worst = max(worst, 1.0 if pool <= 0 else cross_mm / pool)
    return min(worst, 1.0)


def take_snapshot(ex: Exchange) -> Snapshot:
    positions = [v for v in (position_view(ex, s) for s in sorted(ex.positions)) if v is not None]
    wallets = {}
    for cur in ex.wallets:
        t = ex.currency_totals(cur)
        wallets[cur] = WalletView(
            currency=cur, wallet_balance_minor=t["wallet_balance"], unrealised_pnl_minor=t["unrealised_pnl"],
            margin_balance_minor=t["margin_balance"], position_margin_minor=t["position_margin"],
            order_margin_minor=t["order_margin"], available_balance_minor=t["available_balance"],
            maint_margin_minor=t["maint_margin"], margin_ratio=round(margin_ratio(ex, cur, positions), 6),
        )
    orders = []
    for o in sorted(ex.orders.values(), key=lambda o: o.id):
        orders.append(OrderView(
            order_id=o.id, symbol=o.symbol, side=o.side, type=o.type.value, qty=o.qty, filled_qty=o.filled_qty,
            price=o.price, stop_price=_trail_stop(o), trigger=o.trigger, status=o.status.value,
            time_in_force=o.tif, post_only=o.post_only, reduce_only=o.reduce_only,
            close_on_trigger=o.close_on_trigger,
            margin_minor=0 if (o.reduce_only or (o.type.is_conditional and not o.triggered)) else o.cost,
            created_ms=o.created_ms, ref=o.ref, take_profit=o.take_profit, stop_loss=o.stop_loss,
            bracket_of=o.bracket_parent, oco_with=o.oco_id,
        ))
    markets = {
        s: MarketView(s, m.last, m.mark, m.index, m.funding_rate, ex.next_funding_ms.get(s), m.predicted_funding_rate)
        for s, m in sorted(ex.markets.items()) if math.isfinite(m.last)
    }
    return Snapshot(ex.now_ms, wallets, positions, orders, markets, dict(ex.insurance_fund))


def wallets_json(snap: Snapshot) -> dict[str, dict[str, int]]:
    """Per currency, the account panel's figures in minor units (reports and ``account`` print these)."""
    return {
        cur: {"wallet_balance_minor": w.wallet_balance_minor, "margin_balance_minor": w.margin_balance_minor,
              "available_balance_minor": w.available_balance_minor, "unrealised_pnl_minor": w.unrealised_pnl_minor,
              "position_margin_minor": w.position_margin_minor, "order_margin_minor": w.order_margin_minor}
        for cur, w in snap.wallets.items()
    }


def positions_json(snap: Snapshot) -> list[dict[str, object]]:
    """Open positions with entry, size, leverage, margin mode, liquidation and bankruptcy price."""
    return [
        {"symbol": p.symbol, "size": p.size, "side": "long" if p.size > 0 else "short",
         "entry_price": round(p.entry_price, 8), "mark_price": p.mark_price, "leverage": p.leverage,
         "margin_mode": p.margin_mode, "liquidation_price": p.liquidation_price,
         "bankruptcy_price": p.bankruptcy_price, "position_margin_minor": p.position_margin_minor,
         "unrealised_pnl_minor": p.unrealised_pnl_minor, "realised_pnl_minor": p.realised_pnl_minor,
         "currency": p.currency}
        for p in snap.positions
    ]


def _trail_stop(o: Order) -> float | None:
    if o.type == OrderType.TRAILING_STOP and o.trail_anchor is not None:
        off = o.trail_offset or 0.0
        return float(o.trail_anchor - off if o.direction < 0 else o.trail_anchor + off)
    return o.stop_price
