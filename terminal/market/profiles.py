"""Liquidity profiles: the shape of the simulated order book of an instrument, read from the catalog.

A profile is data (``resources/liquidity.toml``; an instrument names one with ``liquidity = "<name>"`` or carries
its own ``[instrument.liquidity]`` table). See that file for what each key means and how the numbers were
calibrated.
"""
from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument

LIQUIDITY_FILE = RESOURCES_DIR / "liquidity.toml"
DEFAULT_PROFILE = "thin-alt"
XBT_USD_REFERENCE = 50_000.0  # USD per XBT for a quanto contract's notional when no XBTUSD price is known


class LiquidityProfile(BaseModel):
    """One side of the book is the power law ``D(x) = depth_10pct_usd × (x / 10 %) ^ depth_exponent``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = "custom"
    spread_bps: float = Field(gt=0, le=1000)
    depth_10pct_usd: float = Field(gt=0)
    depth_exponent: float = Field(gt=0.05, le=3)
    fine_levels: int = Field(default=40, ge=1, le=1000)
    level_growth: float = Field(default=1.08, gt=1, le=3)
    refill_half_life_s: float = Field(gt=0, le=86_400)
    trades_per_s: float = Field(ge=0, le=1000)
    trade_median_usd: float = Field(gt=0)
    trade_size_sigma: float = Field(ge=0, le=5)
    stress_spread_mult: float = Field(default=6, ge=1, le=100)
    stress_depth_mult: float = Field(default=0.3, gt=0, le=1)

    def depth_within(self, fraction: float) -> float:
        """USD on one side within ``fraction`` of the mid (the profile's curve, no depletion, no stress)."""
        if fraction <= 0:
            return 0.0
        return float(self.depth_10pct_usd * min(fraction / 0.1, 1.0) ** self.depth_exponent)

    @property
    def refill_tau_ms(self) -> float:
        """Time constant of the exponential refill, ms."""
        return self.refill_half_life_s * 1000.0 / math.log(2.0)


@lru_cache(maxsize=4)
def _load_profiles(path: str) -> dict[str, LiquidityProfile]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the liquidity profiles: {exc.strerror}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {str(exc).split(' (at')[0]}", path=path) from None
    out: dict[str, LiquidityProfile] = {}
    for name, table in (data.get("profile") or {}).items():
        try:
            out[name] = LiquidityProfile.model_validate({"name": name, **table})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise InputError(f"profile {name}: {field}: {err['msg']}", path=path) from None
    return out


def profiles(path: Path | None = None) -> dict[str, LiquidityProfile]:
    """Every named profile of the liquidity file."""
    return _load_profiles(str(path or LIQUIDITY_FILE))


def profile_for(inst: Instrument, path: Path | None = None) -> LiquidityProfile:
    """The instrument's own ``[instrument.liquidity]`` table, else its named profile, else ``thin-alt``."""
    spec: Any = inst.liquidity
    named = profiles(path)
    if isinstance(spec, dict):
        base = named.get(str(spec.get("profile", ""))) if "profile" in spec else None
        fields = {k: v for k, v in spec.items() if k != "profile"}
        try:
            if base is not None:
                return base.model_copy(update=fields)
            return LiquidityProfile.model_validate({"name": f"{inst.symbol} (own)", **fields})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(f"instrument {inst.symbol}: liquidity.{err['loc'][0]}: {err['msg']}") from None
    name = spec or DEFAULT_PROFILE
    if name not in named:
        raise InputError(f"instrument {inst.symbol}: unknown liquidity profile {name!r}; known: {', '.join(sorted(named))}")
    return named[name]


def usd_per_contract(inst: Instrument, price: float, xbt_usd: float = XBT_USD_REFERENCE) -> float:
    """US dollars of notional in one contract at ``price`` (inverse: the contract's USD face value)."""
    if inst.kind == "inverse":
        return abs(inst.multiplier) / 1e8
    if inst.kind == "linear":
        return inst.multiplier * price / 1e6
    return inst.multiplier * price / 1e8 * xbt_usd  # quanto: XBt per contract per 1.0 of price, times XBT in USD
