"""Account resets during a lesson: the lesson plays on its own session (the practice account is set aside), but a
reset — the "Reset after liquidation" training option, or Reset account — replaced that session with a default one
(synthetic market, 10,000 USDT more) while the lesson went on, so a trainee liquidated in the flash crash passed
"not liquidated"."""
from __future__ import annotations


def _liquidated_in(window, lesson_id: str):
    svc, b = window.lessons.service, window.bridge
    lesson = next(x for x in svc.lessons() if x.id == lesson_id)
    svc.start(lesson)
    b.jump_to(b.session.now_ms + 60_000)
    assert b.orders.set_leverage(b.symbol, 100).accepted
    assert b.orders.place({"symbol": b.symbol, "side": "buy", "qty": 20_000, "type": "market"}).accepted
    for _ in range(120):
        b.jump_to(b.session.now_ms + 30_000)
        if b.session.exchange.liquidations or b.session.now_ms >= lesson.start.end_ms:
            break
    return svc, b, lesson


def test_reset_after_liquidation_leaves_a_lesson_alone(window):
    window.accounts.set_reset_after_liquidation(True)
    svc, b, _lesson = _liquidated_in(window, "stop-loss-risk")
    assert len(b.session.exchange.liquidations) == 1  # the lesson keeps the liquidation it is about
    assert b.source_for(b.symbol).name == "flash-crash" and svc.in_lesson
    verdict = svc.finish()
    assert {c["id"]: c["passed"] for c in verdict["checks"]}.get("not-liquidated", False) is False


def test_reset_account_in_a_lesson_starts_the_lesson_over(window):
    svc, b, lesson = _liquidated_in(window, "stop-loss-risk")
    assert window.reset_account(confirm=False)
    assert svc.in_lesson and svc.lesson.id == "stop-loss-risk"
    assert b.session.now_ms - lesson.start.start_ms < 5_000 and not b.session.exchange.liquidations
    assert b.source_for(b.symbol).name == "flash-crash"
    assert set(b.session.exchange.wallets) <= {"XBT"} or b.session.exchange.wallets["USDT"].balance == 0
    assert "started over" in window.form.message.text()
