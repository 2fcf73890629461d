"""Leverage side by side (ghosts): same stake, same entry, different leverage — who survives a fall.

Derivation (inverse XBTUSD, isolated): a long's PnL as a share of its initial margin is ``L × (1 − E / P)`` (PnL is
``q·|m|·(1/E − 1/P)``, margin ``q·|m| / (E·L)``). At P = 0.79·E (the flash crash's −21 %) a 2x long is at
2 × (1 − 1/0.79) = −53.2 % of its stake, so its equity is 46.8 % of the stake; a 10x long is liquidated once the
mark falls about 1/L − MMR ≈ 10 % − 0.5 % − fees, i.e. before −10 %; 25x before −4 %, 100x before −1 %.
"""
from __future__ import annotations

import numpy as np
import pytest

from terminal.domain.ghosts import GhostRun, open_ghosts, parse_leverages
from terminal.domain.instruments import default_catalog

XBT = default_catalog()["XBTUSD"]


def test_same_stake_at_each_leverage_and_liquidation_prices_in_order():
    ghosts = open_ghosts(XBT, 1, 50_000.0, 1_000_000)  # 0.01 XBT each
    assert [g.leverage for g in ghosts] == [2, 10, 25, 100]
    for g in ghosts:
        assert g.margin_minor == pytest.approx(1_000_000, rel=0.01)  # the same stake, to the contract
        assert g.qty == pytest.approx(1_000_000 * g.leverage / 2_000, rel=0.01)  # 2,000 XBt a contract at 50,000
    liqs = [g.liquidation for g in ghosts]
    assert liqs == sorted(liqs)  # the more leverage, the closer the liquidation
    assert 49_500 < ghosts[-1].liquidation < 50_000 and 45_000 < ghosts[1].liquidation < 46_000
    assert ghosts[0].liquidation < 34_000  # 2x: about −33 % away for an inverse long


def test_a_21_percent_fall_liquidates_10x_25x_100x_and_leaves_2x_at_46_8_percent():
    ghosts = open_ghosts(XBT, 1, 50_000.0, 1_000_000)
    run = GhostRun(XBT, ghosts, opened_ms=0)
    prices = np.linspace(50_000.0, 39_500.0, 1_000)  # a straight fall to 0.79 of the entry
    t = np.arange(len(prices), dtype=np.float64) * 100
    run.feed(t[:500], prices[:500])
    run.feed(t[500:], prices[500:])
    assert [g.leverage for g in run.survivors()] == [2.0]
    assert run.liquidated_ms[100.0] < run.liquidated_ms[25.0] < run.liquidated_ms[10.0]
    times, eq = run.series()
    assert len(times) == 1_000
    assert eq[-1, 0] == pytest.approx(1 + 2 * (1 - 1 / 0.79), abs=0.005)  # 46.8 % of the stake
    assert (eq[-1, 1:] == 0).all()  # liquidated ghosts keep nothing
    run.feed(t, prices)  # rows already fed are ignored
    assert len(run.series()[0]) == 1_000


def test_shorts_survive_the_fall_and_ghosts_never_touch_an_account():
    ghosts = open_ghosts(XBT, -1, 50_000.0, 1_000_000)
    run = GhostRun(XBT, ghosts, opened_ms=0)
    run.feed(np.array([0.0, 100.0]), np.array([50_000.0, 45_000.0]))
    assert len(run.survivors()) == 4
    _, eq = run.series()
    assert eq[-1, 3] == pytest.approx(1 + 100 * (50_000 / 45_000 - 1), rel=1e-6)  # a short gains L × (E/P − 1)


@pytest.mark.parametrize("text, want", [("2, 10, 25, 100", [2, 10, 25, 100]), ("100x;5x", [5, 100]),
                                         ("abc", "not a leverage"), ("0.5", "outside"), ("", "at least one"),
                                         ("200", "outside")])
def test_leverage_list_parsing(text, want):
    got = parse_leverages(text, 100)
    if isinstance(want, list):
        assert got == want
    else:
        assert isinstance(got, str) and want in got
