"""A trading session as plain JSON-able data and back: what the store saves between frames.

The exchange's state is its plain attributes; the append-only journals (ledger, fills, liquidations,
funding, rejections) are stored as rows and handed back to :func:`import_exchange`. Floats go through
JSON's shortest repr, so they come back bit for bit; NaN survives (``allow_nan``).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from terminal.domain.account import (
    Fill,
    FundingRecord,
    LedgerRow,
    LiquidationRecord,
    Position,
    SymbolSettings,
    Wallet,
)
from terminal.domain.instruments import Catalog
from terminal.domain.orders import Order, order_from_dict
from terminal.exchange.engine import EngineConfig, Exchange, Market
from terminal.store.schema import corrupt

STATE_FORMAT = 1  # the whole exchange in one dict
LIVE_FORMAT = 2  # the live part only; orders, positions and settings in their own rows (schema 3)


def dumps(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _flat(obj: object) -> dict[str, Any]:
    """The dataclass fields of a flat dataclass of scalars (asdict() without its deep copies; caches excluded)."""
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj) if f.init)  # type: ignore[arg-type]
    return {n: getattr(obj, n) for n in names}


def _make(cls: type, d: dict[str, Any]) -> Any:
    """``cls(**d)`` over the constructor's fields only (a cache a newer engine keeps is not state)."""
    names = {f.name for f in fields(cls) if f.init}
    return cls(**{k: v for k, v in d.items() if k in names})


def export_live(ex: Exchange) -> dict[str, Any]:
    """The part of the exchange every tick may change, all of it O(symbols): clock, markets, wallets, counters.
    Orders, positions and settings have a row each (:func:`order_json`, :func:`position_json`,
    :func:`settings_json`); the journals are append-only rows."""
    return {
        "format": LIVE_FORMAT,
        "now_ms": ex.now_ms,
        "config": _flat(ex.config),  # flat scalars (a newer engine's nested field would need asdict)
        "wallets": {c: w.balance for c, w in ex.wallets.items()},
        # flat dataclasses of scalars: a shallow copy of their fields is asdict() without its deep copies
        "markets": {s: _flat(m) for s, m in ex.markets.items()},
        "insurance_fund": dict(ex.insurance_fund),
        "next_funding_ms": dict(ex.next_funding_ms),
        "next_order_id": ex.next_order_id,
        "next_fill_id": ex.next_fill_id,
    }


def export_exchange(ex: Exchange) -> dict[str, Any]:
    """The whole exchange but the journals, as one JSON-able dict (checkpoints; :func:`import_exchange`)."""
    st = export_live(ex)
    st["format"] = STATE_FORMAT
    st["positions"] = {s: _flat(p) for s, p in ex.positions.items()}
    st["settings"] = {s: _flat(v) for s, v in ex.settings.items()}
    st["orders"] = [o.to_dict() for o in ex.orders.values()]
    return st


def order_json(o: Order) -> str:
    return dumps(o.to_dict())


def position_json(p: Position) -> str:
    return dumps(_flat(p))


def settings_json(s: SymbolSettings) -> str:
    return dumps(_flat(s))


def read_entities(db: sqlite3.Connection, st: dict[str, Any]) -> dict[str, Any]:
    """``st`` (a live state row) completed with the orders, positions and settings rows (schema 3)."""
    if st.get("format", STATE_FORMAT) < LIVE_FORMAT:
        return st
    st = dict(st)
    st["orders"] = [json.loads(r[0]) for r in db.execute("SELECT json FROM orders ORDER BY order_id")]
    st["positions"] = {s: json.loads(js) for s, js in db.execute("SELECT symbol, json FROM positions ORDER BY rowid")}
    st["settings"] = {s: json.loads(js) for s, js in db.execute("SELECT symbol, json FROM settings ORDER BY rowid")}
    return st


