"""Feed checkpoints: a price feed's whole state as a small value, so a feed resumes in O(1) whatever its age.

A feed is a deterministic function of its *origin* — the ``[feed]`` spec, the seed and the start it was made
with (:func:`terminal.feeds.make_feed`) — and of how far it has been read. A :class:`FeedCheckpoint` holds the
origin, the position (the number of the next tick handed out) and, for feeds generated block by block (synthetic,
bars), the generator state at the start of the block holding that position (the random walk's level, the volatility
regime, the premium processes and the running funding premium). Finite feeds computed up front (scenario, trade
replay) need no generator state: they are rebuilt from their origin (cost bounded by the scenario or file, never by
the account's age) and positioned.

API::

    cp = feed.checkpoint()                      # FeedCheckpoint, frozen, JSON: cp.model_dump_json()
    feed.restore(cp)                            # same origin: jump to cp (back or forward), no regeneration
    feed = feed_from_checkpoint(cp, instrument) # terminal.feeds: a new feed, as if it had never stopped

Guarantee (tested with hypothesis for every feed kind): after ``restore(cp)`` the feed hands out exactly the ticks,
bit for bit, that the original feed handed out after ``cp`` was taken. Checkpoints are plain values, so they can be
kept for any past moment: rewinding or branching a session ("what if") is restoring the engine state and the feed
checkpoints saved together at that moment (see :mod:`terminal.store.checkpoints`).
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from terminal.feeds.spec import FeedSpec

CHECKPOINT_FORMAT = 1


@dataclass(frozen=True)
class FeedOrigin:
    """What a feed was made from: ``make_feed(spec, instrument, seed=seed, start_ms=start_ms)``."""

    spec: FeedSpec
    seed: int
    start_ms: int


class FeedCheckpoint(BaseModel):
    """A feed's state at one moment: its origin, its position and its generator state there."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    format: int = CHECKPOINT_FORMAT
    symbol: str
    spec: FeedSpec
    seed: int
    start_ms: int
    position: int  # number of the next tick the feed hands out
    block: int = 0  # block feeds: the block holding ``position``
    state: tuple[float, ...] = ()  # block feeds: generator state at the start of ``block``

    @property
    def origin(self) -> FeedOrigin:
        return FeedOrigin(self.spec, self.seed, self.start_ms)
