"""The TOML session script of ``leverage-terminal run``: seed, start, duration, wallets, price source, timed steps.

Errors are :class:`InputError` naming the field and its line, e.g.
``session.toml:14: unknown field 'qyt' in [[steps]] #2``. Relative feed paths are resolved against the script's
folder by :func:`load_script`.
"""
from __future__ import annotations

import gc
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from terminal.domain.defaults import DEFAULT_START_AT, default_wallets_major
from terminal.domain.errors import InputError
from terminal.domain.toml_lines import locate_key_line, locate_table_line, parse_toml
from terminal.feeds.spec import FeedSpec
from terminal.market.spec import MarketSpec

Action = Literal["order", "cancel", "cancel_all", "leverage", "margin", "close"]
OrderType = Literal["market", "limit", "stop_market", "stop_limit", "take_profit_market", "take_profit_limit",
                    "trailing_stop"]


# Times a session may cover: the charts, the report's ISO dates and the funding calendar all need real dates.
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_SCRIPT_BYTES = 256 << 20  # ~3 million steps; /dev/zero or a stray disk image is refused, not read


class _Strict(BaseModel):
    # NaN / inf: "a finite number"; strict: "100" or true is refused where a number is expected, never converted
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Step(_Strict):
    """One ``[[steps]]`` entry: an action at ``at_s`` seconds after the start."""

    at_s: float = Field(ge=0, description="seconds after the session start")
    action: Action = Field(description="order | cancel | cancel_all | leverage | margin | close")
    symbol: str | None = Field(default=None, description="instrument; default the feed's symbol")
    side: Literal["buy", "sell"] | None = Field(default=None, description="order side")
    qty: float | None = Field(default=None, gt=0, le=1e12, description="order size in qty_unit")
    qty_unit: Literal["contracts", "usd", "coin"] = Field(default="contracts", description="unit of qty")
    type: OrderType = Field(default="market", description="order type")
    price: float | None = Field(default=None, gt=0, description="limit price (limit types; close at a limit)")
    stop_price: float | None = Field(default=None, gt=0, description="trigger price (stop / take-profit types)")
    trigger: Literal["mark", "last", "index"] | None = Field(default=None, description="price that triggers stops")
    trail_offset: float | None = Field(default=None, description="trailing stop: signed offset from the price")
    post_only: bool = Field(default=False, description="reject if it would take liquidity")
    reduce_only: bool = Field(default=False, description="may only reduce a position")
    close_on_trigger: bool = Field(default=False, description="close the position when triggered")
    time_in_force: Literal["GTC", "IOC", "FOK"] | None = Field(default=None, description="GTC, IOC or FOK")
    display_qty: float | None = Field(default=None, ge=0, description="shown size (0 = hidden order)")
    leverage: float | None = Field(default=None, gt=0, le=100, description="isolated leverage to set")
    margin_mode: Literal["isolated", "cross"] | None = Field(default=None, description="margin mode to set")
    amount: float | None = Field(default=None, ge=-1e9, le=1e9,
                                 description="margin: add (+) / remove (−), settlement currency")
    order_ref: str | None = Field(default=None, description="a name for this order, or the order to cancel")
    tp: float | None = Field(default=None, gt=0, description="bracket take-profit price, armed when the order fills")
    sl: float | None = Field(default=None, gt=0, description="bracket stop-loss price, armed when the order fills")
    note: str | None = Field(default=None, description="free text, copied to the report")

    @field_validator("side", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _needs(self) -> Step:
        def need(field: str, why: str) -> None:
            if getattr(self, field) is None:
                raise ValueError(f"missing {field}: {why}")

        if self.action == "order":
            need("side", "an order needs side = \"buy\" or \"sell\"")
            need("qty", "an order needs qty")
            if self.type in ("limit", "stop_limit", "take_profit_limit"):
                need("price", f"a {self.type} order needs a limit price")
            if self.type in ("stop_market", "stop_limit", "take_profit_market", "take_profit_limit"):
                need("stop_price", f"a {self.type} order needs stop_price")
            if self.type == "trailing_stop":
                need("trail_offset", "a trailing stop needs trail_offset")
        elif self.action == "cancel":
            need("order_ref", "cancel needs the order_ref of an earlier order")
        elif self.action == "leverage":
            if self.leverage is None and self.margin_mode is None:
                raise ValueError("missing leverage: give leverage = N or margin_mode = \"cross\"")
        elif self.action == "margin":
            need("amount", "margin needs amount (positive adds, negative removes)")
        return self




def _default_account() -> dict[Literal["XBT", "USDT"], float]:
    wallets = default_wallets_major()
    return {"XBT": wallets["XBT"], "USDT": wallets["USDT"]}


class Script(_Strict):
    """A whole session script."""

    seed: int = Field(default=0, ge=0, description="seed of every random choice (same seed → same report)")
    start: datetime = Field(default=DEFAULT_START_AT, strict=False,
                            description="session start, UTC (a TOML date-time or an ISO-8601 string)")
    duration_s: float = Field(default=3600, gt=0, le=366 * 86400, description="session length, seconds")
    account: dict[Literal["XBT", "USDT"], Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]] = Field(
        default_factory=_default_account,
        description="starting wallets in major units; absent → XBT 1.0 and USDT 10000; present → only those given")
    feed: FeedSpec = Field(default_factory=FeedSpec, description="price source")
    market: MarketSpec = Field(default_factory=MarketSpec, strict=False,
                               description='order book: fill_model = "ideal" | "realistic" | "stressed", crowd')
    steps: list[Step] = Field(default_factory=list, description="timed actions, non-decreasing at_s ≤ duration_s")
    fee_schedule: str = Field(default="current", pattern=r"^[A-Za-z0-9_-]{1,32}$",
                              description='fees the account pays: "current" (the catalog\'s) or a named schedule, e.g. "2019"')

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        v = v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        if not EARLIEST <= v < LATEST - timedelta(days=367):
            raise ValueError(f"must be between {EARLIEST:%Y-%m-%d} and {LATEST.year - 2}-12-31")
        return v

    @property
    def start_ms(self) -> int:
        return round(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return self.start_ms + round(self.duration_s * 1000)


def _error(text: str, path: str, exc: ValidationError) -> InputError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"].endswith("_type"):  # a wrong type: say what was there (strict models never convert it)
        msg += f", got {err['input']!r}" if not isinstance(err["input"], dict | list) else f", got a {type(err['input']).__name__}"
    if loc and loc[0] == "steps" and len(loc) >= 2 and isinstance(loc[1], int):
        field = loc[2] if len(loc) > 2 else None
        where = f"[[steps]] #{loc[1] + 1}"
        line = locate_table_line(text, "steps", loc[1], field)
    elif loc and loc[0] in ("feed", "account", "market") and len(loc) >= 2:
        field = loc[1]
        where = f"[{loc[0]}]"
        line = locate_key_line(text, str(loc[0]), field)
    elif loc:
        field = loc[0] if loc[0] not in ("feed", "account") else None
        where = "[" + str(loc[0]) + "]" if field is None else "the script"
        line = locate_key_line(text, None if field else str(loc[0]), field or None)
    else:
        field, where, line = None, "the script", 1
    if err["type"] == "extra_forbidden":
        text_msg = f"unknown field '{field}' in {where}"
    elif field is not None:
        text_msg = f"{field} in {where}: {msg}"
    else:
        text_msg = f"{where}: {msg}"
    return InputError(text_msg, path=path, line=line or 1)


# The [[steps]] tail of a script in its plain form — `key = "string" | true | false | number` lines, comments,
# blank lines — read by two C-level regex passes instead of tomllib's Python loop (which needs ~50 µs a step,
# a minute for a million). Anything else (inline tables, escapes, other tables after the steps, duplicate keys)
# goes to tomllib, which then also reports the error and its line.
_KEY = r"[A-Za-z0-9_-]+"
_INT = r"[+-]?(?:0|[1-9][0-9]*)"
_FLOAT = rf"{_INT}(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"
_END = r"[ \t]*(?:#[^\n]*)?\r?$"
_TAIL_ITEMS = re.compile(  # one per line: a [[steps]] header, or key = "string" | true | false | float | int
    rf'^[ \t]*(?:(\[\[)[ \t]*steps[ \t]*\]\]|({_KEY})[ \t]*=[ \t]*(?:"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"|(true|false)'
    rf"|({_FLOAT})|({_INT}))){_END}", re.M)
_CONTENT_LINE = re.compile(r"^[ \t]*[^ \t\r\n#]", re.M)
_FIRST_STEPS = re.compile(r"^[ \t]*\[\[[ \t]*steps[ \t]*\]\]" + _END, re.M)


def _read_plain_steps(text: str) -> dict[str, object] | None:
    """The script's data when its steps are in the plain form (else None: tomllib reads the whole text)."""
    m = _FIRST_STEPS.search(text)
    if m is None or len(text) < 4096:  # small scripts: tomllib is fast enough and the one reference
        return None
    tail = text[m.start():]
    items = _TAIL_ITEMS.findall(tail)
    if len(items) != len(_CONTENT_LINE.findall(tail)):  # a line of another form
        return None
    try:
        data = tomllib.loads(text[: m.start()])
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    if "steps" in data:
        return None
    steps: list[dict[str, object]] = []
    step: dict[str, object] = {}
    count = 0
    for header, key, string, boolean, flt, integer in items:
        if header:
            if len(step) != count:  # a key given twice in one step
                return None
            step, count = {}, 0
            steps.append(step)
            continue
        count += 1
        if integer:
            step[key] = int(integer)
        elif flt:
            step[key] = float(flt)
        elif boolean:
            step[key] = boolean == "true"
        else:
            step[key] = string
    if len(step) != count:
        return None
    data["steps"] = steps
    return data


def parse_script(text: str, path: str = "<script>", base_dir: Path | None = None) -> Script:
    """Validate a script's text. Linear in its size: lines are located only for the error that is reported."""
    text = text.removeprefix("\ufeff")
    collecting = gc.isenabled()
    gc.disable()  # millions of fresh dicts and models, none of them garbage: a third of the time went to GC passes
    try:
        data = _read_plain_steps(text) or parse_toml(text, path)
        try:
            script = Script.model_validate(data)
        except ValidationError as exc:
            raise _error(text, path, exc) from None
    finally:
        if collecting:
            gc.enable()
    prev = 0.0
    for n, step in enumerate(script.steps):
        if step.at_s < prev:
            raise InputError(f"at_s in [[steps]] #{n + 1}: steps must be in time order ({step.at_s} < {prev})",
                             path=path, line=locate_table_line(text, "steps", n, "at_s"))
        if step.at_s > script.duration_s:
            raise InputError(f"at_s in [[steps]] #{n + 1}: {step.at_s} is after the end "
                             f"(duration_s = {script.duration_s:g})", path=path,
                             line=locate_table_line(text, "steps", n, "at_s"))
        prev = step.at_s
    feed = script.feed
    if feed.path and not Path(feed.path).is_absolute():
        feed = feed.model_copy(update={"path": str(resolve_data_path(feed.path, base_dir))})
    if feed.kind == "scenario" and feed.name and feed.name.endswith(".toml") and not Path(feed.name).is_absolute() \
            and base_dir is not None:  # a scenario file beside the script
        feed = feed.model_copy(update={"name": str((base_dir / feed.name).resolve())})
    if feed is not script.feed:
        script = script.model_copy(update={"feed": feed})
    _check_feed_against_instrument(script, text, path)
    return script


def _check_feed_against_instrument(script: Script, text: str, path: str) -> None:
    """The feed's scenario exists, its symbol is in the catalog and its start price is one the instrument can trade
    at; the fee schedule is a known one."""
    from terminal.domain.instruments import default_catalog

    check_feed_spec(script.feed, text, path)
    catalog = default_catalog()
    if script.fee_schedule != "current" and script.fee_schedule not in catalog.fee_schedules:
        known = ", ".join(["current", *sorted(catalog.fee_schedules)])
        raise InputError(f"fee_schedule: unknown fee schedule {script.fee_schedule!r}; known: {known}",
                         path=path, line=locate_key_line(text, None, "fee_schedule") or 1)


def check_feed_spec(feed: FeedSpec, text: str, path: str, table: str = "feed") -> None:
    """A ``[feed]`` table (``[start.feed]`` in a lesson) against the shipped scenarios and the catalog: an unknown
    scenario or symbol, or a start price the instrument cannot trade at, is an :class:`InputError` at its line."""
    from terminal.domain.instruments import default_catalog

    if feed.kind == "scenario" and feed.name:
        from terminal.feeds.scenario import load_scenario

        try:
            load_scenario(feed.name)
        except InputError as exc:
            if exc.path is not None:  # a scenario file beside the script: its own file and line
                raise
            raise InputError(f"name in [{table}]: {exc.message}", path=path,
                             line=locate_key_line(text, table, "name") or 1) from None
    symbol = feed.resolved_symbol()
    catalog = default_catalog()
    if symbol not in catalog:
        raise InputError(f"symbol in [{table}]: unknown symbol {symbol!r}; known: {', '.join(catalog.symbols)}",
                         path=path, line=locate_key_line(text, table, "symbol") or 1)
    inst = catalog[symbol]
    if feed.price is not None and not inst.tick_size <= feed.price <= inst.max_price:
        raise InputError(f"price in [{table}]: {feed.price:g} is outside what {symbol} trades at "
                         f"({inst.tick_size:g} to {inst.max_price:g})", path=path,
                         line=locate_key_line(text, table, "price") or 1)


def resolve_data_path(name: str, base_dir: Path | None) -> Path:
    """A feed file relative to the script's folder, else one of the samples shipped in resources/data."""
    from resources import RESOURCES_DIR

    if base_dir is not None and (base_dir / name).exists():
        return (base_dir / name).resolve()
    shipped = RESOURCES_DIR / "data" / Path(name).name
    if shipped.exists():
        return shipped
    return (base_dir / name).resolve() if base_dir is not None else Path(name)


def load_script(path: str | Path) -> Script:
    """Read and validate a session script; relative feed paths are resolved against the script's folder."""
    p = Path(path)
    raw = read_capped(p, MAX_SCRIPT_BYTES, "script")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows Notepad) is not part of the text
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("the script is not UTF-8 text", path=str(p), line=line) from None
    return parse_script(text, str(p), p.parent)


def read_capped(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is an :class:`InputError` (a device
    such as /dev/zero, a folder, a FIFO, a file too large to be a {what})."""
    import os
    import stat as stat_

    try:
        if stat_.S_ISFIFO(os.stat(path).st_mode):  # opening a FIFO waits for a writer: refuse it before
            raise InputError(f"not a regular file: a {what} must be a file on disk", path=str(path))
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if stat_.S_ISDIR(st.st_mode):
                raise InputError(f"this is a folder, not a {what} file", path=str(path))
            if not stat_.S_ISREG(st.st_mode):
                raise InputError(f"not a regular file: a {what} must be a file on disk", path=str(path))
            raw = f.read(limit + 1)
    except IsADirectoryError:
        raise InputError(f"this is a folder, not a {what} file", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror or exc}", path=str(path)) from None
    if len(raw) > limit:
        raise InputError(f"too large for a {what} (over {limit >> 20} MiB)", path=str(path))
    return raw
