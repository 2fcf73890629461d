"""Wallets, positions and the ledger: the state of a practice account.

Wallet balances change only through ledger rows (deposit, fee, realised_pnl, funding, liquidation,
settlement, withdrawal), so per currency the ledger sums exactly to the wallet balance.
Positions keep their entry as the integer value of their contracts (BitMEX's ``currentCost``), so
realised PnL is the difference of two integers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from terminal.domain.instruments import Instrument
from terminal.domain.margin import MarginFigures, figures


@dataclass
class LedgerRow:
    time: int  # epoch ms
    kind: str  # deposit | fee | realised_pnl | funding | liquidation | settlement | withdrawal | reset
    currency: str
    amount_minor: int
    symbol: str | None = None
    ref: int | None = None  # order id or fill id it comes from
    text: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Fill:
    fill_id: int
    time: int
    order_id: int | None
    symbol: str
    side: str
    qty: int
    price: float
    liquidity: str  # maker | taker | liquidation
    fee_minor: int
    realised_pnl_minor: int
    currency: str
    order_type: str
    #: slippage receipt of a taker fill (an order book fills the rest of these): the touch when the order arrived
    #: or its stop triggered, how much worse the average price was in basis points, and how many levels it took
    intended_price: float | None = None
    slippage_bps: float | None = None
    levels: int | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Position:
    symbol: str
    qty: int = 0  # signed contracts
    entry_value: int = 0  # value of the open contracts at their entry prices, minor units
    leverage: float = 1.0
    cross: bool = False
    added_margin: int = 0  # minor units added to (or removed from) an isolated position
    realised_pnl: int = 0  # since the position was opened, fees and funding excluded
    opened_ms: int = 0
    entry_exact: float = 0.0  # unrounded value of the open contracts at their fill prices: the average entry price
    _cache: tuple[tuple[object, ...], MarginFigures] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def direction(self) -> int:
        return (self.qty > 0) - (self.qty < 0)

    def entry_price(self, inst: Instrument) -> float:
        """Average entry price of the fills (harmonic for inverse contracts), as BitMEX shows it."""
        if not self.qty:
            return float("nan")
        if self.entry_exact > 0:
            p = inst.price_for_value(self.qty, self.entry_exact)
            if p:
                return p
        return inst.entry_price(self.qty, self.entry_value)

    def unrealised_pnl(self, inst: Instrument, mark: float) -> int:
        return inst.pnl_minor(self.qty, self.entry_value, mark) if self.qty else 0

    def figures(self, inst: Instrument, *, cross_balance: int | None = None,
                mmr: float | None = None, taker_fee: float | None = None,
                funding_rate: float = 0.0) -> MarginFigures:
        """Margins and prices of the position (memoised: it is asked for many times between changes).

        ``funding_rate`` is the next (fixed) funding rate; a position that pays it has it reserved in its
        maintenance margin (MECHANICS.md section 2)."""
        added = 0 if self.cross else self.added_margin
        key = (inst.symbol, self.qty, self.entry_value, self.entry_exact, self.leverage, added, cross_balance, mmr,
               taker_fee, funding_rate,
               inst.maint_margin, inst.taker_fee, inst.lot_size)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        f = figures(
            inst, self.direction, abs(self.qty), self.entry_price(inst), self.leverage,
            entry_value=self.entry_value, added_margin=added,
            cross_balance=cross_balance, mmr=mmr, taker_fee=taker_fee, funding_rate=funding_rate,
        )
        self._cache = (key, f)
        return f

    def apply_fill(self, inst: Instrument, signed_qty: int, price: float, now_ms: int) -> int:
        """Add a fill to the position; returns the realised PnL (minor units) of the part that closed."""
        realised = 0
        if self.qty == 0 or (self.qty > 0) == (signed_qty > 0):
            if self.qty == 0:
                self.opened_ms = now_ms
                self.realised_pnl = 0
                self.added_margin = 0
                self.entry_exact = 0.0
            self.qty += signed_qty
            self.entry_value += inst.value_minor(signed_qty, price)
            self.entry_exact += inst.value_exact(signed_qty, price)
            return 0
        closing = min(abs(signed_qty), abs(self.qty))
        if closing == abs(self.qty):
            cost_removed = self.entry_value
        else:
            cost_removed = self.entry_value * closing // abs(self.qty)
        exit_value = inst.value_minor(closing, price)
        diff = (cost_removed - exit_value) if inst.kind == "inverse" else (exit_value - cost_removed)
        realised = diff * self.direction
        old_abs = abs(self.qty)
        self.entry_value -= cost_removed
        self.entry_exact = 0.0 if closing == old_abs else self.entry_exact * (old_abs - closing) / old_abs
        self.qty += self.direction * -closing
        if self.added_margin and old_abs:
            self.added_margin = self.added_margin * abs(self.qty) // old_abs
        self.realised_pnl += realised
        rest = abs(signed_qty) - closing
        if rest:  # flipped through zero: the remainder opens the other way
            sign = 1 if signed_qty > 0 else -1
            self.qty = sign * rest
            self.entry_value = inst.value_minor(rest, price)
            self.entry_exact = inst.value_exact(rest, price)
            self.opened_ms = now_ms
            self.added_margin = 0
            self.realised_pnl = realised
        return realised

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in POSITION_FIELDS}


POSITION_FIELDS = ("symbol", "qty", "entry_value", "leverage", "cross", "added_margin", "realised_pnl", "opened_ms",
                   "entry_exact")


@dataclass
class Wallet:
    currency: str
    balance: int = 0


@dataclass
class SymbolSettings:
    """Per-symbol settings the order form edits: leverage and margin mode."""

    leverage: float
    cross: bool = False


@dataclass
class LiquidationRecord:
    time: int
    symbol: str
    side: str  # side of the position that was liquidated: buy (long) / sell (short)
    qty: int
    entry_price: float
    leverage: float
    margin_mode: str
    mark_price: float
    liquidation_price: float | None
    bankruptcy_price: float | None
    initial_margin_minor: int
    maint_margin_minor: int
    loss_minor: int
    insurance_fund_minor: int
    currency: str
    cancelled_orders: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class FundingRecord:
    time: int
    symbol: str
    rate: float
    mark_price: float
    qty: int
    amount_minor: int
    currency: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
