"""A price feed's row in the account file: its spec, origin (seed, start) and checkpoint (resume in O(1))."""
from __future__ import annotations

from typing import Any

from terminal.feeds.base import Feed
from terminal.feeds.checkpoint import FeedOrigin
from terminal.feeds.spec import FeedSpec
from terminal.session.trading_session import TradingSession


class FeedRows:
    """Builds ``feeds`` rows, caching each spec's JSON (a FeedSpec is frozen: its JSON never changes)."""

    def __init__(self) -> None:
        self._spec_json: dict[int, tuple[FeedSpec, str]] = {}

    def spec_text(self, spec: FeedSpec) -> str:
        cached = self._spec_json.get(id(spec))
        if cached is None or cached[0] is not spec:
            cached = self._spec_json[id(spec)] = (spec, spec.model_dump_json())
        return cached[1]

    def row(self, session: TradingSession, sym: str, feed: Feed) -> tuple[Any, ...]:
        if feed.origin is None:  # a feed made without make_feed (tests, tools): its origin is the session's record
            seed, start = session.feed_origin.get(
                sym, (session.seed * 1_000_003 + session.catalog.symbols.index(sym), session.start_ms))
            feed.origin = FeedOrigin(session.spec_for(sym), seed, start)
        o = feed.origin
        cp = feed.checkpoint()
        return (sym, self.spec_text(session.spec_for(sym)), o.seed, o.start_ms, cp.position, cp.model_dump_json())
