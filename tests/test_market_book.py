"""The simulated order book behind the fill path (terminal/market): behaviour a trader can check by hand."""
from __future__ import annotations

import numpy as np
import pytest

from terminal.domain.instruments import default_catalog
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.feeds import ArrayFeed, ScenarioFeed, SyntheticFeed, TickBatch, load_scenario
from terminal.market.crowd import CrowdSpec
from terminal.market.matcher import install
from terminal.market.profiles import profile_for
from terminal.market.tape import CROWD_LIQUIDATION
from terminal.market.venue import MarketSim

CAT = default_catalog()
START = 1_709_251_200_000


def market_exchange(symbol: str = "XBTUSD", fill_model: str = "realistic", seed: int = 3, price: float | None = None,
                    ticks: int = 50, wallets: dict[str, int] | None = None) -> tuple[Exchange, MarketSim, SyntheticFeed]:
    ex = Exchange(CAT, EngineConfig(), now_ms=START)
    for cur, amount in (wallets or {"XBT": 1000 * 10**8, "USDT": 10**15}).items():
        ex.deposit(cur, amount)
    mk = MarketSim(CAT, seed=seed, fill_model=fill_model)  # type: ignore[arg-type]
    install(ex, mk)
    feed = SyntheticFeed(CAT[symbol], seed=seed, start_ms=START, price=price)
    ex.step(symbol, feed.read(1 << 62, ticks))
    return ex, mk, feed


def market_order(ex: Exchange, symbol: str, side: str, qty: int) -> dict[str, object]:
    n = len(ex.fills)
    ack = ex.place_order({"symbol": symbol, "side": side, "qty": qty, "type": "market"})
    assert ack.accepted, ack.reason
    (fill,) = ex.fills[n:]
    return fill.to_dict()


def test_slippage_grows_with_size_and_xbtusd_10m_costs_about_what_skew_published():
    """Slippage is monotone in size. Calibration anchor (resources/liquidity.toml): Skew (June 2020) put a $10M
    round trip on BitMEX's XBTUSD at 0.28 %, i.e. ≈ 14 bps a side; 10,000,000 contracts (= $10M) must land at
    12–16 bps from the touch."""
    receipts = []
    for qty in (10_000, 300_000, 1_000_000, 3_000_000, 10_000_000):
        ex, _, _ = market_exchange()  # a fresh, undisturbed book for each size
        receipts.append(market_order(ex, "XBTUSD", "buy", qty))
    slips = [r["slippage_bps"] for r in receipts]
    assert slips == sorted(slips) and slips[0] == 0.0 and slips[-1] > slips[1]
    assert 12.0 <= slips[-1] <= 16.0
    assert receipts[-1]["levels"] > receipts[1]["levels"] >= 1
    big = receipts[-1]
    assert big["price"] > big["intended_price"]  # a buy pays more than the touch


