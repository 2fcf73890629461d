"""Play a session script into a live :class:`TradingSession` (a stored account, or the window ``shot`` shows).

``run_script`` plays the script into the session's exchange and chart history; afterwards the script's feed
becomes the session's price source for its symbol, positioned at the script's end, with the last stretch of
its ticks on the price chart.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from terminal.domain.instruments import default_catalog
from terminal.domain.money import to_minor
from terminal.feeds import make_feed
from terminal.feeds.base import UNBOUNDED_MS, Feed
from terminal.session.runner import keeps_own_dates, run_script
from terminal.session.script import Script
from terminal.session.trading_session import TradingSession


def new_session_for(script: Script) -> TradingSession:
    """A fresh session with the script's wallets, at its start (or where replayed history starts)."""
    start = script.start_ms
    if keeps_own_dates(script):
        inst = default_catalog()[script.feed.resolved_symbol()]
        start = make_feed(script.feed, inst, seed=script.seed, start_ms=start).start_ms
    wallets: dict[str, int] = {cur: to_minor(cur, amount) for cur, amount in script.account.items()}
    return TradingSession.new(seed=script.seed, start_ms=start, wallets_minor=wallets)


def play_into_session(script: Script, session: TradingSession, base_dir: Path | None,
                      tail_ticks: int) -> tuple[dict[str, Any], int]:
    """Play ``script`` into ``session``; returns the run report and the start time the run used."""
    played: list[Feed] = []
    report = run_script(script, base_dir=base_dir, exchange=session.exchange, history=session.history,
                        on_feed=played.append)
    start = int(report["stats"]["start_ms"])
    symbol = script.feed.resolved_symbol()
    feed = played[0]  # at the script's end: its last stretch is re-read for the chart (memory flat in length)
    end = feed.position
    feed.seek(max(0, end - tail_ticks))
    tail = feed.read(UNBOUNDED_MS, end - feed.position)
    session.feed_specs[symbol] = script.feed.model_copy(update={"symbol": symbol})
    session.feeds[symbol] = feed
    session.feed_origin[symbol] = (script.seed, start)
    session.prices.pop(symbol, None)
    session._record_prices(symbol, tail)
    session.history.sample(session.exchange)
    session._next_sample = session.exchange.now_ms + 1000
    return report, start
