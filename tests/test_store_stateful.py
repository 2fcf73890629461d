"""A hypothesis state machine over the real engine and a real account file.

Random orders of every type (reduce-only, post-only, IOC/FOK), cancels, amends, leverage, margin-mode and
isolated-margin changes, and random price paths (with gaps through liquidation and funding instants) on XBTUSD
(inverse), ETHUSDT (linear) and ETHUSD (quanto). After every rule: each currency's ledger sums exactly to its
wallet; no wallet is negative; a rejected request left the snapshot identical; a reduce-only fill never grew a
position; an isolated liquidation never lost more than the position's margin. A ``restart`` rule saves, closes,
reopens the store and requires the same snapshot, then carries on with the restored session.
"""
from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from terminal.exchange.snapshot import take_snapshot
from terminal.feeds.base import TickBatch
from terminal.store.account_store import DEFAULT_WALLETS_MINOR, AccountStore

SYMBOLS = ["XBTUSD", "ETHUSDT", "ETHUSD"]
TYPES = ["market", "limit", "stop_market", "stop_limit", "take_profit_market", "take_profit_limit", "trailing_stop"]
START_MS = 1_709_251_200_000
EXAMPLES = 100
STEPS = 30


def snap(ex) -> str:
    return json.dumps(take_snapshot(ex).to_dict(), sort_keys=True, default=str)


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="lt-stateful-"))
        self.store = AccountStore.open(self.dir, "fuzz")
        self.session = self.store.load_session()
        self.reduce_only: dict[int, bool] = {}
        self.checked_liqs = 0
        ex = self.session.exchange
        for sym in SYMBOLS:  # one opening tick per market
            inst = ex.catalog[sym]
            self._step(sym, [inst.round_price(inst.typical_price)], 100)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def ex(self):
        return self.session.exchange

    # ------------------------------------------------------------------ helpers
    def _step(self, sym: str, prices: list[float], dt_ms: int) -> None:
        """Feed ``prices`` one tick at a time, checking each isolated liquidation against the margin it had."""
        ex = self.ex
        inst = ex.catalog[sym]
        for p in prices:
            margins = {s: ex.position_margin(pos) for s, pos in ex.positions.items() if pos.qty and not pos.cross}
            mirror = {s: pos.qty for s, pos in ex.positions.items()}
            before = len(ex.events)
            t = max(ex.now_ms, ex.markets[sym].time if sym in ex.markets else 0) + dt_ms
            last = inst.round_price(p)
            batch = TickBatch(np.array([t], dtype=np.int64), np.array([last]), np.array([p]), np.array([p]),
                              np.array([0.0001]))
            ex.step(sym, batch)
            self._check_events(ex.events[before:], mirror)
            for rec in ex.liquidations[self.checked_liqs:]:
                if rec.margin_mode == "isolated":
                    fid = [f.fill_id for f in ex.fills if f.liquidity == "liquidation" and f.symbol == rec.symbol
                           and f.time == rec.time][-1]
                    rows = [r for r in ex.ledger if r.ref == fid and r.kind in ("realised_pnl", "liquidation")
                            and r.symbol == rec.symbol]
                    lost = -sum(r.amount_minor for r in rows)
                    assert lost <= margins.get(rec.symbol, 0), (lost, margins, rec)
            self.checked_liqs = len(ex.liquidations)

    def _check_events(self, events: list, mirror: dict[str, int]) -> None:
        """Replay fills over the positions: a reduce-only order's fill never increases |position|."""
        for kind, payload in events:
            if kind == "order" and payload.id not in self.reduce_only:
                self.reduce_only[payload.id] = payload.reduce_only
            if kind != "fill":
                continue
            f = payload
            q0 = mirror.get(f.symbol, 0)
            if f.liquidity == "liquidation":
                mirror[f.symbol] = 0
                continue
            q1 = q0 + (f.qty if f.side == "buy" else -f.qty)
            if self.reduce_only.get(f.order_id):
                assert abs(q1) <= abs(q0) and q0 * q1 >= 0, (q0, q1, f)
            mirror[f.symbol] = q1

    def _act(self, fn, *args, **kw):
        ex = self.ex
        before = snap(ex)
        mirror = {s: pos.qty for s, pos in ex.positions.items()}
        n = len(ex.events)
        ack = fn(*args, **kw)
        self._check_events(ex.events[n:], mirror)
        if ack is not None and not ack.accepted:
            assert snap(ex) == before, ack.reason
            assert ack.reason
        return ack

    # ------------------------------------------------------------------ rules
    @rule(sym=st.sampled_from(SYMBOLS), side=st.sampled_from(["buy", "sell"]), otype=st.sampled_from(TYPES),
          lots=st.sampled_from([1, 3, 10, 30, 100, 300, 1000]), off=st.integers(-400, 400),
          stop_off=st.integers(-400, 400), post_only=st.sampled_from([False, False, True]), reduce_only=st.booleans(),
          tif=st.sampled_from([None, None, "GTC", "IOC", "FOK"]), trigger=st.sampled_from(["mark", "last", "index"]))
    def order(self, sym, side, otype, lots, off, stop_off, post_only, reduce_only, tif, trigger):
        inst = self.ex.catalog[sym]
        last = self.ex.markets[sym].last
        step = inst.tick_size * max(1, round(last * 0.0005 / inst.tick_size))
        req = {"symbol": sym, "side": side, "qty": lots * inst.lot_size, "type": otype, "post_only": post_only,
               "reduce_only": reduce_only, "time_in_force": tif, "trigger": trigger}
        if otype in ("limit", "stop_limit", "take_profit_limit"):
            req["price"] = inst.round_price(max(inst.tick_size, last + off * step))
        if otype in ("stop_market", "stop_limit", "take_profit_market", "take_profit_limit"):
            req["stop_price"] = inst.round_price(max(inst.tick_size, last + stop_off * step))
        if otype == "trailing_stop":
            req["trail_offset"] = abs(stop_off * step) or step
        ack = self._act(self.ex.place_order, req)
        if ack.accepted:
            self.reduce_only[ack.order_id] = reduce_only

    @rule(sym=st.sampled_from(SYMBOLS), side=st.sampled_from(["buy", "sell"]), lots=st.sampled_from([1, 3, 10, 30]),
          lev=st.sampled_from([None, 2, 10, 25, 100]))
    def market(self, sym, side, lots, lev):
        """Open or add to a position (most random orders rest or are refused; this one trades)."""
        inst = self.ex.catalog[sym]
        if lev is not None:
            self._act(self.ex.set_leverage, sym, min(lev, inst.max_leverage))
        self._act(self.ex.place_order, {"symbol": sym, "side": side, "qty": lots * inst.lot_size * 10})

    @rule(sym=st.sampled_from(SYMBOLS), what=st.sampled_from(["qty", "price"]), k=st.integers(0, 8))
    def hostile_order(self, sym, what, k):
        inst = self.ex.catalog[sym]
        req = {"symbol": sym, "side": "buy", "qty": inst.lot_size, "type": "limit",
               "price": inst.round_price(self.ex.markets[sym].last)}
        off_lot = inst.lot_size + 1 if inst.lot_size > 1 else inst.max_order_qty + 1
        bad_qty = [0, -100, math.nan, math.inf, 10**18, "x", None, 1.5, off_lot]
        bad_price = [0, -100.0, math.nan, math.inf, 1e18, 1e300, "x", inst.tick_size * 1.37, -math.inf]
        req[what] = (bad_qty if what == "qty" else bad_price)[k]
        ack = self._act(self.ex.place_order, req)
        assert not ack.accepted, req

    @rule(data=st.data())
    def cancel(self, data):
        ids = sorted(self.ex.orders) + [999_999]
        self._act(self.ex.cancel_order, data.draw(st.sampled_from(ids)))

    @precondition(lambda self: bool(self.ex.orders))
    @rule(data=st.data(), ticks=st.integers(-50, 50))
    def amend(self, data, ticks):
        o = self.ex.orders[data.draw(st.sampled_from(sorted(self.ex.orders)))]
        inst = self.ex.catalog[o.symbol]
        if o.price is not None:
            self._act(self.ex.amend_order, o.id, price=inst.round_price(max(inst.tick_size, o.price + ticks * inst.tick_size)))
        else:
            self._act(self.ex.amend_order, o.id, qty=max(0, o.qty + ticks * inst.lot_size))

    @rule(sym=st.sampled_from(SYMBOLS), lev=st.sampled_from([0, 0.5, 1, 2, 5, 10, 25, 50, 100, 101, 1000, math.nan]))
    def leverage(self, sym, lev):
        ack = self._act(self.ex.set_leverage, sym, lev)
        if lev < 1 or lev > self.ex.catalog[sym].max_leverage or math.isnan(lev):
            assert not ack.accepted

    @rule(sym=st.sampled_from(SYMBOLS), cross=st.booleans(), lev=st.sampled_from([None, 1, 3, 10, 50]))
    def margin_mode(self, sym, cross, lev):
        self._act(self.ex.set_margin_mode, sym, cross, lev)

    @rule(sym=st.sampled_from(SYMBOLS), frac=st.sampled_from([-0.5, -0.05, 0.0, 0.01, 0.1, 5.0]))
    def adjust_margin(self, sym, frac):
        cur = self.ex.catalog[sym].settle_currency
        self._act(self.ex.adjust_margin, sym, int(frac * DEFAULT_WALLETS_MINOR[cur] * 0.1))

    @rule(sym=st.sampled_from(SYMBOLS))
    def close(self, sym):
        self._act(self.ex.close_position, sym)

    @rule(sym=st.sampled_from(SYMBOLS), moves=st.lists(st.floats(-0.004, 0.004), min_size=1, max_size=25),
          gap=st.sampled_from([0.0, 0.0, -0.35, 0.35, -0.7, 0.9, -0.08, 0.08]),
          dt=st.sampled_from([100, 1000, 3_600_000]))
    def prices(self, sym, moves, gap, dt):
        p = self.ex.markets[sym].mark
        path = []
        for k, mv in enumerate(moves):
            p *= 1 + mv + (gap if k == len(moves) // 2 else 0.0)
            path.append(max(p, 1.0))
        self._step(sym, path, dt)

    @rule()
    def restart(self):
        self.store.record(self.session, self.ex.drain_events())
        before = snap(self.ex)
        ledger = [r.to_dict() for r in self.ex.ledger]
        fills = [f.to_dict() for f in self.ex.fills]
        self.store.close()
        self.store = AccountStore.open(self.dir, "fuzz")
        self.session = self.store.load_session()
        assert snap(self.ex) == before
        assert [r.to_dict() for r in self.ex.ledger] == ledger
        assert [f.to_dict() for f in self.ex.fills] == fills

    # ------------------------------------------------------------------ invariants
    @invariant()
    def ledger_sums_and_saved(self) -> None:
        ex = self.ex
        for cur, w in ex.wallets.items():
            assert sum(r.amount_minor for r in ex.ledger if r.currency == cur) == w.balance
            assert w.balance >= 0
        self.store.record(self.session, ex.drain_events())


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])

