"""The ``[feed]`` table of a script or an account: where prices come from."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FeedSpec(BaseModel):
    """The ``[feed]`` table: where prices come from."""

    # strict: price = "100" or rebase = 1 is refused, never converted
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    kind: Literal["synthetic", "scenario", "trades", "quotes", "bars"] = Field(
        default="synthetic",
        description="synthetic model, a named scenario, a BitMEX trade or quote dump, or OHLCV bars")
    symbol: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3,16}$",
                               description="instrument traded; default: the scenario's symbol, else XBTUSD")
    price: float | None = Field(default=None, gt=0, description="start price (synthetic / scenario); default: "
                                "the scenario's price on its own symbol, else the instrument's typical price")
    tick_interval_ms: int | None = Field(default=None, gt=0, le=3_600_000,
                                         description="ms between ticks (synthetic / scenario 100, bars 1000)")
    name: str | None = Field(default=None, description="scenario name (kind = scenario), e.g. flash-crash")
    path: str | None = Field(default=None, description="price file (trades / bars), relative to the script")
    source_symbol: str | None = Field(default=None, description="symbol to pick from a trade dump; default symbol")
    vol: float | None = Field(default=None, gt=0, le=10, description="synthetic: annualised volatility (0.65)")
    rebase: bool = Field(default=False, description="trades / bars: shift the data's times to the script start")

    @model_validator(mode="after")
    def _needs(self) -> FeedSpec:
        if self.kind == "scenario" and not self.name:
            raise ValueError("a scenario feed needs name = \"…\" (e.g. flash-crash)")
        if self.kind in ("trades", "quotes", "bars") and not self.path:
            raise ValueError(f"a {self.kind} feed needs path = \"…\"")
        return self

    def resolved_symbol(self) -> str:
        """The instrument this feed trades."""
        if self.symbol:
            return self.symbol
        if self.kind == "scenario" and self.name:
            from terminal.feeds.scenario import load_scenario

            return load_scenario(self.name).symbol
        return "XBTUSD"
