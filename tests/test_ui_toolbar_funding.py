"""The toolbar's funding read-out: the rate fixed for the next funding (with the time left) and, beside it, the rate
the window in progress predicts for the funding after that (issue 11 point 2). Driven through the real window."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def test_predicted_funding_label_follows_the_engine(qtbot):
    """In the funding-spike scenario the window in progress predicts a much higher rate while the next payment's
    rate is already fixed: the two labels show the engine's two numbers, each in its place."""
    from terminal.feeds.spec import FeedSpec
    from ui.window.main_window import build_window, fresh_session

    s = fresh_session()
    s.set_feed("XBTUSD", FeedSpec(kind="scenario", name="funding-spike", symbol="XBTUSD"))
    window = build_window(s)
    qtbot.addWidget(window)
    window.show()
    ex = window.bridge.session.exchange
    fixed, predicted = w(window, QLabel, "toolbar.funding"), w(window, QLabel, "toolbar.predictedFunding")
    window.bridge.clock.speed = "1000x"  # the timer stays off: the test drives the frames
    for _ in range(200):
        frame = window.bridge.tick(1.0)
        m = ex.markets["XBTUSD"]
        assert frame.predicted_funding_rate == m.predicted_funding_rate
        assert predicted.text() == f"· predicted {m.predicted_funding_rate * 100:.4f} %"
        assert fixed.text().startswith(f"{m.funding_rate * 100:.4f} % in ")
        if abs(m.predicted_funding_rate - m.funding_rate) > 1e-4:
            break
    else:
        raise AssertionError("the predicted rate never moved away from the fixed one")
    assert predicted.text() != "· predicted " + fixed.text().split(" in ")[0]

    ex.markets["XBTUSD"].predicted_funding_rate = 0.000123  # whatever the engine says, the label says
    window.bridge.publish()
    assert predicted.text() == "· predicted 0.0123 %"
    assert "Predicted" in predicted.toolTip() and "fixed" in fixed.toolTip()


def test_a_dated_future_shows_no_predicted_rate(window):
    dated = next((s for s in window.bridge.catalog.symbols if not window.bridge.catalog[s].funding_interval_h), None)
    if dated is None:
        return
    window.bridge.set_symbol(dated)
    window.bridge.clock.speed = "max"
    window.bridge.tick(1.0)
    assert w(window, QLabel, "toolbar.funding").text() == "none (dated future)"
    assert w(window, QLabel, "toolbar.predictedFunding").text() == ""
