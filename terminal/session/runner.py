"""`leverage-terminal run`: play a scripted session headless and report what happened.

The report is deterministic: the same script gives byte-identical JSON (no wall-clock figures).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from terminal.domain.errors import InputError
from terminal.domain.instruments import Catalog, default_catalog
from terminal.domain.money import to_minor
from terminal.exchange.engine import EngineConfig, Exchange
from terminal.exchange.snapshot import positions_json, take_snapshot, wallets_json
from terminal.feeds import make_feed
from terminal.feeds.base import Feed
from terminal.session.history import AccountHistory, RingBuffer
from terminal.session.market_setup import attach_market, books_json, configure_feed, market_json
from terminal.session.script import Script, Step

REPORT_KEYS = ("fills", "rejections", "liquidations", "funding", "ledger", "equity", "final", "stats")
MAX_EQUITY_SAMPLES = 2000
READ_CHUNK = 1 << 16


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def keeps_own_dates(script: Script) -> bool:
    """Replayed history (trades / bars without ``rebase``) plays at the dates in its file."""
    return script.feed.kind in ("trades", "quotes", "bars") and not script.feed.rebase


def session_window(script: Script, feed: Feed, start_ms: int | None = None) -> tuple[int, int]:
    """(start, end) in epoch ms: ``start_ms`` (default the script's start), except that replayed history keeps
    its own dates."""
    if start_ms is None:
        start_ms = int(script.start.timestamp() * 1000)
    if keeps_own_dates(script):
        start_ms = feed.start_ms
    return start_ms, start_ms + int(round(script.duration_s * 1000))


def apply_step(ex: Exchange, step: Step, default_symbol: str) -> tuple[bool, str | None]:
    """Carry out one script step; returns (accepted, reason)."""
    symbol = step.symbol or default_symbol
    if symbol not in ex.catalog:
        ack = ex.reject(step.action, {"symbol": symbol}, f"Unknown symbol {symbol!r}.")
        return ack.accepted, ack.reason
    inst = ex.catalog[symbol]
    if step.action in ("order", "leverage") and (step.leverage is not None or step.margin_mode is not None):
        cross = step.margin_mode == "cross" if step.margin_mode else ex.setting(symbol).cross
        if step.leverage is not None or step.margin_mode is not None:
            lev = step.leverage
            if lev is None:
                lev = inst.max_leverage if cross else ex.setting(symbol).leverage
            s = ex.setting(symbol)
            if lev != s.leverage or cross != s.cross:
                ack = ex.set_margin_mode(symbol, cross, lev)
                if not ack.accepted:
                    return False, ack.reason
        if step.action == "leverage":
            return True, None
    if step.action == "leverage":
        ack = ex.reject("leverage", {"symbol": symbol}, "A leverage step needs leverage or margin_mode.")
        return False, ack.reason
    if step.action == "order":
        m = ex.markets.get(symbol)
        ref_px = step.price or step.stop_price or (m.last if m and math.isfinite(m.last) else inst.typical_price)
        try:
            qty: float = inst.contracts_from(step.qty or 0, step.qty_unit, ref_px)
        except InputError as exc:
            ack = ex.reject("order", {"symbol": symbol, "qty": step.qty}, str(exc))
            return ack.accepted, ack.reason
        if step.qty_unit != "contracts":
            qty = round(qty / inst.lot_size) * inst.lot_size
        req: dict[str, Any] = {
            "symbol": symbol, "side": step.side or "buy", "qty": int(qty) if float(qty).is_integer() else qty,
            "type": step.type, "price": step.price, "stop_price": step.stop_price,
            "trigger": step.trigger or "mark", "time_in_force": step.time_in_force, "post_only": step.post_only,
            "reduce_only": step.reduce_only, "close_on_trigger": step.close_on_trigger,
            "trail_offset": abs(step.trail_offset) if step.trail_offset is not None else None, "ref": step.order_ref,
            "take_profit": step.tp, "stop_loss": step.sl,
        }
        if step.side is None:
            ack = ex.reject("order", req, "An order step needs a side (buy or sell).")
        else:
            ack = ex.place_order(req)
    elif step.action == "cancel":
        ack = ex.cancel_order(step.order_ref) if step.order_ref else ex.reject("cancel", {}, "Say which order to cancel (order_ref).")
    elif step.action == "cancel_all":
        ex.cancel_all(step.symbol)
        return True, None
    elif step.action == "margin":
        amount = to_minor(inst.settle_currency, step.amount or 0.0)
        ack = ex.adjust_margin(symbol, amount)
    elif step.action == "close":
        ack = ex.close_position(symbol, step.price)
    else:  # pragma: no cover - the script model allows nothing else
        raise InputError(f"unknown action {step.action!r}")
    return ack.accepted, ack.reason


def run_script(script: Script, *, base_dir: Path | None = None, catalog: Catalog | None = None,
               exchange: Exchange | None = None, history: AccountHistory | None = None,
               on_feed: Callable[[Feed], None] | None = None) -> dict[str, Any]:
    """Play ``script`` (into ``exchange`` if given) and return the report; the equity and liquidation
    samples are also appended to ``history`` when given (the stored account's chart history). ``on_feed`` gets
    the script's feed, positioned at the script's end, to go on from there."""
    catalog = (catalog or default_catalog()).with_fee_schedule(script.fee_schedule)
    start_ms = int(script.start.timestamp() * 1000)
    if exchange is not None and exchange.now_ms > start_ms and not keeps_own_dates(script):
        start_ms = exchange.now_ms  # a stored account goes on from its own clock; time never runs backwards
    symbol = script.feed.resolved_symbol()
    inst = catalog[symbol]
    feed = make_feed(script.feed, inst, seed=script.seed, start_ms=start_ms)
    start_ms, end_ms = session_window(script, feed, start_ms)
    if exchange is not None and exchange.now_ms > start_ms:
        raise InputError(f"the stored account's clock is at {iso(exchange.now_ms)}, after this replay's data starts "
                         f"({iso(start_ms)}): set rebase = true in [feed], or use a new account")
    ex = exchange or Exchange(catalog, EngineConfig(), now_ms=start_ms)
    configure_feed(attach_market(ex, seed=script.seed, spec=script.market), feed, script.market)  # the order book
    if exchange is None:
        for cur, amount in sorted(script.account.items()):
            if amount:
                ex.deposit(cur, to_minor(cur, amount))
    history_out = history
    history = AccountHistory(capacity=MAX_EQUITY_SAMPLES + 10)
    sample_ms = max(1000, -(-(end_ms - start_ms) // MAX_EQUITY_SAMPLES))
    steps = sorted(enumerate(script.steps), key=lambda p: (p[1].at_s, p[0]))
    step_times = [start_ms + int(round(s.at_s * 1000)) for _, s in steps]
    rejections: list[dict[str, Any]] = []
    orders: dict[int, tuple[str, object]] = {}  # order id -> its latest "order" event (stored accounts only)
    ticks = 0
    k = 0
    next_sample = start_ms
    t = start_ms
    while True:
        target = min(end_ms, next_sample, step_times[k] if k < len(steps) else end_ms)
        while True:
            batch = feed.read(target, READ_CHUNK)
            if len(batch) == 0:
                break
            ex.step(symbol, batch)
            ticks += len(batch)
        t = target
        if ex.now_ms < t:
            ex.now_ms = t
        while k < len(steps) and step_times[k] <= t:
            n, step = steps[k]
            before = len(ex.rejections)
            ok, reason = apply_step(ex, step, symbol)
            if not ok:
                row: dict[str, Any] = dict(ex.rejections[-1]) if len(ex.rejections) > before else {"reason": reason}
                row.update({"time": iso(t), "time_ms": t, "step": n + 1, "action": step.action, "reason": reason})
                rejections.append(row)
            k += 1
        if t >= next_sample:
            history.sample(ex, t)
            next_sample += sample_ms
        for kind, payload in ex.drain_events():
            if kind == "order" and exchange is not None:
                orders[payload.id] = (kind, payload)  # type: ignore[attr-defined]
        if t >= end_ms:
            break
    ex.events[:0] = orders.values()  # a stored account's store saves each order's last state (orders_history)
    if history_out is not None:
        for into, source in ((history_out.equity, history.equity), (history_out.liquidation, history.liquidation)):
            for key, buf in source.items():
                if key not in into:
                    into[key] = RingBuffer(history_out.capacity, 3)
                into[key].extend(buf.view())
    if on_feed is not None:
        on_feed(feed)
    return build_report(ex, history, rejections, ticks, script, start_ms, end_ms, feed.describe())


def _timed(d: dict[str, Any], key: str = "time") -> dict[str, Any]:
    ms = d[key]
    d[key] = iso(ms)
    d["time_ms"] = ms
    return d


def build_report(ex: Exchange, history: AccountHistory, rejections: list[dict[str, Any]], ticks: int,
                 script: Script, start_ms: int, end_ms: int, feed: dict[str, Any]) -> dict[str, Any]:
    snap = take_snapshot(ex)
    equity = []
    for cur, buf in sorted(history.equity.items()):
        from terminal.domain.money import MINOR_PER_MAJOR

        mpm = MINOR_PER_MAJOR[cur]
        for tt, mb, wb in buf.view():
            equity.append({"time": iso(int(tt)), "time_ms": int(tt), "currency": cur,
                           "margin_balance_minor": int(round(mb * mpm)), "wallet_balance_minor": int(round(wb * mpm))})
    wallets = wallets_json(snap)
    positions = positions_json(snap)
    fills = [_timed(f.to_dict()) for f in ex.fills]
    return {
        "fills": fills,
        "rejections": rejections,
        "liquidations": [_timed(r.to_dict()) for r in ex.liquidations],
        "funding": [_timed(r.to_dict()) for r in ex.funding],
        "ledger": [_timed(r.to_dict()) for r in ex.ledger],
        "equity": equity,
        "final": {
            "time": iso(end_ms), "wallets": wallets, "positions": positions,
            "open_orders": [o.__dict__ | {} for o in snap.orders],
            "insurance_fund_minor": snap.insurance_fund_minor,
            "markets": {s: {"last": m.last, "mark": m.mark, "index": m.index, "funding_rate": m.funding_rate,
                            "predicted_funding_rate": m.predicted_funding_rate} for s, m in snap.markets.items()},
            "books": books_json(ex),
        },
        "stats": {
            "ticks": ticks, "seconds": round((end_ms - start_ms) / 1000, 3), "start_ms": start_ms, "seed": script.seed,
            "feed": feed, "fills": len(fills), "liquidations": len(ex.liquidations),
            "rejections": len(rejections), "orders_placed": ex.next_order_id - 1, "market": market_json(ex),
        },
    }




def clean_json(o: Any) -> Any:
    """NaN and infinities become null, so the report is strict JSON."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: clean_json(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean_json(v) for v in o]
    return o
