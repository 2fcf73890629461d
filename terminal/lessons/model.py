"""The lesson file: what it teaches, the brief, the starting state, the checks and the debrief.

A lesson is data (TOML, validated here). Errors are :class:`InputError` with the file's line, e.g.
``stop-loss.toml:31: max_pct in [[checks]] #2: risk_at_stop needs max_pct``::

    id = "stop-loss-risk"                  # default: the file name without .toml
    title = "The stop-loss and 2–3 % risk sizing"
    idea = "Size the position from the stop, not from the leverage."
    brief = "Open a long with a stop-loss that risks at most 3 % of the account."
    objective = "Long XBTUSD, stop-loss resting the whole time, risk at the stop ≤ 3 %."
    [start]
    account = { XBT = 1.0 }
    seed = 7
    duration_s = 3600                      # the time limit
    fill_model = "ideal"
    extra_symbols = ["ETHUSD"]             # more markets to trade, synthetic
    [start.feed]                           # a script's [feed]
    kind = "scenario"
    name = "flash-crash"
    [[checks]]
    id = "stop"
    kind = "stop_rested"                   # see terminal.lessons.checks.CHECK_KINDS
    label = "A stop-loss rested while the position was open"
    [debrief]
    text = "Your worst risk at the stop was {worst_risk_pct} of the account."
    quote = ["worst_risk_pct", "max_leverage"]
"""
from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from terminal.domain.errors import InputError
from terminal.domain.toml_lines import locate_key_line, locate_table_line, toml_error_line
from terminal.feeds.spec import FeedSpec
from terminal.lessons.metrics import METRICS

CheckKind = Literal[
    "opened_position", "leverage_at_most", "stop_rested", "risk_at_stop", "margin_at_risk", "not_liquidated",
    "cross_positions", "closed_before_funding", "changed_leverage_open", "added_margin", "traded",
    "entry_order_type", "max_drawdown", "flat_at_end",
]
#: parameters each kind needs (the rest are optional filters)
REQUIRED: dict[str, tuple[str, ...]] = {
    "leverage_at_most": ("max_leverage",),
    "risk_at_stop": ("max_pct",),
    "margin_at_risk": ("max_pct",),
    "max_drawdown": ("max_pct",),
    "entry_order_type": ("order_types",),
}
OrderTypeName = Literal["market", "limit", "stop_market", "stop_limit", "take_profit_market", "take_profit_limit",
                        "trailing_stop"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _default_account() -> dict[Literal["XBT", "USDT"], float]:
    return {"XBT": 1.0}


class LessonStart(_Strict):
    """The market and account the lesson starts from; the same for every trainee."""

    account: dict[Literal["XBT", "USDT"], Annotated[float, Field(ge=0, le=1e9)]] = Field(
        default_factory=_default_account, description="starting wallets in major units")
    seed: int = Field(default=0, ge=0, description="seed of the market (same seed, same market for the room)")
    start: datetime = Field(default=datetime(2024, 3, 1, tzinfo=UTC), description="session start, UTC")
    duration_s: float = Field(default=3600, gt=0, le=7 * 86400, description="the lesson's time limit, seconds")
    fill_model: Literal["ideal", "realistic", "stressed"] = Field(
        default="realistic", description="how orders fill: ideal (last ± the spread), realistic or stressed (market "
        "orders walk the simulated order book)")
    feed: FeedSpec = Field(default_factory=FeedSpec, description="price source of the lesson's symbol")
    extra_symbols: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{3,16}$")]] = Field(
        default_factory=list, description="further symbols traded on their synthetic markets")

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)

    @property
    def symbol(self) -> str:
        return self.feed.resolved_symbol()

    @property
    def start_ms(self) -> int:
        return round(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return self.start_ms + round(self.duration_s * 1000)


class CheckSpec(_Strict):
    """One ``[[checks]]`` entry: a named predicate with its parameters."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$", description="short name, unique in the lesson")
    kind: CheckKind = Field(description="which predicate (see terminal.lessons.checks)")
    label: str = Field(min_length=1, max_length=200, description="what the trainee reads in the checklist")
    symbol: str | None = Field(default=None, description="only this symbol (default: any)")
    side: Literal["long", "short", "any"] = "any"
    margin_mode: Literal["isolated", "cross", "any"] = "any"
    min_leverage: float | None = Field(default=None, gt=0, le=100)
    max_leverage: float | None = Field(default=None, gt=0, le=100)
    max_pct: float | None = Field(default=None, gt=0, le=100, description="a limit in percent of the account")
    min_count: int = Field(default=1, ge=1, le=100, description="how many (positions, fills …) at least")
    direction: Literal["lower", "higher", "any"] = Field(default="any", description="changed_leverage_open")
    min_coverage_pct: float = Field(default=90.0, gt=0, le=100,
                                    description="stop_rested: share of the time in a position with a stop resting")
    order_types: list[OrderTypeName] | None = Field(default=None, description="entry_order_type: allowed types")

    @model_validator(mode="after")
    def _needs(self) -> CheckSpec:
        for name in REQUIRED.get(self.kind, ()):
            if getattr(self, name) is None:
                raise ValueError(f"{self.kind} needs {name}")
        if self.min_leverage is not None and self.max_leverage is not None and self.min_leverage > self.max_leverage:
            raise ValueError("min_leverage is above max_leverage")
        return self


_FIELD = re.compile(r"\{([a-z_]+)\}")


class DebriefSpec(_Strict):
    """What the debrief shows: a text with the session's numbers in braces, and the numbers to quote."""

    text: str = Field(default="", max_length=4000, description="debrief text; {metric} is replaced by its value")
    quote: list[str] = Field(default_factory=list, description="metrics listed with their values")

    @field_validator("quote")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for name in v:
            if name not in METRICS:
                raise ValueError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}")
        return v

    @field_validator("text")
    @classmethod
    def _fields(cls, v: str) -> str:
        for _, name, _, _ in string.Formatter().parse(v.replace("{{", "").replace("}}", "")):
            if name is not None and name not in METRICS:
                raise ValueError(f"unknown metric {{{name}}} in the text; known: {', '.join(sorted(METRICS))}")
        return v


