"""Scripted market scenarios: named price paths in percent, so any scenario plays on any instrument.

A scenario file (``resources/scenarios/<name>.toml``) has ``name``, ``title``, ``description`` (a paragraph a trainer
can read out), a default ``symbol`` and ``price``, ``duration_s``, a noise ``vol`` and ``[[segments]]`` each with
``duration_s``, ``move_pct`` (the index moves by this percent over the segment, compounding), optional ``vol``
(annualised noise for the segment), optional ``premium_pct`` (where last trades relative to index) and optional
``funding_pct`` (pin the predicted funding rate: ``"cap"``, ``"-cap"`` or a percent per interval, clipped to the cap).

The path is deterministic: the segment moves are exact at segment ends (Brownian-bridge noise seeded by the session
seed in between). The index follows the path, so the mark (from index) moves with it: a crash liquidates by mark.
Scenario feeds are finite: ``exhausted`` once ``duration_s`` has been played (time after the last segment is flat).
"""
from __future__ import annotations

import itertools
import math
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from resources import RESOURCES_DIR
from terminal.domain.errors import InputError
from terminal.domain.instruments import Instrument
from terminal.domain.toml_lines import locate_table_line, parse_toml
from terminal.feeds.base import ArrayFeed, TickBatch, ar1
from terminal.feeds.mark import funding_rate_from_premium, mark_for, round_to_tick
from terminal.market.crowd import CrowdSpec

SCENARIO_DIR = RESOURCES_DIR / "scenarios"
YEAR_S = 365.0 * 86400.0
PREMIUM_FAST = (60.0, 0.0002)
MICRO_NOISE = 0.00005
MAX_DURATION_S = 31 * 86400.0  # a scenario is a lesson-sized stretch of market, played from memory
MAX_TICKS = 30_000_000  # ~1.2 GB of tick arrays; a longer path needs a coarser tick_interval_ms
MAX_SCENARIO_BYTES = 1 << 20


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    duration_s: float = Field(gt=0, le=MAX_DURATION_S, description="length of the segment, seconds")
    move_pct: float = Field(default=0.0, gt=-95, lt=1000, description="index change over the segment, percent")
    vol: float | None = Field(default=None, ge=0, le=10, description="annualised noise volatility (default: scenario vol)")
    premium_pct: float | None = Field(default=None, ge=-5, le=5, description="mean premium of last over index, percent")
    funding_pct: Literal["cap", "-cap"] | float | None = Field(
        default=None, description='pinned funding rate: "cap", "-cap" or percent per interval')
    label: str | None = Field(default=None, description="what happens here, for reports")
    stress: float | None = Field(default=None, ge=0, le=1, description=(
        "order-book stress 0…1: the spread widens and depth is pulled (terminal/market; 1 = the profile's full stress)"))


