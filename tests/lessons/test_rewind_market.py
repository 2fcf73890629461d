"""A rewind brings back the market the trader had: its fill model, the scenario's crowd and stress, the depth
still refilling and the queues — so replaying the same actions gives the same fills, price for price (QA: a rewind
built a fresh `realistic` market with no crowd, and replayed fills came out at other prices)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from terminal.feeds.spec import FeedSpec
from terminal.lessons.outcomes import Change
from terminal.lessons.timeline import Timeline
from terminal.session.market_setup import books_json, market_json
from terminal.session.trading_session import TradingSession

START = 1_709_251_200_000
SYM = "XBTUSD"
END = START + 6 * 60_000


def new_session() -> TradingSession:
    s = TradingSession.new(seed=3, start_ms=START, wallets_minor={"XBT": 10 * 10**8})
    s.set_fill_model("stressed")
    s.feed_specs[SYM] = FeedSpec(kind="scenario", name="cascade", symbol=SYM, price=50000)
    s.ensure_feed(SYM)
    return s


ACTIONS: dict[int, Callable[[Any], object]] = {
    START + 30_000: lambda ex: ex.place_order({"symbol": SYM, "side": "buy", "qty": 200_000, "type": "market"}),
    START + 31_000: lambda ex: ex.place_order({"symbol": SYM, "side": "buy", "qty": 5_000, "type": "limit",
                                               "price": 49_990.0}),
    START + 40_000: lambda ex: ex.place_order({"symbol": SYM, "side": "sell", "qty": 100_000, "type": "market"}),
}


def play(tl: Timeline, until: int, actions: dict[int, Callable[[Any], object]] | None = None) -> None:
    todo = dict(actions or {})
    while tl.session.exchange.now_ms < until:
        for at in sorted(todo):
            if at <= tl.session.exchange.now_ms:
                todo.pop(at)(tl.session.exchange)
        if not tl.advance(until, 10):
            break


def summary(s: TradingSession) -> dict[str, object]:
    ex = s.exchange
    return {"fill_model": s.market.fill_model, "market": market_json(ex), "book": books_json(ex, 5),
            "fills": [(f.order_id, f.side, f.qty, f.price, f.liquidity, f.time) for f in ex.fills],
            "last": ex.markets[SYM].last}


def test_going_back_keeps_the_market_and_replays_the_same_fills() -> None:
    tl = Timeline(new_session(), primary=SYM)
    play(tl, END, ACTIONS)
    first = summary(tl.session)
    assert len(first["fills"]) >= 2  # type: ignore[arg-type]
    tl.go_to(START + 35_000)
    market = tl.session.market
    assert market.fill_model == "stressed" and SYM in market.stress
    assert market_json(tl.session.exchange)["crowd"][SYM]["members"] > 0
    tape = market.books[SYM].tape.view()
    assert tape.t_ms.size and int(tape.t_ms.max()) <= START + 35_000  # the undone prints are off the tape
    play(tl, END)
    assert summary(tl.session) == first


def test_a_what_if_leaves_the_live_market_untouched() -> None:
    tl = Timeline(new_session(), primary=SYM)
    play(tl, END, ACTIONS)
    before = summary(tl.session)
    actual, what_if = tl.branch(START + 20_000, Change("size", 100_000))
    assert actual.label != what_if.label
    assert summary(tl.session) == before
