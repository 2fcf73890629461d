"""Price sources: synthetic model, scenario, trade-dump replay and OHLCV-bar replay, all as :class:`Feed`."""
from __future__ import annotations

from pathlib import Path

from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument
from terminal.feeds.bars import BarsFeed
from terminal.feeds.base import UNBOUNDED_MS, ArrayFeed, BlockFeed, Feed, TickBatch
from terminal.feeds.checkpoint import FeedCheckpoint, FeedOrigin
from terminal.feeds.mark import fair_mark, funding_times, next_funding_ms
from terminal.feeds.replay import TradesFeed
from terminal.feeds.scenario import Scenario, ScenarioFeed, list_scenarios, load_scenario
from terminal.feeds.spec import FeedSpec
from terminal.feeds.synthetic import SyntheticFeed

__all__ = [
    "UNBOUNDED_MS",
    "ArrayFeed",
    "BarsFeed",
    "BlockFeed",
    "Feed",
    "FeedCheckpoint",
    "FeedOrigin",
    "Scenario",
    "ScenarioFeed",
    "SyntheticFeed",
    "TickBatch",
    "TradesFeed",
    "fair_mark",
    "feed_from_checkpoint",
    "funding_times",
    "list_scenarios",
    "load_scenario",
    "make_feed",
    "next_funding_ms",
]


def make_feed(spec: FeedSpec, instrument: Instrument, *, seed: int, start_ms: int) -> Feed:
    """Build the feed a script's ``[feed]`` table describes, for ``instrument``; it remembers its origin, so it
    can be checkpointed (``feed.checkpoint()``).

    Trades and bars keep the file's own times (``feed.start_ms`` is the first tick) unless ``spec.rebase``.
    """
    feed = _build(spec, instrument, seed=seed, start_ms=start_ms)
    feed.origin = FeedOrigin(spec, int(seed), int(start_ms))
    return feed


def feed_from_checkpoint(checkpoint: FeedCheckpoint, instrument: Instrument) -> Feed:
    """The feed ``checkpoint`` was taken from, at that moment (O(1) for synthetic feeds, whatever their age)."""
    if checkpoint.symbol != instrument.symbol:
        raise ValueError(f"a checkpoint of {checkpoint.symbol} cannot drive {instrument.symbol}")
    feed = make_feed(checkpoint.spec, instrument, seed=checkpoint.seed, start_ms=checkpoint.start_ms)
    feed.restore(checkpoint)
    return feed


def _build(spec: FeedSpec, instrument: Instrument, *, seed: int, start_ms: int) -> ArrayFeed | BlockFeed:
    if spec.kind == "synthetic":
        return SyntheticFeed(instrument, seed=seed, start_ms=start_ms, price=spec.price,
                             tick_interval_ms=spec.tick_interval_ms or 100, vol=spec.vol or 0.65)
    if spec.kind == "scenario":
        if not spec.name:
            raise InputError("a scenario feed needs a name")
        return ScenarioFeed(load_scenario(spec.name), instrument, seed=seed, start_ms=start_ms, price=spec.price,
                            tick_interval_ms=spec.tick_interval_ms or 100)
    if not spec.path:
        raise InputError(f"a {spec.kind} feed needs a path")
    rebase = start_ms if spec.rebase else None
    if spec.kind == "trades":
        return TradesFeed(instrument, Path(spec.path), source_symbol=spec.source_symbol, rebase_to_ms=rebase)
    if spec.kind == "quotes":  # a BitMEX quote dump: the order book stands on the recorded best bid / ask
        from terminal.feeds.quotes import QuotesFeed

        return QuotesFeed(instrument, Path(spec.path), source_symbol=spec.source_symbol, rebase_to_ms=rebase)
    return BarsFeed(instrument, Path(spec.path), seed=seed, tick_interval_ms=spec.tick_interval_ms or 1000,
                    rebase_to_ms=rebase)