class Phase(BaseModel):
    """A named stretch of the story (calm, build-up, crash, aftermath…) for the trainer's timeline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40, description="what the room sees on the timeline")
    at_s: float = Field(ge=0, description="when the phase begins, seconds from the scenario's start")
    key: bool = Field(default=False, description="the key moment: the trainer's auto-slow slows the clock before it")


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str
    symbol: str = "XBTUSD"
    price: float = Field(gt=0, le=1e9, description="default start price (used when played on `symbol`)")
    duration_s: float = Field(gt=0, le=MAX_DURATION_S, description="length, seconds (at most 31 days)")
    vol: float = Field(default=0.4, ge=0, le=10, description="annualised noise volatility")
    segments: list[Segment] = Field(min_length=1)
    crowd: CrowdSpec | None = Field(default=None, description=(
        "[crowd]: other traders' leveraged positions whose liquidations hit the order book (a cascade)"))
    phases: list[Phase] = Field(default_factory=list, description="[[phases]]: the timeline (default: the segments)")

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        if sum(s.duration_s for s in self.segments) > self.duration_s + 1e-9:
            raise ValueError("the segments last longer than duration_s")
        if self.phases:
            starts = [p.at_s for p in self.phases]
            if starts[0] != 0:
                raise ValueError("phases: the first phase starts at at_s = 0")
            if any(b <= a for a, b in itertools.pairwise(starts)):
                raise ValueError("phases: at_s must increase from one phase to the next")
            if starts[-1] >= self.duration_s:
                raise ValueError("phases: every phase starts before duration_s")
            if sum(p.key for p in self.phases) > 1:
                raise ValueError("phases: at most one phase is the key moment (key = true)")
        return self

    def timeline(self) -> list[Phase]:
        """The declared phases, else one per segment (its label), the steepest segment being the key moment."""
        if self.phases:
            return list(self.phases)
        out: list[Phase] = []
        at = 0.0
        steep = max(range(len(self.segments)), key=lambda i: abs(self.segments[i].move_pct) / self.segments[i].duration_s)
        for i, s in enumerate(self.segments):
            out.append(Phase(name=s.label or f"phase {i + 1}", at_s=at, key=i == steep))
            at += s.duration_s
        return out

    def factor_at(self, t_s: float) -> float:
        """Index relative to the start price at ``t_s`` along the segments' moves (noise aside: exact at segment ends,
        interpolated in log space within a segment, as the path itself is)."""
        f, at = 1.0, 0.0
        for s in self.segments:
            if t_s <= at:
                break
            frac = min(1.0, (t_s - at) / s.duration_s)
            f *= math.exp(math.log1p(s.move_pct / 100.0) * frac)
            at += s.duration_s
        return f

    def price_factors(self) -> list[float]:
        """Index at the end of each segment, relative to the start price."""
        out, f = [], 1.0
        for s in self.segments:
            f *= 1.0 + s.move_pct / 100.0
            out.append(f)
        return out


def _top_level_line(text: str, key: object) -> int | None:
    for i, raw in enumerate(text.splitlines()):
        s = raw.strip()
        if s.startswith("["):
            return None
        if isinstance(key, str) and s.split("=", 1)[0].strip() == key:
            return i + 1
    return None


def parse_scenario(text: str, path: str) -> Scenario:
    data = parse_toml(text.removeprefix("\ufeff"), path)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        if loc and loc[0] in ("segments", "phases") and len(loc) >= 2 and isinstance(loc[1], int):
            field = loc[2] if len(loc) > 2 else None
            line = locate_table_line(text, str(loc[0]), loc[1], field)
            where = f"[[{loc[0]}]] #{loc[1] + 1}" + (f" {field}" if field else "")
        else:
            line = _top_level_line(text, loc[0] if loc else None) or 1
            where = str(loc[0]) if loc else "scenario"
        detail = err["msg"].removeprefix("Value error, ")
        if err["type"].endswith("_type"):
            detail += f", got {err['input']!r}"
        msg = f"unknown field '{loc[-1]}' in {where.rsplit(' ', 1)[0]}" if err["type"] == "extra_forbidden" \
            else f"{where}: {detail}"
        raise InputError(msg, path=path, line=line) from None


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (``flash-crash``) or a scenario file by path."""
    p = Path(name_or_path)
    if p.suffix != ".toml":
        p = SCENARIO_DIR / f"{name_or_path}.toml"
        if not p.is_file():
            known = ", ".join(s.name for s in list_scenarios())
            raise InputError(f"unknown scenario {str(name_or_path)!r}; known: {known}")
    try:
        import stat

        mode = os.stat(p).st_mode
        if not stat.S_ISREG(mode):  # a FIFO would wait for a writer forever, a device never end
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise InputError(f"{what}: a scenario must be a .toml file on disk", path=str(p))
        with open(p, "rb") as f:
            raw = f.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read the scenario: {exc.strerror or exc}", path=str(p)) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError(f"too large for a scenario (over {MAX_SCENARIO_BYTES >> 20} MiB)", path=str(p))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the scenario is not UTF-8 text", path=str(p), line=raw[: exc.start].count(b"\n") + 1) from None
    return parse_scenario(text, str(p))


def list_scenarios() -> list[Scenario]:
    """Every shipped scenario, by name."""
    return [parse_scenario(p.read_text(encoding="utf-8"), str(p)) for p in sorted(SCENARIO_DIR.glob("*.toml"))]


