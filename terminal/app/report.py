"""`leverage-terminal report`: a self-contained HTML report of a stored account, plus its ledger as CSV.

Charts are hand-built inline SVG polylines (no Qt, no network, no scripts). Sections carry stable ids:
summary, equity, liquidation, fills, liquidations, funding, ledger. The ledger CSV is written next to the
HTML as ``FILE.ledger.csv``. Reading takes no lock, so a report can be made while a window has the account open.
"""
from __future__ import annotations

import csv
import html
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from terminal.app.journal_section import journal_csv_path, journal_section
from terminal.app.out_errors import output_error
from terminal.app.report_price import price_section
from terminal.app.report_undone import undone_section
from terminal.app.stored_account import account_views, read_account
from terminal.domain.money import MINOR_PER_MAJOR, format_money
from terminal.session.runner import iso
from terminal.store.undone import read_undone

MAX_POINTS = 1500  # per polyline
MAX_ROWS = 2000  # per HTML table (the CSV has every ledger row)
COLORS = ("#2f7ed8", "#8a8f98", "#d9534f", "#5cb85c")

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{padding:3px 8px;border-bottom:1px solid #eef0f3}
th{text-align:left;background:#f5f6f8}td.n{text-align:right;font-variant-numeric:tabular-nums;font-family:monospace}
.pos{color:#1a8a4a}.neg{color:#c0392b}.note{color:#6b7280;font-size:12px}svg{background:#fafbfc;border:1px solid #e5e7eb}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:200px}
"""


def _esc(v: object) -> str:
    return html.escape("" if v is None else str(v))


def _polylines(xs: np.ndarray, ys: np.ndarray, sx: Any, sy: Any) -> list[str]:
    """SVG point lists, broken where y is NaN, thinned to about MAX_POINTS."""
    if len(xs) > MAX_POINTS:
        idx = np.unique(np.linspace(0, len(xs) - 1, MAX_POINTS).astype(int))
        xs, ys = xs[idx], ys[idx]
    out: list[str] = []
    cur: list[str] = []
    for x, y in zip(xs, ys):
        if not math.isfinite(y):
            if len(cur) > 1:
                out.append(" ".join(cur))
            cur = []
            continue
        cur.append(f"{sx(x):.1f},{sy(y):.1f}")
    if len(cur) > 1:
        out.append(" ".join(cur))
    elif len(cur) == 1:
        out.append(cur[0] + " " + cur[0])
    return out


def svg_chart(title: str, lines: Sequence[tuple[str, np.ndarray, np.ndarray]], unit: str = "",
              width: int = 1000, height: int = 220) -> str:
    """An inline SVG line chart: ``lines`` are (label, t_ms, values)."""
    pad_l, pad_r, pad_t, pad_b = 90, 10, 24, 28
    finite = [v[np.isfinite(v)] for _, _, v in lines]
    allx = [t for _, t, _ in lines if len(t)]
    if not allx or not any(len(f) for f in finite):
        return f'<p class="note">{_esc(title)}: no data yet.</p>'
    x0 = min(float(t.min()) for t in allx)
    x1 = max(float(t.max()) for t in allx)
    y0 = min(float(f.min()) for f in finite if len(f))
    y1 = max(float(f.max()) for f in finite if len(f))
    if y1 == y0:
        y0, y1 = y0 - 1e-9 - abs(y0) * 0.01, y1 + 1e-9 + abs(y1) * 0.01
    if x1 == x0:
        x1 = x0 + 1

    def sx(x: float) -> float:
        return pad_l + (x - x0) / (x1 - x0) * (width - pad_l - pad_r)

    def sy(y: float) -> float:
        return pad_t + (y1 - y) / (y1 - y0) * (height - pad_t - pad_b)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">',
             f'<text x="{pad_l}" y="15" font-size="12" font-weight="bold">{_esc(title)}</text>']
    for frac in (0.0, 0.5, 1.0):
        y = y0 + (y1 - y0) * frac
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{pad_l - 6}" y="{sy(y) + 4:.1f}" font-size="11" text-anchor="end">{y:,.6g}{_esc(unit)}</text>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="11">{iso(int(x0))}</text>'
                 f'<text x="{width - pad_r}" y="{height - 8}" font-size="11" text-anchor="end">{iso(int(x1))}</text>')
    for k, (label, t, v) in enumerate(lines):
        color = COLORS[k % len(COLORS)]
        for pts in _polylines(t.astype(np.float64), v.astype(np.float64), sx, sy):
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{pts}"/>')
        parts.append(f'<text x="{width - pad_r - 200 + 0 * k}" y="{15 + 13 * k}" font-size="11" fill="{color}">'
                     f'— {_esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int], total: int) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = ' class="n"' if i in numeric else ""
            cells.append(f"<td{cls}>{_esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = "" if total <= MAX_ROWS else f'<p class="note">Showing the last {MAX_ROWS} of {total} rows.</p>'
    if not body:
        return '<p class="note">None.</p>'
    return f"{note}<table><tr>{head}</tr>{''.join(body[-MAX_ROWS:])}</table>"


def max_drawdown(values: np.ndarray) -> float:
    """Largest fall from a running peak, as a fraction of that peak (0 when the series only rises)."""
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return 0.0
    peak = np.maximum.accumulate(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, (peak - v) / peak, 0.0)
    return float(dd.max())


def _series(db: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if db is None:
        return out
    names = [r[0] for r in db.execute("SELECT DISTINCT series FROM history")]
    for s in names:
        rows = db.execute("SELECT t, a, b FROM history WHERE series = ? ORDER BY seq", (s,)).fetchall()
        out[s] = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return out


def summary(ex: Any, series: dict[str, np.ndarray], views: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per currency: deposits, balances, return, max drawdown, fees, funding, realised PnL, fills, win rate."""
    out: dict[str, dict[str, Any]] = {}
    for cur, w in views["wallets"].items():
        rows = [r for r in ex.ledger if r.currency == cur]
        if not rows and w["wallet_balance_minor"] == 0:
            continue
        by_kind: dict[str, int] = {}
        for r in rows:
            by_kind[r.kind] = by_kind.get(r.kind, 0) + r.amount_minor
        deposits = by_kind.get("deposit", 0)
        closing = [f for f in ex.fills if f.currency == cur and f.realised_pnl_minor != 0]
        wins = sum(1 for f in closing if f.realised_pnl_minor > 0)
        eq = series.get(f"equity:{cur}")
        mb = np.append(eq[:, 1] * MINOR_PER_MAJOR[cur], w["margin_balance_minor"]) if eq is not None and len(eq) \
            else np.array([deposits, w["margin_balance_minor"]], dtype=np.float64)
        out[cur] = {
            "deposits_minor": deposits, "wallet_balance_minor": w["wallet_balance_minor"],
            "margin_balance_minor": w["margin_balance_minor"],
            "return_pct": round((w["margin_balance_minor"] - deposits) / deposits * 100, 4) if deposits else None,
            "max_drawdown_pct": round(max_drawdown(mb) * 100, 4),
            "fees_minor": by_kind.get("fee", 0), "funding_minor": by_kind.get("funding", 0),
            "realised_pnl_minor": by_kind.get("realised_pnl", 0) + by_kind.get("liquidation", 0)
            + by_kind.get("settlement", 0),
            "fills": sum(1 for f in ex.fills if f.currency == cur),
            "liquidations": sum(1 for r in ex.liquidations if r.currency == cur),
            "win_rate_pct": round(wins / len(closing) * 100, 2) if closing else None,
            "closing_fills": len(closing),
        }
    return out


def write_ledger_csv(path: Path, ledger: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["time", "time_ms", "kind", "currency", "amount_minor", "symbol", "ref", "text"])
        for r in ledger:
            w.writerow([r["time"], r["time_ms"], r["kind"], r["currency"], r["amount_minor"], r["symbol"] or "",
                        "" if r["ref"] is None else r["ref"], r["text"]])


def ledger_csv_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name((out.stem if out.suffix.lower() in (".html", ".htm") else out.name) + ".ledger.csv")


def write_report(data_dir: Path, out: Path, name: str | None = None) -> None:
    name, ex, db = read_account(data_dir, name)
    try:
        series = _series(db)
        undone = read_undone(db)
    finally:
        if db is not None:
            db.close()
    views = account_views(ex)
    stats = summary(ex, series, views)
    def money(cur: str, v: float) -> str:
        return format_money(cur, int(v), 8 if cur == "XBT" else 2)

    cards = []
    for cur, s in stats.items():
        ret = "–" if s["return_pct"] is None else f'{s["return_pct"]:+.2f} %'
        win = "–" if s["win_rate_pct"] is None else f'{s["win_rate_pct"]:.1f} %'
        cards.append(
            f'<div class="card"><b>{cur}</b><br>Deposits {money(cur, s["deposits_minor"])}<br>'
            f'Wallet {money(cur, s["wallet_balance_minor"])}<br>Margin balance {money(cur, s["margin_balance_minor"])}'
            f'<br>Return <span class="{"pos" if (s["return_pct"] or 0) >= 0 else "neg"}">{ret}</span><br>'
            f'Max drawdown {s["max_drawdown_pct"]:.2f} %<br>Win rate {win} of {s["closing_fills"]} closing fills<br>'
            f'Fees {money(cur, s["fees_minor"])}<br>Funding {money(cur, s["funding_minor"])}<br>'
            f'Realised PnL {money(cur, s["realised_pnl_minor"])}<br>Liquidations {s["liquidations"]}</div>')
    equity = [svg_chart(f"Equity {cur}", [("margin balance", a[:, 0], a[:, 1]), ("wallet balance", a[:, 0], a[:, 2])],
                        f" {cur}") for s, a in sorted(series.items()) if s.startswith("equity:")
              for cur in [s.split(":", 1)[1]]]
    liq = [svg_chart(f"{sym}: liquidation price vs mark", [("mark", a[:, 0], a[:, 2]), ("liquidation", a[:, 0], a[:, 1])])
           for s, a in sorted(series.items()) if s.startswith("liq:") for sym in [s.split(":", 1)[1]]]
    def px(symbol: str, price: float | None) -> str:
        return ex.catalog[symbol].format_price(price)

    fills = _table(["time", "fill", "order", "symbol", "side", "qty", "price", "intended", "slippage bps", "levels",
                    "liquidity", "fee", "realised PnL"],
                   ([iso(f.time), f.fill_id, f.order_id, f.symbol, f.side, f.qty, f.price,
                     "" if f.intended_price is None else f.intended_price,
                     "" if f.slippage_bps is None else f"{f.slippage_bps:+.2f}", "" if f.levels is None else f.levels,
                     f.liquidity, money(f.currency, -f.fee_minor), money(f.currency, f.realised_pnl_minor)]
                    for f in ex.fills[-MAX_ROWS:]), {5, 6, 7, 8, 9, 11, 12}, len(ex.fills))
    liqs = _table(["time", "symbol", "side", "qty", "entry", "leverage", "mode", "mark", "liq. price", "loss"],
                  ([iso(r.time), r.symbol, r.side, r.qty, px(r.symbol, r.entry_price), r.leverage, r.margin_mode,
                    px(r.symbol, r.mark_price), px(r.symbol, r.liquidation_price), money(r.currency, r.loss_minor)]
                   for r in ex.liquidations[-MAX_ROWS:]), {3, 4, 5, 7, 8, 9}, len(ex.liquidations))
    fund = _table(["time", "symbol", "rate %", "mark", "qty", "amount"],
                  ([iso(r.time), r.symbol, f"{r.rate * 100:.4f}", px(r.symbol, r.mark_price), r.qty,
                    money(r.currency, r.amount_minor)]
                   for r in ex.funding[-MAX_ROWS:]), {2, 3, 4, 5}, len(ex.funding))
    ledger = _table(["time", "kind", "currency", "amount", "symbol", "ref", "text"],
                    ([r["time"], r["kind"], r["currency"], money(r["currency"], r["amount_minor"]), r["symbol"],
                      r["ref"], r["text"]] for r in views["ledger"][-MAX_ROWS:]), {3}, len(views["ledger"]))
    csv_path = ledger_csv_path(out)
    try:
        journal = journal_section(ex, series, out)
    except OSError as exc:
        raise output_error(exc, journal_csv_path(out), "write the journal") from None
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Leverage Terminal report: {_esc(name)}</title>
<style>{CSS}</style></head><body>
<h1>Leverage Terminal — account “{_esc(name)}”</h1>
<p class="note">Simulated time {_esc(views["time"])}. Practice account; all figures from the local simulation.</p>
<section id="summary"><h2>Summary</h2><div class="cards">{''.join(cards) or '<p class="note">Empty account.</p>'}</div>
</section>
{price_section(ex, series)}
<section id="equity"><h2>Equity</h2>{''.join(equity) or '<p class="note">No equity history yet.</p>'}</section>
<section id="liquidation"><h2>Liquidation price vs mark</h2>{''.join(liq) or '<p class="note">No positions yet.</p>'}
</section>
<section id="fills"><h2>Fills</h2>{fills}</section>
<section id="liquidations"><h2>Liquidations</h2>{liqs}</section>
<section id="funding"><h2>Funding</h2>{fund}</section>
{journal}
{undone_section(undone)}
<section id="ledger"><h2>Ledger</h2><p class="note">Every row: <a href="{_esc(csv_path.name)}">{_esc(csv_path.name)}</a>
</p>{ledger}</section>
</body></html>
"""
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(doc, encoding="utf-8")
        write_ledger_csv(csv_path, views["ledger"])
    except OSError as exc:
        raise output_error(exc, Path(out), "write the report") from None
