"""The engine under load: a hypothesis state machine driving the exchange through its public API only.

Rules: orders of every type (market, limit, stop, take-profit, stop-limit; reduce-only, post-only, IOC / FOK),
cancels of live orders, cancel-all, leverage and margin-mode changes, margin added and removed, closes, and price
paths that drift, gap in one tick, crash towards the tick size or squeeze upwards — across four symbols settled in
both currencies (XBTUSD inverse and ETHUSD quanto in XBT; XBTUSDT and ETHUSDT linear in USDT), with funding
instants crossed. After every step:

* each currency's ledger sums exactly to its wallet (money only moves through ledger rows);
* no wallet is below zero;
* an isolated position's liquidation loss never exceeds the margin it had before the step (MECHANICS: the trader
  loses the position margin, never more, in isolated);
* a refused request leaves the snapshot identical and says why;
* no exception escapes.

The default run plays a few hundred machines (about 30 s); `pytest -m slow` plays 5,000.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from terminal.exchange.snapshot import take_snapshot
from tests.helpers import batch, exchange, ledger_sums

START = {"XBTUSD": 50_000.0, "ETHUSD": 3_000.0, "XBTUSDT": 50_000.0, "ETHUSDT": 3_000.0}
SYMBOLS = sorted(START)
symbol_st = st.sampled_from(SYMBOLS)
ORDER_TYPES = ["market", "market", "limit", "limit", "stop_market", "take_profit_market", "stop_limit",
               "take_profit_limit"]
HOUR_MS = 3_600_000


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ex = exchange(deposits={"XBT": 20_000_000, "USDT": 2_000_000_000})
        self.prices = dict(START)
        self.t = 4 * HOUR_MS - 60_000  # a minute before the 04:00 funding

    @initialize()
    def open_markets(self) -> None:
        for sym, p in self.prices.items():
            self.ex.step(sym, batch([p], t0=self.t))

    # ------------------------------------------------------------------ helpers
    def _snap(self) -> dict[str, object]:
        return take_snapshot(self.ex).to_dict()

    def _request(self, call, *args):  # type: ignore[no-untyped-def]
        """Make one request; a refusal must say why and change nothing."""
        before = self._snap()
        ack = call(*args)
        if not ack.accepted:
            assert ack.reason, ack
            assert self._snap() == before, ack.reason
        return ack

    def _tick(self) -> None:
        self.t += 1_000
        self.ex.now_ms = max(self.ex.now_ms, self.t)

    def _play(self, sym: str, path: list[float], dt: int = 10) -> None:
        """Step ``sym`` along ``path`` and check the isolated-loss cap of every position the path liquidates."""
        inst = self.ex.catalog[sym]
        path = [min(max(inst.round_price(p), inst.tick_size), inst.max_price) for p in path]
        margins = {p.symbol: (p.position_margin_minor, p.size > 0, p.margin_mode, abs(p.size))
                   for p in take_snapshot(self.ex).positions}
        seen = len(self.ex.liquidations)
        self.ex.step(sym, batch(path, t0=self.t, dt=dt))
        self.t += dt * len(path)
        self.prices[sym] = path[-1]
        for liq in self.ex.liquidations[seen:]:
            before = margins.get(liq.symbol)
            # the position as it stood before the path (a resting order filled on the way makes another position,
            # with more margin, which this check did not see)
            if before and before[2] == "isolated" and liq.margin_mode == "isolated" and before[1] == (liq.side == "buy") \
                    and liq.qty <= before[3]:
                assert liq.loss_minor <= before[0], (liq, before)

    # ------------------------------------------------------------------ requests
    @rule(sym=symbol_st, side=st.sampled_from(["buy", "sell"]), lots=st.integers(1, 500),
          kind=st.sampled_from(ORDER_TYPES), offset=st.floats(-0.08, 0.08),
          reduce_only=st.sampled_from([False, False, False, True]), post_only=st.sampled_from([False, False, True]),
          tif=st.sampled_from([None, None, "IOC", "FOK"]))
    def place(self, sym: str, side: str, lots: int, kind: str, offset: float, reduce_only: bool, post_only: bool,
              tif: str | None) -> None:
        self._tick()
        inst = self.ex.catalog[sym]
        ref = self.prices[sym] * (1 + offset)
        req: dict[str, object] = {"symbol": sym, "side": side, "qty": lots * inst.lot_size, "type": kind,
                                  "reduce_only": reduce_only, "post_only": post_only and kind == "limit"}
        if "limit" in kind:
            req["price"] = max(inst.round_price(ref), inst.tick_size)
            if tif and kind == "limit":
                req["time_in_force"] = tif
        if kind not in ("market", "limit"):
            req["stop_price"] = max(inst.round_price(ref), inst.tick_size)
        pos = self.ex.positions.get(sym)
        size_before = abs(pos.qty) if pos else 0
        ack = self._request(self.ex.place_order, req)
        if reduce_only and ack.accepted:
            pos = self.ex.positions.get(sym)
            assert (abs(pos.qty) if pos else 0) <= size_before

    @rule(sym=symbol_st, side=st.sampled_from(["buy", "sell"]), lev=st.sampled_from([10, 25, 50, 100]),
          cross=st.booleans(), lots=st.integers(5, 300))
    def leveraged_entry(self, sym: str, side: str, lev: float, cross: bool, lots: int) -> None:
        """A position at high leverage (isolated or cross): what the price rules then liquidate."""
        self._tick()
        self._request(self.ex.set_margin_mode, sym, cross, lev)
        inst = self.ex.catalog[sym]
        self._request(self.ex.place_order, {"symbol": sym, "side": side, "qty": lots * inst.lot_size, "type": "market"})

    @rule(sym=symbol_st, qty=st.sampled_from([0, -5, math.nan, math.inf, 10**15, 3]),
          price=st.sampled_from([None, 0.0, -1.0, math.nan, 1e12, 50_000.03]))
    def place_bad(self, sym: str, qty: float, price: float | None) -> None:
        """Malformed requests are refused (or, for a sensible one, handled) without touching the state wrongly."""
        self._tick()
        req = {"symbol": sym, "side": "buy", "qty": qty, "type": "limit" if price is not None else "market"}
        if price is not None:
            req["price"] = price
        self._request(self.ex.place_order, req)

    @precondition(lambda self: bool(self.ex.orders))
    @rule(data=st.data())
    def cancel_one(self, data: st.DataObject) -> None:
        self._tick()
        oid = data.draw(st.sampled_from(sorted(self.ex.orders)))
        ack = self._request(self.ex.cancel_order, oid)
        assert ack.accepted and oid not in self.ex.orders

    @rule(oid=st.integers(10_000, 20_000))
    def cancel_unknown(self, oid: int) -> None:
        ack = self._request(self.ex.cancel_order, oid)
        assert not ack.accepted

    @rule(sym=st.one_of(st.none(), symbol_st))
    def cancel_all(self, sym: str | None) -> None:
        self._tick()
        self.ex.cancel_all(sym)
        assert not any(o.symbol == sym or sym is None for o in self.ex.orders.values())

    @rule(sym=symbol_st, lev=st.sampled_from([1, 2, 3, 5, 10, 25, 50, 100, 0, -1, 0.5, 101, math.nan]))
    def leverage(self, sym: str, lev: float) -> None:
        self._tick()
        self._request(self.ex.set_leverage, sym, lev)

    @rule(sym=symbol_st, cross=st.booleans(), lev=st.sampled_from([None, 2, 10, 50]))
    def margin_mode(self, sym: str, cross: bool, lev: float | None) -> None:
        self._tick()
        self._request(self.ex.set_margin_mode, sym, cross, lev)

    @rule(sym=symbol_st, amount=st.integers(-10**9, 10**9))
    def adjust_margin(self, sym: str, amount: int) -> None:
        self._tick()
        self._request(self.ex.adjust_margin, sym, amount)

    @rule(sym=symbol_st, at_limit=st.booleans())
    def close(self, sym: str, at_limit: bool) -> None:
        self._tick()
        price = self.ex.catalog[sym].round_price(self.prices[sym] * 1.01) if at_limit else None
        self._request(self.ex.close_position, sym, price)

    # ------------------------------------------------------------------ prices
    @rule(sym=symbol_st, change=st.floats(-0.3, 0.3), n=st.integers(1, 40))
    def drift(self, sym: str, change: float, n: int) -> None:
        p0 = self.prices[sym]
        self._play(sym, [p0 * (1 + change * (i + 1) / n) for i in range(n)])

    @rule(sym=symbol_st, jump=st.sampled_from([-0.6, -0.35, -0.15, 0.2, 0.5, 1.5]))
    def gap(self, sym: str, jump: float) -> None:
        """One tick, no prices in between: stops and liquidations fill at the far side of the gap."""
        self._play(sym, [self.prices[sym] * (1 + jump)])

    @rule(sym=symbol_st, depth=st.sampled_from([0.9, 0.99, 0.999]), n=st.integers(2, 20))
    def crash_and_recover(self, sym: str, depth: float, n: int) -> None:
        p0 = self.prices[sym]
        down = [p0 * (1 - depth * (i + 1) / n) for i in range(n)]
        self._play(sym, [*down, p0 * (1 - depth) * 3])

    @rule(sym=symbol_st)
    def cross_funding(self, sym: str) -> None:
        """Jump the clock over the next funding instant (every 8 h) with a few ticks."""
        nxt = (self.t // (8 * HOUR_MS) + 1) * 8 * HOUR_MS + 4 * HOUR_MS
        self.t = max(self.t, nxt - 500)
        self._play(sym, [self.prices[sym]] * 5, dt=250)

    # ------------------------------------------------------------------ after every step
    @invariant()
    def ledger_sums_exactly_and_no_wallet_is_negative(self) -> None:
        assert ledger_sums(self.ex)
        for w in self.ex.wallets.values():
            assert w.balance >= 0, w

    def teardown(self) -> None:
        event(f"fills: {'none' if not self.ex.fills else '1-9' if len(self.ex.fills) < 10 else '10+'}")
        event(f"liquidated: {bool(self.ex.liquidations)}; funded: {bool(self.ex.funding)}")
        event(f"cross positions: {any(p.cross for p in self.ex.positions.values())}")

    @invariant()
    def positions_and_orders_are_well_formed(self) -> None:
        for sym, pos in self.ex.positions.items():
            assert isinstance(pos.qty, int) and abs(pos.qty) <= self.ex.catalog[sym].max_order_qty * 1000
        for o in self.ex.orders.values():
            assert o.symbol in self.ex.catalog and o.qty > 0


EngineMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_engine_state_machine = EngineMachine.TestCase


@pytest.mark.slow
def test_engine_state_machine_long_run() -> None:
    """5,000 machines of up to 50 steps (minutes): `pytest -m slow tests/test_engine_stateful.py`."""
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(EngineMachine, settings=settings(max_examples=5000, stateful_step_count=50,
                                                                deadline=None, suppress_health_check=list(HealthCheck)))
