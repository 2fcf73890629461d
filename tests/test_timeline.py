"""The scenario timeline through the real window: the phase bar follows the scenario, the trainer's auto-slow
drops the clock to 1x before the key moment and restores the speed after it, "replay from phase" enters the crash
at the current price, and a scenario that ends pauses with its banner."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QToolBar

from terminal.feeds.scenario import load_scenario


def w(win, cls, name):
    found = win.findChild(cls, name)
    assert found is not None, name
    return found


def elapsed_s(win) -> float:
    origin = win.bridge.session.feed_origin["XBTUSD"][1]
    return (win.bridge.session.now_ms - origin) / 1000


def last(win) -> float:
    return win.bridge.session.exchange.markets["XBTUSD"].last


def test_the_timeline_shows_the_scenarios_phases_only_while_a_scenario_plays(qtbot, window):
    bar = w(window, QToolBar, "toolbar.timeline")
    assert not bar.isVisible()
    w(window, QComboBox, "sim.source").setCurrentText("Scenario: Flash crash")
    assert bar.isVisible()
    tl = window.training.timeline
    assert tl.bar.phase_names() == [p.name for p in load_scenario("flash-crash").timeline()]
    window.bridge.jump_to(window.bridge.session.now_ms + 16 * 60_000)
    assert tl.phase.text().startswith("build-up")
    w(window, QComboBox, "sim.source").setCurrentText("Synthetic market")
    assert not bar.isVisible()


def test_auto_slow_drops_to_1x_before_the_crash_and_restores_the_speed_after(qtbot, window):
    w(window, QComboBox, "sim.source").setCurrentText("Scenario: Flash crash")
    w(window, QCheckBox, "timeline.autoSlow").setChecked(True)
    speed = w(window, QComboBox, "sim.speed")
    speed.setCurrentText("100x")
    window.toolbar.play.setChecked(True)
    try:
        assert window.bridge.clock.speed == "100x"
        window.bridge.jump_to(window.bridge.session.now_ms + 1170 * 1000)  # 30 s before the crash
        window.bridge.tick(0.016)
        assert window.bridge.clock.speed == "1x" and speed.currentText() == "1x"
        window.bridge.jump_to(window.bridge.session.now_ms + 400 * 1000)  # past the crash phase
        window.bridge.tick(0.016)
        assert window.bridge.clock.speed == "100x"
    finally:
        window.bridge.set_speed("pause")


def test_replay_from_the_crash_keeps_the_price_and_then_falls(qtbot, window):
    w(window, QComboBox, "sim.source").setCurrentText("Scenario: Flash crash")
    window.bridge.jump_to(window.bridge.session.now_ms + 5 * 60_000)
    before = last(window)
    crash = [p.name for p in load_scenario("flash-crash").timeline()].index("crash")
    w(window, QAction, f"timeline.replay{crash}").trigger()
    assert abs(elapsed_s(window) - 1200) < 1
    window.bridge.step()
    assert abs(last(window) - before) < before * 0.002  # entered at the current price
    window.bridge.jump_to(window.bridge.session.now_ms + 180 * 1000)
    assert last(window) < before * 0.92  # the crash's -12 % over three minutes
