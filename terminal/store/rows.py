"""The rows the account store writes: journal inserts, entity upserts, the state row, chart series.

Pure functions of the session (no bookkeeping): :class:`terminal.store.account_store.AccountStore` decides *which*
rows a frame writes from its events; this module says what a row is.
"""
from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from typing import Any

from terminal.exchange.engine import Exchange
from terminal.session.history import RingBuffer
from terminal.session.trading_session import TradingSession
from terminal.store.changes import FrameChanges
from terminal.store.state import (
    dumps,
    export_live,
    fill_row,
    funding_row,
    ledger_row,
    liquidation_row,
    order_json,
    position_json,
    rejection_row,
    settings_json,
)

JOURNALS = ("ledger", "fills", "liquidations", "funding", "rejections")
INSERT = {
    "ledger": "INSERT INTO ledger (time, kind, currency, amount_minor, symbol, ref, text) VALUES (?,?,?,?,?,?,?)",
    "fills": "INSERT OR REPLACE INTO fills (fill_id, time, symbol, json) VALUES (?,?,?,?)",
    "liquidations": "INSERT INTO liquidations (time, symbol, json) VALUES (?,?,?)",
    "funding": "INSERT INTO funding (time, symbol, json) VALUES (?,?,?)",
    "rejections": "INSERT INTO rejections (time, json) VALUES (?,?)",
}
ROW: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "ledger": ledger_row, "fills": fill_row, "liquidations": liquidation_row, "funding": funding_row,
    "rejections": rejection_row,
}
UPSERT_POSITION = "INSERT INTO positions VALUES (?, ?) ON CONFLICT(symbol) DO UPDATE SET json = excluded.json"
UPSERT_SETTINGS = "INSERT INTO settings VALUES (?, ?) ON CONFLICT(symbol) DO UPDATE SET json = excluded.json"
UPSERT_FEED = ("INSERT INTO feeds VALUES (?,?,?,?,?,?) ON CONFLICT(symbol) DO UPDATE SET spec = excluded.spec, "
               "seed = excluded.seed, start_ms = excluded.start_ms, position = excluded.position, "
               "checkpoint = excluded.checkpoint")
ALL_TABLES = ("ledger", "fills", "liquidations", "funding", "rejections", "orders_history", "history", "feeds",
              "state", "orders", "positions", "settings", "prices", "checkpoints")


def series_of(session: TradingSession) -> dict[str, RingBuffer]:
    out = {f"equity:{c}": b for c, b in session.history.equity.items()}
    out.update({f"liq:{s}": b for s, b in session.history.liquidation.items()})
    return out


def num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def live_row(session: TradingSession) -> str:
    """The state row: the exchange's live part and the session counters."""
    st = export_live(session.exchange)
    st["session"] = {"seed": session.seed, "start_ms": session.start_ms, "ticks": session.ticks,
                     "next_sample": session._next_sample, "fill_model": session.market.fill_model}
    return dumps(st)


def write_entities(db: sqlite3.Connection, ex: Exchange, ch: FrameChanges) -> None:
    if ch.upsert_orders:
        db.executemany("INSERT OR REPLACE INTO orders VALUES (?, ?)",
                       [(o.id, order_json(o)) for o in ch.upsert_orders])
    if ch.delete_orders:
        db.executemany("DELETE FROM orders WHERE order_id = ?", [(i,) for i in ch.delete_orders])
    hist = {o.id: o for o in ch.history_orders}
    hist.update((o.id, o) for o in ch.upsert_orders)
    if hist:
        db.executemany("INSERT OR REPLACE INTO orders_history VALUES (?,?,?,?)",
                       [(o.id, o.symbol, o.status.value, order_json(o)) for o in hist.values()])
    if ch.positions:
        db.executemany(UPSERT_POSITION, [(s, position_json(ex.positions[s])) for s in ch.positions])
    if ch.settings:
        db.executemany(UPSERT_SETTINGS, [(s, settings_json(ex.settings[s])) for s in ch.settings])


def history_rows(session: TradingSession, base: dict[str, int],
                 saved: dict[str, int]) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """The equity / liquidation chart points not stored yet, as ``history`` rows, and each series' new saved count.
    ``base`` (the sequence number of each series' first point) gains the series seen for the first time."""
    out: list[tuple[Any, ...]] = []
    now_saved = {}
    for series, buf in series_of(session).items():
        done = saved.get(series, 0)
        base.setdefault(series, 0)
        new = buf.count - done
        if new <= 0:
            continue
        take = min(new, len(buf))
        view = buf.tail(take)
        first = base[series] + buf.count - take
        out.extend((series, first + i, float(r[0]), num(r[1]), num(r[2])) for i, r in enumerate(view))
        now_saved[series] = buf.count
    return out, now_saved


def replace_all(db: sqlite3.Connection, ex: Exchange, feed_rows: list[tuple[Any, ...]], hist: list[tuple[Any, ...]],
                live: str) -> None:
    """Inside the caller's transaction: every table but ``undone`` emptied, then written again from ``ex``, its feeds'
    rows, its chart history and its live row (the price chart's tail is the caller's to write)."""
    for table in ALL_TABLES:
        db.execute(f"DELETE FROM {table}")
    for j in JOURNALS:
        db.executemany(INSERT[j], [ROW[j](r) for r in getattr(ex, j)])
    db.executemany("INSERT OR REPLACE INTO orders_history VALUES (?,?,?,?)",
                   [(o.id, o.symbol, o.status.value, order_json(o)) for o in ex.orders.values()])
    db.executemany("INSERT INTO orders VALUES (?, ?)", [(o.id, order_json(o)) for o in ex.orders.values()])
    db.executemany(UPSERT_POSITION, [(s, position_json(p)) for s, p in ex.positions.items()])
    db.executemany(UPSERT_SETTINGS, [(s, settings_json(v)) for s, v in ex.settings.items()])
    db.executemany(UPSERT_FEED, feed_rows)
    db.executemany("INSERT INTO history VALUES (?,?,?,?,?)", hist)
    db.execute("INSERT INTO state (id, json) VALUES (1, ?)", (live,))