def import_exchange(catalog: Catalog, st: dict[str, Any], *, ledger: Iterable[LedgerRow] = (),
                    fills: Iterable[Fill] = (), liquidations: Iterable[LiquidationRecord] = (),
                    funding: Iterable[FundingRecord] = (), rejections: Iterable[dict[str, Any]] = ()) -> Exchange:
    """Rebuild the exchange saved by :func:`export_exchange` (raises KeyError / TypeError / ValueError if malformed)."""
    fmt = st.get("format", STATE_FORMAT)
    if fmt > LIVE_FORMAT:
        raise ValueError(f"state format {fmt} is newer than {LIVE_FORMAT}")
    symbols = set(st["positions"]) | set(st["settings"]) | set(st["markets"]) | {o["symbol"] for o in st["orders"]}
    unknown = sorted(s for s in symbols if s not in catalog)
    if unknown:
        raise ValueError(f"the instrument catalog no longer lists {', '.join(unknown)}")
    ex = Exchange(catalog, EngineConfig(**st["config"]), now_ms=int(st["now_ms"]))
    for cur, bal in st["wallets"].items():
        ex.wallets[cur] = Wallet(cur, int(bal))
    ex.positions = {s: _make(Position, d) for s, d in st["positions"].items()}
    ex.settings = {s: _make(SymbolSettings, d) for s, d in st["settings"].items()}
    orders = [order_from_dict(d) for d in st["orders"]]
    ex.orders = {o.id: o for o in orders}
    ex.markets = {s: _make(Market, d) for s, d in st["markets"].items()}
    ex.insurance_fund.update({c: int(v) for c, v in st["insurance_fund"].items()})
    ex.next_funding_ms = {s: int(v) for s, v in st["next_funding_ms"].items()}
    ex.next_order_id = int(st["next_order_id"])
    ex.next_fill_id = int(st["next_fill_id"])
    ex.ledger = list(ledger)
    ex.fills = list(fills)
    ex.liquidations = list(liquidations)
    ex.funding = list(funding)
    ex.rejections = list(rejections)
    return ex


# ------------------------------------------------------------------ journal rows
def ledger_row(r: LedgerRow) -> tuple[Any, ...]:
    return (r.time, r.kind, r.currency, r.amount_minor, r.symbol, r.ref, r.text)


def ledger_from_row(row: tuple[Any, ...]) -> LedgerRow:
    t, kind, cur, amount, sym, ref, text = row
    return LedgerRow(int(t), kind, cur, int(amount), sym, ref, text or "")


def fill_row(f: Fill) -> tuple[Any, ...]:
    return (f.fill_id, f.time, f.symbol, dumps(f.to_dict()))


def liquidation_row(r: LiquidationRecord) -> tuple[Any, ...]:
    return (r.time, r.symbol, dumps(r.to_dict()))


def funding_row(r: FundingRecord) -> tuple[Any, ...]:
    return (r.time, r.symbol, dumps(r.to_dict()))


def rejection_row(r: dict[str, Any]) -> tuple[Any, ...]:
    t = r.get("time", 0)
    return (int(t) if isinstance(t, (int, float)) else 0, dumps(r))


def load_fill(js: str) -> Fill:
    return Fill(**json.loads(js))


def load_liquidation(js: str) -> LiquidationRecord:
    return LiquidationRecord(**json.loads(js))


def load_funding(js: str) -> FundingRecord:
    return FundingRecord(**json.loads(js))


def read_exchange(db: sqlite3.Connection, catalog: Catalog, st: dict[str, Any], path: Path) -> Exchange:
    """The stored exchange (inside the caller's read transaction); the ledger must sum to every wallet."""
    st = read_entities(db, st)
    ledger = [ledger_from_row(r) for r in db.execute(
        "SELECT time, kind, currency, amount_minor, symbol, ref, text FROM ledger ORDER BY seq")]
    ex = import_exchange(
        catalog, st, ledger=ledger,
        fills=[load_fill(r[0]) for r in db.execute("SELECT json FROM fills ORDER BY fill_id")],
        liquidations=[load_liquidation(r[0]) for r in db.execute("SELECT json FROM liquidations ORDER BY seq")],
        funding=[load_funding(r[0]) for r in db.execute("SELECT json FROM funding ORDER BY seq")],
        rejections=[json.loads(r[0]) for r in db.execute("SELECT json FROM rejections ORDER BY seq")],
    )
    sums: dict[str, int] = {}
    for row in ledger:
        sums[row.currency] = sums.get(row.currency, 0) + row.amount_minor
    for cur, w in ex.wallets.items():
        if sums.get(cur, 0) != w.balance:
            raise corrupt(path, f"the {cur} ledger sums to {sums.get(cur, 0)} but the wallet holds {w.balance}")
    from terminal.store.validate import check_exchange

    try:  # types and ranges: a position of 1e300 contracts is damage, never something to trade on
        check_exchange(ex)
    except ValueError as exc:
        raise corrupt(path, str(exc)) from None
    return ex
