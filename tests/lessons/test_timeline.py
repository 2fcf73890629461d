"""Rewind, go to and branch, headless: replaying gives exactly what happened the first time."""
from __future__ import annotations

from typing import Any

from terminal.lessons.library import find_lesson
from terminal.lessons.player import new_lesson_session
from terminal.lessons.timeline import Change, Timeline

LESSON = find_lesson("changing-leverage")  # flash crash: a 10x long survives only if its leverage is lowered
SYM = LESSON.start.symbol
T0 = LESSON.start.start_ms


def played() -> tuple[Any, Timeline]:
    s = new_lesson_session(LESSON)
    tl = Timeline(s, primary=SYM)

    def frames(to: int) -> None:
        while s.exchange.now_ms < to and tl.advance(to, 3000):
            pass

    frames(T0 + 60_000)
    s.exchange.place_order({"symbol": SYM, "side": "buy", "qty": 10000, "type": "market"})
    frames(T0 + 300_000)
    s.exchange.set_margin_mode(SYM, False, 3)
    frames(T0 + 3_000_000)
    return s, tl


def state(tl: Timeline) -> tuple[Any, ...]:
    s = tl.session
    ex = s.exchange
    return (ex.now_ms, [(f.fill_id, f.time, f.price, f.qty) for f in ex.fills], {c: w.balance for c, w in ex.wallets.items()},
            [(p.symbol, p.qty, p.leverage, p.entry_value) for p in ex.positions.values()], len(ex.ledger),
            s.feeds[SYM].position, [(r.time, r.amount_minor) for r in ex.ledger])


def test_go_to_and_play_forward_is_identical() -> None:
    _, tl = played()
    first = state(tl)
    tl.go_to(T0 + 200_000)  # after the buy, before the leverage change
    assert tl.session.exchange.now_ms <= T0 + 200_000 and tl.session.exchange.positions[SYM].leverage == 10
    assert len(tl.future) == 1
    tl.go_to(first[0])
    assert state(tl) == first


def test_step_back_one_tick_then_forward_is_identical() -> None:
    _, tl = played()
    first = state(tl)
    tl.step_back_ticks(1)
    assert tl.session.feeds[SYM].position == first[5] - 1
    tl.go_to(first[0])
    assert state(tl) == first


def test_acting_differently_after_a_rewind_keeps_the_undone_stretch() -> None:
    _, tl = played()
    tl.go_to(T0 + 30_000)  # before the buy: the fill is undone
    assert not tl.session.exchange.fills
    assert tl.discarded and tl.discarded[-1].journals["fills"]
    tl.session.exchange.place_order({"symbol": SYM, "side": "sell", "qty": 5000, "type": "market"})
    assert tl.future == [] and len(tl.discarded) == 2
    assert [a.name for a in tl.discarded[-1].actions] == ["place_order", "set_margin_mode"]


def test_branch_what_if_25x_is_liquidated_where_the_real_3x_survived() -> None:
    _, tl = played()
    before = state(tl)
    actual, what_if = tl.branch(T0 + 100_000, Change("leverage", 25))
    assert actual.liquidations == 0 and what_if.liquidations == 1
    assert what_if.margin_balance_minor < actual.margin_balance_minor or what_if.realised_pnl_minor < 0
    assert state(tl) == before  # the live session is untouched
    assert len(actual.equity) > 2 and len(what_if.equity) > 2


def test_a_what_if_with_no_decision_to_change_says_so_instead_of_replaying_what_happened() -> None:
    import pytest

    from terminal.domain.errors import InputError

    _, tl = played()
    before = state(tl)
    for change in (Change("size", 5000), Change("stop", 30000)):  # after the only order; there was never a stop
        with pytest.raises(InputError, match=r"no .* at or after this moment"):
            tl.branch(T0 + 200_000, change)
    with pytest.raises(InputError, match="a stop order"):
        tl.branch(T0 + 10_000, Change("stop", 30000))
    actual, what_if = tl.branch(T0 + 10_000, Change("size", 5000))  # before the buy: the size can change
    assert what_if.realised_pnl_minor != actual.realised_pnl_minor or what_if.margin_balance_minor != actual.margin_balance_minor
    assert state(tl) == before