def test_a_thin_alt_slips_more_than_a_major_for_the_same_notional():
    """$200k bought at market: XBTUSD's top level alone holds more than that; ADAUSDT's book (thin-alt profile,
    ~$400k within 10 %) must be walked tens of basis points deep."""
    ex, _, _ = market_exchange("XBTUSD")
    major = market_order(ex, "XBTUSD", "buy", 200_000)  # 1 USD a contract
    ex2, _, _ = market_exchange("ADAUSDT", price=0.45)
    inst = CAT["ADAUSDT"]
    qty = int(200_000 / (inst.multiplier * 0.45 / 1e6) // inst.lot_size) * inst.lot_size
    thin = market_order(ex2, "ADAUSDT", "buy", qty)
    assert thin["slippage_bps"] > major["slippage_bps"] + 10
    assert thin["levels"] > major["levels"]


def test_a_second_order_right_after_pays_more_and_depth_refills_at_the_profiles_half_life():
    """The hole an order leaves refills exponentially: after one half-life half of it is back, so the standing
    depth in the eaten range is base − H/2; after ten half-lives the book is whole again (within 0.1 %)."""
    ex, mk, _feed = market_exchange()
    book = mk.books["XBTUSD"]
    hl_ms = profile_for(CAT["XBTUSD"]).refill_half_life_s * 1000
    base = book.side(-1, 1)
    first = market_order(ex, "XBTUSD", "buy", 5_000_000)
    second = market_order(ex, "XBTUSD", "buy", 5_000_000)
    assert second["price"] > first["price"] and second["intended_price"] > first["intended_price"]
    taken_usd = 10_000_000.0
    t_taken = ex.now_ms
    limit = int(round(second["price"] / book.tick)) + 20_000  # far beyond what was eaten

    def standing(t_ms: int) -> float:
        s = book.side(-1, 1, None, t_ms)
        return float(s.size[s.ticks <= limit].sum())

    full = float(base.size[base.ticks <= limit].sum())
    assert standing(t_taken) == pytest.approx(full - taken_usd, rel=1e-3)
    assert standing(t_taken + int(hl_ms)) == pytest.approx(full - taken_usd / 2, rel=1e-3)
    assert standing(t_taken + int(10 * hl_ms)) == pytest.approx(full, rel=1e-3)


def test_a_stop_in_a_gap_fills_beyond_its_stop_price():
    """A sell stop at 49,500 (trigger on last) when the price gaps from 50,000 to 48,000 fills near 48,000, not at
    49,500: the stop triggers, then walks the bids that stand where the market is."""
    inst = CAT["XBTUSD"]
    n = 400
    t = START + np.arange(n, dtype=np.int64) * 100
    px = np.where(np.arange(n) < 200, 50_000.0, 48_000.0)
    ticks = TickBatch(t, px, px.copy(), px.copy(), np.zeros(n))
    ex = Exchange(CAT, EngineConfig(), now_ms=START)
    ex.deposit("XBT", 10 * 10**8)
    install(ex, MarketSim(CAT, seed=1))
    feed = ArrayFeed(inst, ticks)
    ex.step("XBTUSD", feed.read(1 << 62, 10))
    market_order(ex, "XBTUSD", "buy", 100_000)
    ack = ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 100_000, "type": "stop_market",
                          "stop_price": 49_500, "trigger": "last", "reduce_only": True})
    assert ack.accepted, ack.reason
    ex.step("XBTUSD", feed.read(1 << 62, n))
    stop_fill = ex.fills[-1]
    assert stop_fill.order_type == "stop_market"
    assert stop_fill.price < 48_100 < 49_500
    assert stop_fill.intended_price is not None and stop_fill.intended_price < 48_100


def test_stress_widens_the_spread_and_thins_the_book():
    """The stressed fill model (the profile's full stress) quotes a wider spread and, within 0.5 % of the mid,
    about ``stress_depth_mult`` of the size."""
    spreads, near = {}, {}
    for model in ("realistic", "stressed"):
        _ex, mk, _ = market_exchange(fill_model=model, ticks=100)
        book = mk.books["XBTUSD"]
        bids, asks = book.levels(1)
        spreads[model] = asks[0][0] - bids[0][0]
        mid = (asks[0][0] + bids[0][0]) / 2
        side = book.side(-1, 1)
        near[model] = float(side.size[book.px(side.ticks) <= mid * 1.005].sum())
    p = profile_for(CAT["XBTUSD"])
    assert spreads["stressed"] >= spreads["realistic"] * 2
    assert near["stressed"] == pytest.approx(near["realistic"] * p.stress_depth_mult, rel=0.15)


def test_a_scenario_segments_stress_widens_the_spread_during_that_segment():
    from terminal.session.market_setup import configure_feed

    sc = load_scenario("flash-crash").model_copy()
    segs = [s.model_copy(update={"stress": 1.0 if s.label == "the crash" else None}) for s in sc.segments]
    sc = sc.model_copy(update={"segments": segs})
    inst = CAT["XBTUSD"]
    feed = ScenarioFeed(sc, inst, seed=1, start_ms=START)
    ex = Exchange(CAT, EngineConfig(liquidation=False), now_ms=START)
    mk = MarketSim(CAT, seed=1)
    install(ex, mk)
    configure_feed(mk, feed)
    ex.step("XBTUSD", feed.read(START + 600_000, 1 << 30))  # calm
    b, a = mk.books["XBTUSD"].levels(1)
    calm = a[0][0] - b[0][0]
    ex.step("XBTUSD", feed.read(START + 1_290_000, 1 << 30))  # inside the crash
    b, a = mk.books["XBTUSD"].levels(1)
    assert a[0][0] - b[0][0] > 3 * calm


def _crash_low(crowd: CrowdSpec | None) -> tuple[float, np.ndarray, np.ndarray]:
    """The lowest print of the flash crash (seed 5), and every print (price, kind) seen on the tape."""
    from terminal.session.market_setup import configure_feed

    inst = CAT["XBTUSD"]
    feed = ScenarioFeed(load_scenario("flash-crash"), inst, seed=5, start_ms=START)
    ex = Exchange(CAT, EngineConfig(), now_ms=START)
    mk = MarketSim(CAT, seed=5)
    install(ex, mk)
    configure_feed(mk, feed)
    mk.set_crowd("XBTUSD", crowd)
    prices, kinds = [], []
    while not feed.exhausted:
        ex.step("XBTUSD", feed.read(1 << 62, 1000))  # fewer prints than the tape holds per step
        tape = mk.books["XBTUSD"].tape
        new = tape.view(min(tape.count - sum(len(p) for p in prices), tape.capacity))
        prices.append(new.price)
        kinds.append(new.kind)
    p, k = np.concatenate(prices), np.concatenate(kinds)
    return float(p.min()), p, k


