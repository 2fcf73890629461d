"""A live trading session: the exchange, one price feed per traded symbol, and chart history.

The GUI advances it once per frame with ``advance(until_ms, max_ticks)`` (many ticks per call,
never one call per tick); headless code can do the same in a plain loop. It knows nothing of Qt
and nothing of wall-clock time: the caller's clock decides ``until_ms``.
"""
from __future__ import annotations

import copy
from typing import Any

from terminal.domain.instruments import Catalog, default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds import make_feed
from terminal.feeds.base import Feed, TickBatch
from terminal.feeds.spec import FeedSpec
from terminal.session.history import AccountHistory, RingBuffer
from terminal.session.market_setup import attach_market, configure_feed, printed_batch

PRICE_HISTORY = 1_000_000  # points per price series kept for the chart
SAMPLE_MS = 1_000  # equity / liquidation history: at most one point per simulated second
WARM_UP_MS = 30 * 60_000  # market history a symbol first opened mid-session shows


class TradingSession:
    def __init__(self, exchange: Exchange, *, seed: int = 0, start_ms: int,
                 feed_specs: dict[str, FeedSpec] | None = None) -> None:
        self.exchange = exchange
        self.catalog: Catalog = exchange.catalog
        self.market = attach_market(exchange, seed=seed)  # the order book behind the fill path (terminal/market)
        self.seed = seed
        self.start_ms = start_ms
        self.feed_specs: dict[str, FeedSpec] = dict(feed_specs or {})
        self.feeds: dict[str, Feed] = {}
        self.feed_origin: dict[str, tuple[int, int]] = {}  # symbol → (seed, start_ms) the feed was made with
        self.history = AccountHistory()
        self.prices: dict[str, RingBuffer] = {}  # t, last, mark, index per symbol
        self.last_batches: dict[str, TickBatch] = {}
        self.ticks = 0
        self._next_sample = start_ms

    @classmethod
    def new(cls, *, catalog: Catalog | None = None, seed: int = 0, start_ms: int,
            wallets_minor: dict[str, int] | None = None, config: EngineConfig | None = None) -> TradingSession:
        ex = Exchange(catalog or default_catalog(), config, now_ms=start_ms)
        for cur, amount in sorted((wallets_minor or {}).items()):
            if amount:
                ex.deposit(cur, amount)
        return cls(ex, seed=seed, start_ms=start_ms)

    @property
    def now_ms(self) -> int:
        return self.exchange.now_ms

    # ---------------------------------------------------------------- feeds
    def spec_for(self, symbol: str) -> FeedSpec:
        spec = self.feed_specs.get(symbol)
        if spec is None:
            spec = self.feed_specs[symbol] = FeedSpec(kind="synthetic", symbol=symbol)
        return spec

    def ensure_feed(self, symbol: str) -> Feed:
        """The feed of ``symbol``, created on first use and fast-forwarded to the session's time."""
        feed = self.feeds.get(symbol)
        if feed is None:
            inst = self.catalog[symbol]
            spec = self.spec_for(symbol)
            seed = self.seed * 1_000_003 + self.catalog.symbols.index(symbol)
            # a scenario (or rebased replay) chosen mid-session starts now; the synthetic market runs from the
            # session's start, or from WARM_UP_MS before now when first opened later (so opening a symbol costs the
            # same on a month-old account as on a new one, and its chart still shows a stretch of history)
            starts_now = spec.kind == "scenario" or (spec.kind in ("trades", "quotes", "bars") and spec.rebase)
            start = self.now_ms if starts_now else self.start_ms
            if spec.kind == "synthetic" and self.now_ms - WARM_UP_MS > self.start_ms:
                step = spec.tick_interval_ms or 100  # on the session's tick grid
                start = self.start_ms + (self.now_ms - WARM_UP_MS - self.start_ms) // step * step
            feed = make_feed(spec, inst, seed=seed, start_ms=start)
            self.feeds[symbol] = feed
            configure_feed(self.market, feed)
            self.feed_origin[symbol] = (seed, start)
            self.prices[symbol] = RingBuffer(PRICE_HISTORY, 4)
            # catch up silently to now, then hand the engine the tick at or before now
            skipped = feed.read(self.now_ms, 1 << 62)
            if len(skipped):
                self.exchange.step(symbol, skipped.slice(len(skipped) - 1, len(skipped)))
                self._record_prices(symbol, skipped.slice(max(0, len(skipped) - 2000), len(skipped)))
        return feed

    def set_feed(self, symbol: str, spec: FeedSpec) -> None:
        """Switch ``symbol`` to another price source (takes effect from the session's current time).

        The new feed is built first: a bad file raises and leaves the old source in place.
        """
        old = (self.feed_specs.get(symbol), self.feeds.pop(symbol, None), self.prices.pop(symbol, None))
        self.feed_specs[symbol] = spec
        try:
            self.ensure_feed(symbol)
        except Exception:
            spec_old, feed_old, prices_old = old
            if spec_old is None:
                self.feed_specs.pop(symbol, None)
            else:
                self.feed_specs[symbol] = spec_old
            if feed_old is not None:
                self.feeds[symbol] = feed_old
            if prices_old is not None:
                self.prices[symbol] = prices_old
            raise

    # ---------------------------------------------------------------- the trader's market settings
    # (methods, so a rewind's timeline records and replays them as it does the trader's exchange actions)
    def set_fill_model(self, model: str) -> None:
        """How orders fill from now on: "ideal" | "realistic" | "stressed" (the status bar's switch)."""
        market = getattr(self, "market", None)
        if market is not None:
            market.set_fill_model(model)

    def switch_source(self, symbol: str, spec: FeedSpec | dict[str, Any], *, offset_ms: int = 0,
                      price_factor: float = 1.0) -> FeedSpec:
        """Make ``spec`` the price source of ``symbol`` from now, at the current price
        (:func:`terminal.session.source_switch.continue_source`)."""
        from terminal.session.source_switch import continue_source

        spec = spec if isinstance(spec, FeedSpec) else FeedSpec.model_validate(spec)
        return continue_source(self, symbol, spec, offset_ms=offset_ms, price_factor=price_factor)

    # ---------------------------------------------------------------- what the window's services ask
    # (so ui/ names the session, never the engine behind it)
    def drain_events(self) -> list[tuple[str, object]]:
        """The engine's events since the last call (what a save writes)."""
        return self.exchange.drain_events()

    def has_price(self, symbol: str) -> bool:
        """``symbol`` has had at least one tick."""
        return symbol in self.exchange.markets

    def next_funding_ms(self, symbol: str) -> int | None:
        """When ``symbol``'s next funding is paid (None: not a perpetual, or not priced yet)."""
        m = self.exchange.next_funding_ms.get(symbol)
        return None if m is None else int(m)

    @property
    def untouched(self) -> bool:
        """A brand-new account: at most one tick and no ledger row beyond the deposits."""
        ex = self.exchange
        return self.ticks <= 1 and len(ex.ledger) <= len(ex.wallets)

    # ---------------------------------------------------------------- stepping
    def advance(self, until_ms: int, max_ticks: int = 1 << 20, primary: str | None = None) -> int:
        """Step ticks with ``t < until_ms`` through the engine, keeping every feed in lockstep.

        ``primary`` (the symbol on screen) is read first, at most ``max_ticks``; the other feeds then
        follow it up to the time of its last tick, so all symbols share one simulated time.
        """
        n = 0
        self.last_batches = {}
        order = sorted(self.feeds, key=lambda s: s != primary)
        for symbol in order:
            feed = self.feeds[symbol]
            batch = feed.read(until_ms, max_ticks if symbol == primary else 1 << 40)
            if symbol == primary:  # the others follow the primary's clock
                until_ms = int(batch.t_ms[-1]) + 1 if len(batch) else min(until_ms, self.exchange.now_ms + 1)
            if len(batch) == 0:
                continue
            self.exchange.step(symbol, batch)
            batch = printed_batch(self.exchange, symbol, batch)  # the order book's prints are the last price
            self.last_batches[symbol] = batch
            self._record_prices(symbol, batch)
            n += len(batch)
        self.ticks += n
        if self.exchange.now_ms >= self._next_sample:
            self.history.sample(self.exchange)
            self._next_sample = self.exchange.now_ms + SAMPLE_MS
        return n

    def _record_prices(self, symbol: str, batch: TickBatch) -> None:
        import numpy as np

        buf = self.prices.get(symbol)
        if buf is None:
            buf = self.prices[symbol] = RingBuffer(PRICE_HISTORY, 4)
        buf.extend(np.column_stack((batch.t_ms.astype(np.float64), batch.last, batch.mark, batch.index)))

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "start_ms": self.start_ms,
                "feeds": {s: f.describe() for s, f in self.feeds.items()},
                "positions": {s: f.position for s, f in self.feeds.items()}}

    def with_fresh_account(self, wallets_minor: dict[str, int]) -> TradingSession:
        """A fresh account on this session's market: new wallets, no positions, orders or journals; the clock,
        the price feeds and the chart of prices go on."""
        old = self.exchange
        ex = Exchange(self.catalog, old.config, now_ms=old.now_ms)
        ex.markets = {s: copy.copy(m) for s, m in old.markets.items()}
        ex.next_funding_ms = dict(old.next_funding_ms)
        for cur, amount in sorted(wallets_minor.items()):
            if amount:
                ex.deposit(cur, amount)
        session = TradingSession(ex, seed=self.seed, start_ms=self.start_ms, feed_specs=self.feed_specs)
        session.feeds, session.prices = self.feeds, self.prices
        session.feed_origin = dict(self.feed_origin)
        session.ticks, session._next_sample = self.ticks, self._next_sample
        return session
