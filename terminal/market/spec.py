"""The ``[market]`` table of a script (and of an account): which fill model, and an optional crowd."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from terminal.market.crowd import CrowdSpec
from terminal.market.venue import DEFAULT_FILL_MODEL, FillModel


class MarketSpec(BaseModel):
    """``[market] fill_model = "ideal" | "realistic" | "stressed"`` and ``crowd``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    fill_model: FillModel = Field(default=DEFAULT_FILL_MODEL, description=(
        "ideal: unlimited depth at last ± 1 tick (the old behaviour); realistic: orders walk a book that refills; "
        "stressed: the same book with wide spreads and thin depth"))
    crowd: CrowdSpec | Literal["scenario", "none"] = Field(default="scenario", description=(
        'leveraged positions whose liquidations hit the book: a [market.crowd] table, "scenario" (the scenario\'s '
        'own crowd, if it has one) or "none"'))