class Lesson(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,60}$", description="short name (default: the file name)")
    title: str = Field(min_length=1, max_length=120)
    idea: str = Field(min_length=1, max_length=600, description="the guide's idea this lesson teaches")
    brief: str = Field(min_length=1, max_length=3000, description="what to do and why, a few sentences")
    objective: str = Field(min_length=1, max_length=400, description="one line: the goal")
    start: LessonStart = Field(default_factory=LessonStart)
    checks: list[CheckSpec] = Field(min_length=1, max_length=30)
    debrief: DebriefSpec = Field(default_factory=DebriefSpec)

    @model_validator(mode="after")
    def _unique(self) -> Lesson:
        seen: set[str] = set()
        for c in self.checks:
            if c.id in seen:
                raise ValueError(f"two checks are called {c.id!r}")
            seen.add(c.id)
        return self

    @property
    def symbols(self) -> list[str]:
        return [self.start.symbol, *[s for s in self.start.extra_symbols if s != self.start.symbol]]


def _line_of(text: str, loc: Sequence[object]) -> tuple[str, int]:
    """(where, line) of a validation error location."""
    if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
        field = loc[2] if len(loc) > 2 else None
        return f"[[checks]] #{loc[1] + 1}", locate_table_line(text, "checks", loc[1], field) or 1
    table = None
    key = loc[0] if loc else None
    if loc and loc[0] in ("start", "debrief") and len(loc) >= 2:
        table, key = str(loc[0]), loc[1]
        if table == "start" and key == "feed" and len(loc) >= 3:
            table, key = "start.feed", loc[2]
    return (f"[{table}]" if table else "the lesson"), locate_key_line(text, table, key) or 1


def parse_lesson(text: str, path: str = "<lesson>", default_id: str | None = None) -> Lesson:
    from terminal.session.script import check_feed_spec

    text = text.removeprefix("\ufeff")  # a byte-order mark (Windows Notepad) is not part of the text
    lesson = _validate_lesson(text, path, default_id)
    check_feed_spec(lesson.start.feed, text, path, "start.feed")
    return lesson


def _validate_lesson(text: str, path: str, default_id: str | None) -> Lesson:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {str(exc).split(' (at')[0]}", path=path,
                         line=toml_error_line(exc, text)) from None
    if default_id and "id" not in data:
        data["id"] = default_id
    try:
        return Lesson.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        where, line = _line_of(text, loc)
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else None
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown field '{field}' in {where}"
        elif err["type"] == "missing":
            message = f"missing {field} in {where}"
        elif field is not None and not (len(loc) == 2 and loc[0] == "checks"):
            message = f"{field} in {where}: {msg}"
        else:
            message = f"{where}: {msg}"
        raise InputError(message, path=path, line=line) from None


MAX_LESSON_BYTES = 1 << 20


def load_lesson(path: str | Path) -> Lesson:
    p = Path(path)
    from terminal.session.script import read_capped

    raw = read_capped(p, MAX_LESSON_BYTES, "lesson")  # a folder, a device or a huge file: one line, never a hang
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the lesson is not UTF-8 text", path=str(p),
                         line=raw[: exc.start].count(b"\n") + 1) from None
    stem = p.name.removesuffix(".toml")
    return parse_lesson(text, str(p), stem if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", stem) else None)