def test_with_a_crowd_the_flash_crash_goes_deeper_and_the_extra_drop_is_crowd_liquidations():
    """Same seed, same scenario: with a crowd of leveraged longs (4x–20x, so they go during the fall), their forced
    sells take the bids, the book's mark falls further and liquidates the next ones. The low printed must be
    lower, and crowd liquidations must be among the prints below the crowd-free low."""
    low_alone, _, _ = _crash_low(None)
    crowd = CrowdSpec(notional_usd=1_000_000_000, members=500, long_share=0.9, leverage_min=4, leverage_max=20,
                      entry_spread_pct=1.0)
    low_crowd, prices, kinds = _crash_low(crowd)
    assert low_crowd < low_alone * 0.995
    below = prices < low_alone
    assert (kinds[below] == CROWD_LIQUIDATION).any()
    assert float(prices[kinds == CROWD_LIQUIDATION].min()) == pytest.approx(low_crowd, rel=0.003)


def _plain_fills(fill_dicts: list[dict[str, object]]) -> list[dict[str, object]]:
    keep = ("time", "order_id", "side", "qty", "price", "liquidity", "fee_minor", "realised_pnl_minor", "order_type")
    return [{k: f[k] for k in keep} for f in fill_dicts]


def test_ideal_reproduces_the_exchanges_own_fills_exactly():
    """`ideal` = the exchange without a book: the same market, limit, stop and liquidation fills, to the satoshi."""
    def play(with_market: bool) -> list[dict[str, object]]:
        inst = CAT["XBTUSD"]
        feed = ScenarioFeed(load_scenario("flash-crash"), inst, seed=2, start_ms=START)
        ex = Exchange(CAT, EngineConfig(), now_ms=START)
        ex.deposit("XBT", 2 * 10**8)
        if with_market:
            install(ex, MarketSim(CAT, seed=2, fill_model="ideal"))
        ex.step("XBTUSD", feed.read(START + 60_000, 1 << 30))
        ex.set_leverage("XBTUSD", 25)
        ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 20_000, "type": "market"})
        ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 5_000, "type": "limit", "price": 49_000})
        ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 5_000, "type": "stop_market", "stop_price": 49_900})
        while not feed.exhausted:
            ex.step("XBTUSD", feed.read(1 << 62, 3000))
        return _plain_fills([f.to_dict() for f in ex.fills])

    plain, ideal = play(False), play(True)
    assert len(plain) >= 3
    assert ideal == plain


def test_the_same_seed_gives_the_same_book_and_fills_at_any_batch_size():
    def play(chunk: int) -> tuple[list[dict[str, object]], list[float], list[list[list[float]]]]:
        ex, mk, feed = market_exchange(seed=11, ticks=1)
        ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 50_000, "type": "limit",
                        "price": round(ex.markets["XBTUSD"].last - 20, 1)})
        ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 30_000, "type": "stop_market",
                        "stop_price": round(ex.markets["XBTUSD"].mark - 60, 1)})
        bid, ask = ex.matcher.quote(CAT["XBTUSD"])  # limits joining both touches: their queues and trade-throughs
        ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 20_000, "type": "limit", "price": bid})
        ex.place_order({"symbol": "XBTUSD", "side": "sell", "qty": 20_000, "type": "limit", "price": ask + 5})
        ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 4_000_000, "type": "stop_market",
                        "stop_price": round(ex.markets["XBTUSD"].mark + 40, 1)})
        left = 30_000
        while left:
            b = feed.read(1 << 62, min(chunk, left))
            ex.step("XBTUSD", b)
            left -= len(b)
        tape = mk.books["XBTUSD"].tape.view()
        bids, asks = mk.books["XBTUSD"].levels(10)
        return [f.to_dict() for f in ex.fills], tape.price.tolist(), [bids, asks]

    a, b, c = play(30_000), play(977), play(64)
    assert len(a[0]) >= 3 and a == b == c


