"""A position's realised PnL counts the fees paid since it opened (as BitMEX's position table does).

Derivation: XBTUSD at 50,000 USD — one contract is worth round(1e8 / 50,000) = 2,000 XBt, so 1,000 contracts are
2,000,000 XBt; the taker fee is 0.075 % → 1,500 XBt. Opening 1,000 long: realised PnL −1,500 XBt. Selling 500 back
at the same price realises 0 of price PnL and pays 750 XBt: realised −2,250 XBt.
"""
from __future__ import annotations

from terminal.domain.orders import OrderRequest
from tests.helpers import batch, exchange


def test_position_realised_pnl_includes_the_entry_and_exit_fees():
    ex = exchange(spread_ticks=0)
    ex.step("XBTUSD", batch([50_000.0] * 3))
    assert ex.place_order(OrderRequest(symbol="XBTUSD", side="buy", qty=1000, type="market")).accepted
    fill = ex.fills[-1]
    assert fill.price == 50_000 and fill.fee_minor == 1_500
    assert ex.positions["XBTUSD"].realised_pnl == -1_500
    assert ex.place_order(OrderRequest(symbol="XBTUSD", side="sell", qty=500, type="market")).accepted
    assert ex.fills[-1].fee_minor == 750
    assert ex.positions["XBTUSD"].realised_pnl == -2_250
    fees = sum(r.amount_minor for r in ex.ledger if r.kind == "fee")
    assert fees == -2_250  # the ledger agrees: fees are what the position realised at an unchanged price
