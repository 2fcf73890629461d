"""A rewind replays the trader's market settings as it replays orders: switching the fill model or the price source
is recorded on the timeline. Rewinding to before such a switch and playing forward again gave another market —
the synthetic path instead of the flash crash, realistic fills instead of stressed ones (a 400,000 buy filled
5 dollars better the second time) — where the README promises the market replays exactly as the first time."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox

from terminal.feeds.spec import FeedSpec


def test_a_rewind_before_a_fill_model_switch_replays_the_same_fills(window):
    b, svc = window.bridge, window.lessons.service
    b.jump_to(b.session.now_ms + 60_000)
    before_switch = b.session.now_ms
    b.jump_to(b.session.now_ms + 10_000)
    window.findChild(QComboBox, "status.fillModel").setCurrentText("Fills: stressed")
    b.jump_to(b.session.now_ms + 10_000)
    assert b.orders.place({"symbol": "XBTUSD", "side": "buy", "qty": 400_000, "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 30_000)
    end = b.session.now_ms
    first = [(f.price, f.qty, f.levels) for f in b.session.exchange.fills]
    svc.go_to(before_switch)
    assert b.fill_model == "realistic"  # as it was then
    b.jump_to(end + 1)  # play forward again
    assert [(f.price, f.qty, f.levels) for f in b.session.exchange.fills] == first
    assert b.fill_model == "stressed"
    assert window.findChild(QComboBox, "status.fillModel").currentText() == "Fills: stressed"


def test_a_rewind_before_a_source_switch_replays_the_same_market(window):
    b, svc = window.bridge, window.lessons.service
    b.jump_to(b.session.now_ms + 120_000)
    before_switch = b.session.now_ms
    b.jump_to(b.session.now_ms + 10_000)
    b.set_source(FeedSpec(kind="scenario", name="flash-crash", symbol="XBTUSD"))
    b.jump_to(b.session.now_ms + 600_000)
    end = b.session.now_ms
    first = b.session.exchange.markets["XBTUSD"]
    first_prices = (first.last, first.mark, first.index)
    svc.go_to(before_switch)
    assert b.source_for("XBTUSD").kind == "synthetic"
    b.jump_to(end + 1)
    again = b.session.exchange.markets["XBTUSD"]
    assert (again.last, again.mark, again.index) == first_prices
    assert b.source_for("XBTUSD").name == "flash-crash"


def test_a_lesson_session_with_a_fill_model_switch_replays_to_the_same_verdict(window, tmp_path: Path):
    from terminal.lessons.classroom import replay_session

    svc = window.lessons.service
    lesson = next(x for x in svc.lessons() if x.id == "slippage-thin-alt")
    svc.start(lesson)
    b = window.bridge
    b.jump_to(b.session.now_ms + 30_000)
    b.set_fill_model("ideal")
    assert b.orders.place({"symbol": b.symbol, "side": "buy", "qty": b.catalog[b.symbol].lot_size * 100,
                           "type": "market"}).accepted
    b.jump_to(b.session.now_ms + 30_000)
    body = svc.export_session(tmp_path / "s.ltsession.json", "ana")
    assert any(a["name"] == "set_fill_model" for a in body["actions"])
    assert replay_session(tmp_path / "s.ltsession.json")["checks"] == body["verdict"]["checks"]


def test_a_rewind_past_a_dump_that_was_deleted_since_goes_on_without_it(qtbot, window, tmp_path: Path):
    from tests.test_market_replay import quote_dump
    from ui.market.install import open_dump

    b, svc = window.bridge, window.lessons.service
    quote_dump(tmp_path / "q.csv.gz")
    b.jump_to(b.session.now_ms + 120_000)
    before = b.session.now_ms
    assert open_dump(window, str(tmp_path / "q.csv.gz")) is None
    b.jump_to(b.session.now_ms + 60_000)
    assert b.source_for("XBTUSD").kind == "quotes"
    (tmp_path / "q.csv.gz").unlink()
    with qtbot.captureExceptions() as raised:
        svc.go_to(before - 1_000)
        b.jump_to(b.session.now_ms + 90_000)  # the recorded switch cannot be replayed: the market goes on
    assert raised == []
    assert b.source_for("XBTUSD").kind == "synthetic" and b.session.now_ms > before