def scenario_ticks(sc: Scenario, instrument: Instrument, *, seed: int, start_ms: int, price: float,
                   tick_interval_ms: int = 100) -> TickBatch:
    """The whole tick path of a scenario (vectorised)."""
    dt = int(tick_interval_ms)
    n = max(1, math.ceil(sc.duration_s * 1000 / dt))
    if n > MAX_TICKS:
        raise InputError(f"scenario {sc.name!r} is {n:,} ticks long at {dt} ms a tick (at most {MAX_TICKS:,}): "
                         "shorten it or raise tick_interval_ms")
    t = start_ms + np.arange(n, dtype=np.int64) * dt
    segs = list(sc.segments)
    rest = sc.duration_s - sum(s.duration_s for s in segs)
    if rest > 1e-9:
        segs.append(Segment(duration_s=rest))
    ends_ms = np.cumsum([s.duration_s * 1000 for s in segs])
    seg = np.minimum(np.searchsorted(ends_ms, t - start_ms, side="right"), len(segs) - 1)
    bounds = np.searchsorted(seg, np.arange(len(segs) + 1), side="left")  # first tick of each segment
    seg_start_ms = np.concatenate(([0.0], ends_ms[:-1]))
    frac = np.clip((t - start_ms - seg_start_ms[seg]) / (ends_ms - seg_start_ms)[seg], 0.0, 1.0)
    log_end = np.cumsum([math.log1p(s.move_pct / 100.0) for s in segs])
    log_start = np.concatenate(([0.0], log_end[:-1]))
    target = log_start[seg] + (log_end - log_start)[seg] * frac

    rng = np.random.default_rng([seed & 0xFFFFFFFFFFFF, 0x5CE7, n])
    vols = np.array([sc.vol if s.vol is None else s.vol for s in segs])
    z = rng.standard_normal(n)
    z[0] = 0.0  # the path starts exactly at the start price
    walk = np.cumsum(vols[seg] * math.sqrt(dt / 1000.0 / YEAR_S) * z)
    w_end = walk[np.maximum(bounds[1:] - 1, 0)]
    w_start = np.where(bounds[:-1] > 0, walk[np.maximum(bounds[:-1] - 1, 0)], 0.0)
    bridge = walk - w_start[seg] - frac * (w_end - w_start)[seg]  # pinned to 0 at segment ends
    index = price * np.exp(target + bridge)

    cap = instrument.funding_cap
    pins = np.array([np.nan if s.funding_pct is None else
                     (cap if s.funding_pct == "cap" else -cap if s.funding_pct == "-cap"
                      else float(np.clip(float(s.funding_pct) / 100.0, -cap, cap))) for s in segs])
    prem_mean = np.array([s.premium_pct / 100.0 if s.premium_pct is not None else
                          (0.0 if math.isnan(p) else p) for s, p in zip(segs, pins)])
    a = math.exp(-dt / 1000.0 / PREMIUM_FAST[0])
    fast = ar1(PREMIUM_FAST[1] * math.sqrt(1 - a * a) * rng.standard_normal(n), a, 0.0)
    noise = MICRO_NOISE * rng.standard_normal(n)
    if instrument.expiry is not None:
        funding = np.zeros(n)
        mark = mark_for(instrument, index, funding, t, start_ms=start_ms, basis0=0.0)
        last = round_to_tick(index * (1 + prem_mean[seg] + fast) * (1 + noise), instrument)
    else:
        last = round_to_tick(index * (1 + prem_mean[seg] + fast) * (1 + noise), instrument)
        funding, _ = funding_rate_from_premium(t, last / index - 1.0, instrument)
        pinned = pins[seg]
        funding = np.where(np.isnan(pinned), funding, pinned)
        mark = mark_for(instrument, index, funding, t, start_ms=start_ms)
    return TickBatch(t, last, index, mark, funding)


class ScenarioFeed(ArrayFeed):
    """A finite feed playing a scenario from ``start_ms``."""

    kind = "scenario"

    def __init__(self, scenario: Scenario, instrument: Instrument, *, seed: int, start_ms: int,
                 price: float | None = None, tick_interval_ms: int = 100) -> None:
        if price is None:
            price = scenario.price if instrument.symbol == scenario.symbol else instrument.typical_price
        self.scenario = scenario
        self.seed = int(seed)
        self.price = float(price)
        self.tick_interval_ms = int(tick_interval_ms)
        ticks = scenario_ticks(scenario, instrument, seed=seed, start_ms=start_ms, price=self.price,
                               tick_interval_ms=tick_interval_ms)
        super().__init__(instrument, ticks, start_ms=start_ms)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "name": self.scenario.name, "seed": self.seed, "price": self.price,
                "tick_interval_ms": self.tick_interval_ms}
