"""The instrument catalog: contract specs as data, and the rounding that belongs to an instrument.

Values follow BitMEX's API semantics:

* inverse (XBTUSD): one contract is ``|multiplier|`` minor units of value divided by price, and the
  value of one **lot** is rounded to a whole satoshi *before* it is multiplied by the number of lots
  (MECHANICS.md section 1: a 2024 trade of 100 @ 98,570.9 has grossValue 101,450 = round(1e10 / 98,570.9);
  a 2020 trade, lot 1, of 2,100 @ 8,479.5 has 24,765,300 = 2,100 × round(1e8 / 8,479.5));
* linear (XBTUSDT) and quanto (ETHUSD): value is ``qty × multiplier × price`` minor units of the
  settlement currency. For a linear contract ``multiplier = coin per contract × 1e6`` (USDt) and
  ``underlying_to_position_multiplier`` converts coin to contracts.

Adding an instrument is a data change in ``resources/instruments.toml``.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.domain.money import MINOR_PER_MAJOR, round_half_up
from terminal.domain.toml_lines import locate_table_line

Kind = Literal["inverse", "linear", "quanto"]

DEFAULT_CATALOG = RESOURCES_DIR / "instruments.toml"


class Instrument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{3,16}$")
    name: str
    kind: Kind
    settle_currency: Literal["XBT", "USDT"]
    underlying: str
    quote_currency: str
    multiplier: float = Field(description="BitMEX multiplier: negative for inverse")
    underlying_to_position_multiplier: float | None = None
    lot_size: int = Field(gt=0)
    tick_size: float = Field(gt=0)
    min_order_qty: int = Field(gt=0)
    max_order_qty: int = Field(gt=0)
    max_price: float = Field(gt=0)
    init_margin: float = Field(gt=0, le=1, description="base initial-margin rate (1 / max leverage)")
    maint_margin: float = Field(gt=0, lt=1)
    risk_limit: float | None = Field(default=None, gt=0, description="base risk limit, settlement currency")
    risk_step: float | None = Field(default=None, gt=0)
    maker_fee: float
    taker_fee: float
    funding_interval_h: int | None = Field(default=None, description="hours between fundings; none for dated futures")
    interest_rate: float = 0.0001
    premium_clamp: float = 0.0005
    expiry: datetime | None = None
    as_of: str = Field(description="date these values were taken from BitMEX")
    typical_price: float = Field(gt=0, description="a start price for synthetic feeds")
    liquidity: str | dict[str, float] | None = Field(
        default=None, description="order-book profile: a name from resources/liquidity.toml or its own table")

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        if self.maint_margin >= self.init_margin:
            raise ValueError("maint_margin must be below init_margin")
        if (self.kind == "inverse") != (self.multiplier < 0):
            raise ValueError("multiplier must be negative exactly for inverse contracts")
        if self.min_order_qty % self.lot_size:
            raise ValueError("min_order_qty must be a multiple of lot_size")
        if self.expiry is not None and self.funding_interval_h is not None:
            raise ValueError("a dated future has no funding: set funding_interval_h only on perpetuals")
        return self

    # ---- derived -------------------------------------------------------------------------
    @cached_property
    def minor_per_major(self) -> int:
        return MINOR_PER_MAJOR[self.settle_currency]

    @cached_property
    def tick_decimals(self) -> int:
        return max(0, -Decimal(repr(self.tick_size)).normalize().as_tuple().exponent)  # type: ignore[operator]

    @property
    def max_leverage(self) -> float:
        return round(1.0 / self.init_margin, 2)

    @property
    def is_perpetual(self) -> bool:
        return self.expiry is None

    @property
    def funding_cap(self) -> float:
        """|F| ≤ 75 % × (IMR − MMR)."""
        return 0.75 * (self.init_margin - self.maint_margin)

    @property
    def qty_units(self) -> tuple[str, ...]:
        if self.kind == "inverse":
            return ("contracts", "usd")
        if self.kind == "linear":
            return ("contracts", "coin", "usd")
        return ("contracts",)

    # ---- prices --------------------------------------------------------------------------
    def round_price(self, price: float, direction: Literal["nearest", "up", "down"] = "nearest") -> float:
        n = price / self.tick_size
        if direction == "up":
            k = math.ceil(n - 1e-7)
        elif direction == "down":
            k = math.floor(n + 1e-7)
        else:
            k = round(n)
        return round(k * self.tick_size, self.tick_decimals)

    def is_on_tick(self, price: float) -> bool:
        n = price / self.tick_size
        return abs(n - round(n)) < 1e-6

    def format_price(self, price: float | None) -> str:
        if price is None or not math.isfinite(price):
            return "none"
        return f"{price:,.{self.tick_decimals}f}"

    # ---- value ---------------------------------------------------------------------------
    def value_minor(self, qty: int, price: float) -> int:
        """Value of ``|qty|`` contracts at ``price`` in minor units of the settlement currency.

        Inverse: whole lots at the lot's rounded value (a stray part-lot, which orders never have, at the
        contract's rounded value)."""
        q = abs(qty)
        if self.kind == "inverse":
            lots, rest = divmod(q, self.lot_size)
            per_lot = round_half_up(-self.multiplier * self.lot_size / price) if lots else 0
            return lots * per_lot + (rest * round_half_up(-self.multiplier / price) if rest else 0)
        return round_half_up(q * self.multiplier * price)

    def value_exact(self, qty: float, price: float) -> float:
        """Unrounded value, for solving equations (never booked)."""
        if self.kind == "inverse":
            return abs(qty) * -self.multiplier / price
        return abs(qty) * self.multiplier * price

    def price_for_value(self, qty: float, value: float) -> float | None:
        """Inverse of :meth:`value_exact`: the price at which ``qty`` contracts are worth ``value``."""
        if self.kind == "inverse":
            if value <= 0:
                return None
            return abs(qty) * -self.multiplier / value
        return value / (abs(qty) * self.multiplier)

    def pnl_minor(self, signed_qty: int, entry_value_minor: int, price: float) -> int:
        """PnL of a position of ``signed_qty`` whose contracts cost ``entry_value_minor`` in total."""
        now = self.value_minor(signed_qty, price)
        if self.kind == "inverse":
            diff = entry_value_minor - now
        else:
            diff = now - entry_value_minor
        return diff if signed_qty > 0 else -diff

    def entry_price(self, qty: int, entry_value_minor: int) -> float:
        """Average entry price of contracts whose total value at entry is ``entry_value_minor``."""
        p = self.price_for_value(qty, entry_value_minor)
        return float("nan") if p is None else p

    # ---- quantity ------------------------------------------------------------------------
    def contracts_from(self, amount: float, unit: str, price: float) -> float:
        """Convert a size typed in ``unit`` (contracts / usd / coin) to contracts (unrounded)."""
        if unit == "contracts":
            return amount
        if unit == "usd" and self.kind == "inverse":
            return amount / -self.multiplier * MINOR_PER_MAJOR["XBT"]
        if unit == "coin" and self.kind == "linear" and self.underlying_to_position_multiplier:
            return amount * self.underlying_to_position_multiplier
        if unit == "usd" and self.kind == "linear" and self.underlying_to_position_multiplier:
            if not price > 0:
                raise InputError("a size in USD needs a positive price")
            return amount / price * self.underlying_to_position_multiplier  # USDT counted as USD
        raise InputError(f"{self.symbol} sizes cannot be given in {unit}; use one of {', '.join(self.qty_units)}")

    # ---- risk limits ---------------------------------------------------------------------
    def risk_rates(self, gross_value_minor: int) -> tuple[float, float]:
        """(IMR floor, MMR) for a position-plus-orders value, stepping up past the risk limit."""
        steps = 0
        if self.risk_limit and self.risk_step:
            base = self.risk_limit * self.minor_per_major
            if gross_value_minor > base:
                steps = math.ceil((gross_value_minor - base) / (self.risk_step * self.minor_per_major) - 1e-12)
        return self.init_margin + steps * self.maint_margin, self.maint_margin * (1 + steps)

    def max_leverage_at(self, gross_value_minor: int) -> float:
        imr, _ = self.risk_rates(gross_value_minor)
        return round(1.0 / imr, 2)


