"""Small builders shared by engine tests: custom instruments and hand-made tick batches."""
from __future__ import annotations

import numpy as np

from terminal.domain.instruments import Catalog, Instrument, default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds.base import TickBatch


def instrument(**overrides: object) -> Instrument:
    """A linear test contract (1 coin a contract, settled in USDT, tick 0.01, no fees) unless overridden."""
    base: dict[str, object] = dict(
        symbol="TESTUSDT", name="test", kind="linear", settle_currency="USDT", underlying="TEST",
        quote_currency="USDT", multiplier=1_000_000, underlying_to_position_multiplier=1, lot_size=1,
        tick_size=0.01, min_order_qty=1, max_order_qty=10_000_000, max_price=1_000_000, init_margin=0.01,
        maint_margin=0.005, maker_fee=0.0, taker_fee=0.0, funding_interval_h=8, as_of="test",
        typical_price=100,
    )
    base.update(overrides)
    return Instrument.model_validate(base)


def catalog_with(*extra: Instrument) -> Catalog:
    return Catalog(list(default_catalog()) + list(extra))


def batch(prices: list[float] | np.ndarray, *, t0: int = 0, dt: int = 100, mark: list[float] | None = None,
          rate: float = 0.0) -> TickBatch:
    p = np.asarray(prices, dtype=np.float64)
    n = len(p)
    m = p.copy() if mark is None else np.asarray(mark, dtype=np.float64)
    return TickBatch(np.arange(n, dtype=np.int64) * dt + t0, p, p.copy(), m, np.full(n, rate))


def exchange(*extra: Instrument, spread_ticks: int = 1, deposits: dict[str, int] | None = None) -> Exchange:
    ex = Exchange(catalog_with(*extra) if extra else default_catalog(), EngineConfig(spread_ticks=spread_ticks))
    for cur, amount in (deposits or {"XBT": 100_000_000, "USDT": 10_000_000_000}).items():
        ex.deposit(cur, amount)
    return ex


def ledger_sums(ex: Exchange) -> bool:
    return all(
        sum(r.amount_minor for r in ex.ledger if r.currency == cur) == w.balance for cur, w in ex.wallets.items()
    )