def test_market_orders_stop_at_bitmexs_5_percent_protection_band():
    """BitMEX's fat-finger rule: a market buy trades only up to 5 % above the best ask (or mark), the rest is
    cancelled. A ~$4.5M buy of ADAUSDT (a book of ~$400k within 10 %) fills in part, no fill beyond the band."""
    ex, mk, _ = market_exchange("ADAUSDT", price=0.45)
    inst = CAT["ADAUSDT"]
    ask = mk.books["ADAUSDT"].levels(1)[1][0][0]
    mark = ex.markets["ADAUSDT"].mark
    qty = min(int(5_000_000 / (inst.multiplier * 0.45 / 1e6) // inst.lot_size) * inst.lot_size, inst.max_order_qty)
    assert ex.set_leverage("ADAUSDT", 1).accepted
    ack = ex.place_order({"symbol": "ADAUSDT", "side": "buy", "qty": qty, "type": "market"})
    assert ack.accepted
    (fill,) = ex.fills
    assert 0 < fill.qty < qty
    order = fill.order_id
    assert order not in ex.orders  # the rest was cancelled
    band = max(ask, mark) * 1.05
    worst = mk.books["ADAUSDT"].tape.view().price[-1]
    assert fill.price < band and worst <= band + inst.tick_size


def test_a_liquidation_closes_into_the_book_and_the_fund_pays_a_fill_worse_than_bankruptcy():
    """A 20x AVAXUSDT long worth ~$300k is liquidated by the flash crash. Its close order walks a thin book (the
    thin-alt profile holds ~$400k within 10 %) further than the 1 % between liquidation and bankruptcy, so it
    fills below bankruptcy and the insurance fund's share is negative; the trader still loses only the margin."""
    inst = CAT["AVAXUSDT"]
    feed = ScenarioFeed(load_scenario("flash-crash"), inst, seed=4, start_ms=START, price=30.0)
    ex = Exchange(CAT, EngineConfig(), now_ms=START)
    ex.deposit("USDT", 10**6 * 10**6)
    install(ex, MarketSim(CAT, seed=4))
    ex.step("AVAXUSDT", feed.read(START + 60_000, 1 << 30))
    ex.set_leverage("AVAXUSDT", 20)
    qty = int(300_000 / (inst.multiplier * 30.0 / 1e6) // inst.lot_size) * inst.lot_size
    market_order(ex, "AVAXUSDT", "buy", qty)
    margin = ex.position_margin(ex.positions["AVAXUSDT"])
    while not feed.exhausted and not ex.liquidations:
        ex.step("AVAXUSDT", feed.read(1 << 62, 2000))
    (liq,) = ex.liquidations
    fill = ex.fills[-1]
    assert fill.liquidity == "liquidation" and fill.levels is not None and fill.levels > 1
    assert liq.bankruptcy_price is not None and fill.price < liq.bankruptcy_price
    assert liq.insurance_fund_minor < 0
    assert liq.loss_minor <= margin
    assert (fill.slippage_bps or 0) > 0


def test_a_limit_far_through_the_book_and_larger_than_the_touch_is_refused_by_price_protection():
    """BitMEX: a buy limit more than 5 % above the best ask (or mark) and larger than the best ask's size is
    rejected; a small one, or one inside the band, is accepted."""
    ex, mk, _ = market_exchange()
    ask = mk.books["XBTUSD"].levels(1)[1][0]
    far = round(ask[0] * 1.06, 1)
    ack = ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": int(ask[1] // 100 + 1) * 100, "type": "limit",
                          "price": far})
    assert not ack.accepted and "5 %" in (ack.reason or "")
    assert not ex.fills and not ex.orders
    ok = ex.place_order({"symbol": "XBTUSD", "side": "buy", "qty": 1_000, "type": "limit", "price": round(ask[0] * 1.01, 1)})
    assert ok.accepted


def test_the_shipped_cascade_demo_shows_what_it_says() -> None:
    """resources/scripts/cascade-demo.toml promises a trainer: the last price wicks far below the index, the deep
    bid fills in the wick, and the 33x long's liquidation fills below bankruptcy, paid by the insurance fund (QA:
    the demo's numbers no longer did any of it)."""
    from pathlib import Path

    from terminal.session.runner import run_script
    from terminal.session.script import load_script

    demo = Path(__file__).resolve().parents[1] / "resources" / "scripts" / "cascade-demo.toml"
    report = run_script(load_script(demo))
    deep = [f for f in report["fills"] if f["order_type"] == "limit"]
    assert deep and deep[0]["price"] == 45_000 and deep[0]["liquidity"] == "maker"
    (liq,) = report["liquidations"]
    close = [f for f in report["fills"] if f["liquidity"] == "liquidation"]
    assert close and close[0]["price"] < liq["bankruptcy_price"] and liq["insurance_fund_minor"] < 0
    assert report["stats"]["market"]["crowd"]["XBTUSD"]["liquidated"] > 100