class FeeSchedule(BaseModel):
    """A named set of maker/taker rates that replaces every instrument's own (the instruments carry the default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    maker_fee: float
    taker_fee: float
    as_of: str
    source: str


#: the schedule the instruments' own rates stand for
DEFAULT_FEE_SCHEDULE = "current"


class Catalog:
    """Instruments by symbol, loaded from a TOML file of ``[[instrument]]`` tables (and ``[fee_schedule.NAME]``)."""

    def __init__(self, instruments: list[Instrument], fee_schedules: dict[str, FeeSchedule] | None = None,
                 fee_schedule: str = DEFAULT_FEE_SCHEDULE) -> None:
        self._by_symbol = {i.symbol: i for i in instruments}
        self.fee_schedules: dict[str, FeeSchedule] = dict(fee_schedules or {})
        self.fee_schedule = fee_schedule

    def with_fee_schedule(self, name: str) -> Catalog:
        """The same instruments charging the named schedule's rates (``current`` = the instruments' own)."""
        if name == self.fee_schedule:
            return self
        if name not in self.fee_schedules:
            known = ", ".join(sorted({DEFAULT_FEE_SCHEDULE, *self.fee_schedules}))
            raise InputError(f"unknown fee schedule {name!r}; the catalog has {known}")
        sched = self.fee_schedules[name]
        insts = [i.model_copy(update={"maker_fee": sched.maker_fee, "taker_fee": sched.taker_fee}) for i in self]
        return Catalog(insts, self.fee_schedules, name)

    def with_overrides(self, symbol: str, **fields: object) -> Catalog:
        """The catalog with one instrument's fields replaced (validated), e.g. an older era's lot, tick and fees."""
        inst = Instrument.model_validate({**self[symbol].model_dump(), **fields})
        return Catalog([inst if i.symbol == symbol else i for i in self], self.fee_schedules, self.fee_schedule)

    def __getitem__(self, symbol: str) -> Instrument:
        try:
            return self._by_symbol[symbol]
        except KeyError:
            raise InputError(
                f"unknown symbol {symbol!r}; the catalog has {', '.join(sorted(self._by_symbol))}"
            ) from None

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_symbol

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._by_symbol.values())

    def __len__(self) -> int:
        return len(self._by_symbol)

    @property
    def symbols(self) -> list[str]:
        return list(self._by_symbol)

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        path = Path(path) if path is not None else DEFAULT_CATALOG
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read the instrument catalog: {exc.strerror}", path=str(path)) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
            raise InputError(f"not valid TOML: {str(exc).split(' (at')[0]}", path=str(path), line=line) from None
        tables = data.get("instrument")
        if not isinstance(tables, list) or not tables:
            raise InputError("no [[instrument]] tables found", path=str(path), line=1)
        instruments: list[Instrument] = []
        seen: set[str] = set()
        for n, table in enumerate(tables):
            try:
                inst = Instrument.model_validate(table)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(p) for p in err["loc"]) or "instrument"
                line = locate_table_line(text, "instrument", n, err["loc"][0] if err["loc"] else None)
                sym = table.get("symbol", f"#{n + 1}") if isinstance(table, dict) else f"#{n + 1}"
                raise InputError(f"instrument {sym}: {field}: {err['msg']}", path=str(path), line=line) from None
            if inst.symbol in seen:
                line = locate_table_line(text, "instrument", n, "symbol")
                raise InputError(f"instrument {inst.symbol} is listed twice", path=str(path), line=line)
            seen.add(inst.symbol)
            instruments.append(inst)
        schedules: dict[str, FeeSchedule] = {}
        raw_schedules = data.get("fee_schedule", {})
        if not isinstance(raw_schedules, dict):
            raise InputError("fee_schedule must be a table of named schedules", path=str(path),
                             line=_line_of(text, "fee_schedule"))
        for name, table in raw_schedules.items():
            try:
                schedules[name] = FeeSchedule.model_validate(table)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(p) for p in err["loc"]) or "fee_schedule"
                raise InputError(f"fee schedule {name}: {field}: {err['msg']}", path=str(path),
                                 line=_line_of(text, f"fee_schedule.{name}")) from None
        return cls(instruments, schedules)


def _line_of(text: str, table: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(f"[{table}"):
            return n
    return None


def _line_from_message(message: str) -> int | None:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None




_DEFAULT: Catalog | None = None


def default_catalog() -> Catalog:
    """The shipped catalog, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Catalog.load()
    return _DEFAULT
