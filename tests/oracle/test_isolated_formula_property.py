"""For any entry, size and leverage, the isolated prices are MECHANICS.md section 3's table within one tick."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.domain.calc import calculate
from terminal.domain.instruments import default_catalog

CAT = default_catalog()
SYMBOLS = ["XBTUSD", "ETHUSD", "XBTUSDT", "ETHUSDT", "XRPUSDT", "ADAUSDT", "AVAXUSDT"]


def table(kind: str, side: str, e: float, imr: float, mmr: float) -> tuple[float | None, float | None]:
    """(liquidation, bankruptcy) exactly as MECHANICS.md writes them."""
    if kind == "inverse":
        if side == "buy":
            return e / (1 + imr - mmr), e / (1 + imr)
        return e / (1 - imr + mmr), (e / (1 - imr) if imr < 1 else None)
    if side == "buy":
        return e * (1 - imr + mmr), e * (1 - imr)
    return e * (1 + imr - mmr), e * (1 + imr)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SYMBOLS), st.sampled_from(["buy", "sell"]), st.floats(0.2, 1.8), st.integers(1, 50),
       st.floats(0.0, 1.0))
def test_isolated_prices_follow_the_table_within_one_tick(symbol, side, price_factor, lots, lev_frac):
    inst = CAT[symbol]
    entry = inst.round_price(inst.typical_price * price_factor)
    leverage = round(1 + lev_frac * (inst.max_leverage - 1), 2)
    out = calculate(CAT, symbol=symbol, side=side, qty=lots * inst.lot_size, entry=entry, leverage=leverage)
    imr, mmr = max(1 / leverage, inst.risk_rates(inst.value_minor(lots * inst.lot_size, entry))[0]), inst.maint_margin
    liq, bk = table(inst.kind, side, entry, imr, mmr)
    tick = inst.tick_size
    assert abs(out["liquidation_price"] - liq) <= tick + 1e-9
    if bk is None or bk <= tick:
        assert out["bankruptcy_price"] is None or out["bankruptcy_price"] <= tick
    else:
        assert abs(out["bankruptcy_price"] - bk) <= tick + 1e-9
    # rounded toward safety: a long's price is never below the exact one, a short's never above
    assert (out["liquidation_price"] - liq) * (1 if side == "buy" else -1) >= -1e-9


def test_the_case_qa_found():
    out = calculate(CAT, symbol="XBTUSD", side="buy", qty=1000, entry=49888.5, leverage=5)
    assert abs(out["liquidation_price"] - 49888.5 / 1.195) <= 0.5
    assert abs(out["bankruptcy_price"] - 49888.5 / 1.2) <= 0.5
