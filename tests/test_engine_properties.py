"""Invariants over random order and price sequences (hypothesis)."""
from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from terminal.exchange.snapshot import take_snapshot
from tests.helpers import batch, exchange, ledger_sums

SYMBOLS = {"XBTUSD": 50_000.0, "ETHUSDT": 3_000.0, "ETHUSD": 3_000.0}

order_st = st.fixed_dictionaries({
    "symbol": st.sampled_from(sorted(SYMBOLS)),
    "side": st.sampled_from(["buy", "sell"]),
    "lots": st.integers(1, 400),
    "type": st.sampled_from(["market", "market", "market", "limit", "limit", "stop_market", "take_profit_market",
                             "stop_limit"]),
    "offset": st.floats(-0.05, 0.05),
    "reduce_only": st.sampled_from([False, False, False, True]),
    "post_only": st.sampled_from([False, False, True]),
})
action_st = st.one_of(
    st.tuples(st.just("order"), order_st),
    st.tuples(st.just("order"), order_st),
    st.tuples(st.just("move"), st.tuples(st.sampled_from(sorted(SYMBOLS)), st.floats(-0.25, 0.25), st.integers(1, 30))),
    st.tuples(st.just("leverage"), st.tuples(st.sampled_from(sorted(SYMBOLS)), st.sampled_from([1, 2, 5, 10, 25, 50, 100]))),
    st.tuples(st.just("cross"), st.tuples(st.sampled_from(sorted(SYMBOLS)), st.booleans())),
    st.tuples(st.just("margin"), st.tuples(st.sampled_from(sorted(SYMBOLS)), st.integers(-10**7, 10**7))),
    st.tuples(st.just("cancel_all"), st.none()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action_st, min_size=1, max_size=40))
def test_ledger_sums_wallets_stay_positive_and_isolated_losses_are_capped(actions):
    ex = exchange(deposits={"XBT": 50_000_000, "USDT": 5_000_000_000})
    prices = dict(SYMBOLS)
    t = 3_600_000
    for sym, p in prices.items():
        ex.step(sym, batch([p], t0=t))
    for kind, arg in actions:
        t += 1_000
        ex.now_ms = max(ex.now_ms, t)
        before = take_snapshot(ex).to_dict()
        # the position's margin and size before the action (a resting order may fill during a move and grow or flip
        # the position: the cap then belongs to a position this test did not see, so it is skipped)
        margins = {p.symbol: (p.position_margin_minor, p.size) for p in take_snapshot(ex).positions}
        if kind == "order":
            inst = ex.catalog[arg["symbol"]]
            ref = prices[arg["symbol"]] * (1 + arg["offset"])
            req = {"symbol": arg["symbol"], "side": arg["side"], "qty": arg["lots"] * inst.lot_size,
                   "type": arg["type"], "reduce_only": arg["reduce_only"],
                   "post_only": arg["post_only"] and "limit" in arg["type"]}
            if "limit" in arg["type"]:
                req["price"] = inst.round_price(ref)
            if arg["type"] != "market" and arg["type"] != "limit":
                req["stop_price"] = inst.round_price(ref)
            pos_before = ex.positions.get(arg["symbol"])
            size_before = abs(pos_before.qty) if pos_before else 0
            ack = ex.place_order(req)
            if arg["reduce_only"] and ack.accepted:
                assert abs(ex.positions.get(arg["symbol"]).qty if arg["symbol"] in ex.positions else 0) <= size_before
        elif kind == "move":
            sym, change, n = arg
            inst = ex.catalog[sym]
            path = [inst.round_price(prices[sym] * (1 + change * (i + 1) / n)) for i in range(n)]
            path = [max(p, inst.tick_size) for p in path]
            ex.step(sym, batch(path, t0=t, dt=10))
            prices[sym] = path[-1]
            ack = None
        elif kind == "leverage":
            ack = ex.set_leverage(*arg)
        elif kind == "cross":
            ack = ex.set_margin_mode(*arg)
        elif kind == "margin":
            ack = ex.adjust_margin(*arg)
        else:
            ex.cancel_all()
            ack = None
        if ack is not None and not ack.accepted:
            assert ack.reason
            assert take_snapshot(ex).to_dict() == before, ack.reason
        for liq in ex.liquidations:
            if liq.time > t - 1 and liq.margin_mode == "isolated" and liq.symbol in margins \
                    and margins[liq.symbol][1] == (liq.qty if liq.side == "buy" else -liq.qty):
                assert liq.loss_minor <= margins[liq.symbol][0]
        assert ledger_sums(ex)
        assert all(w.balance >= 0 for w in ex.wallets.values())
    event(f"fills>0: {bool(ex.fills)}")
    event(f"liquidated: {bool(ex.liquidations)}")
