"""The session report's price chart, per traded symbol: the mark price with every entry (▲ buy / ▼ sell), exit (○)
and liquidation (✖) marked where and when it happened — the story of the session in one picture a room can read.

The line is the mark recorded with the liquidation history (while a position was open), joined to the fills'
prices, so a session whose positions were short-lived still draws its trades in order. Inline SVG, no scripts.
"""
from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from terminal.session.runner import iso

WIDTH, HEIGHT = 1000, 300
PAD_L, PAD_R, PAD_T, PAD_B = 90, 14, 34, 30
MAX_POINTS = 1500
BUY, SELL, EXIT, LIQ, LINE = "#1a8a4a", "#c0392b", "#2f3a4a", "#ff8c1a", "#7d57c1"


def _esc(v: object) -> str:
    return html.escape("" if v is None else str(v))


def price_chart(symbol: str, inst: Any, mark: np.ndarray | None, fills: list[Any], liquidations: list[Any]) -> str:
    """One symbol's SVG: ``mark`` rows (t ms, mark), the symbol's fills and liquidation records."""
    pts_t: list[float] = []
    pts_p: list[float] = []
    if mark is not None and len(mark):
        ok = np.isfinite(mark[:, 1])
        pts_t += list(mark[ok, 0])
        pts_p += list(mark[ok, 1])
    pts_t += [float(f.time) for f in fills] + [float(r.time) for r in liquidations]
    pts_p += [float(f.price) for f in fills] + [float(r.mark_price) for r in liquidations]
    if not pts_t:
        return ""
    order = np.argsort(np.asarray(pts_t), kind="stable")
    t, p = np.asarray(pts_t)[order], np.asarray(pts_p)[order]
    x0, x1 = float(t.min()), float(t.max())
    y0, y1 = float(p.min()), float(p.max())  # every mark, fill and liquidation in range (before thinning)
    if len(t) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(t) - 1, MAX_POINTS).astype(int))
        t, p = t[keep], p[keep]
    if y1 <= y0:
        y0, y1 = y0 * 0.995, y1 * 1.005
    pad = (y1 - y0) * 0.08
    y0, y1 = y0 - pad, y1 + pad
    if x1 <= x0:
        x1 = x0 + 1

    def sx(x: float) -> float:
        return PAD_L + (x - x0) / (x1 - x0) * (WIDTH - PAD_L - PAD_R)

    def sy(y: float) -> float:
        return PAD_T + (y1 - y) / (y1 - y0) * (HEIGHT - PAD_T - PAD_B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{_esc(symbol)} price with entries, exits and liquidations">',
           f'<text x="{PAD_L}" y="16" font-size="14" font-weight="bold">{_esc(symbol)} price — entries, exits, '
           'liquidations</text>',
           f'<text x="{WIDTH - PAD_R}" y="16" font-size="12" text-anchor="end">'
           f'<tspan fill="{BUY}">▲ buy</tspan>&#160;&#160; <tspan fill="{SELL}">▼ sell</tspan>&#160;&#160; '
           f'<tspan fill="{EXIT}">○ exit</tspan>&#160;&#160; <tspan fill="{LIQ}">✖ liquidation</tspan></text>']
    for frac in (0.0, 0.5, 1.0):
        y = y0 + (y1 - y0) * frac
        out.append(f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#e5e7eb"/>'
                   f'<text x="{PAD_L - 6}" y="{sy(y) + 4:.1f}" font-size="12" text-anchor="end">'
                   f'{_esc(inst.format_price(y))}</text>')
    out.append(f'<text x="{PAD_L}" y="{HEIGHT - 8}" font-size="12">{iso(int(x0))}</text>'
               f'<text x="{WIDTH - PAD_R}" y="{HEIGHT - 8}" font-size="12" text-anchor="end">{iso(int(x1))}</text>')
    line = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(t, p, strict=True) if math.isfinite(b))
    out.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{line}"/>')
    for f in fills:
        cx, cy = sx(float(f.time)), sy(float(f.price))
        label = f"{f.side} {f.qty:,} @ {inst.format_price(f.price)} ({iso(int(f.time))})"
        if f.liquidity == "liquidation":
            continue  # drawn as the liquidation below
        if f.realised_pnl_minor:  # a closing fill: an exit
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="white" stroke="{EXIT}" stroke-width="2.5">'
                       f'<title>exit: {_esc(label)}</title></circle>')
            continue
        colour, d = (BUY, -1) if f.side == "buy" else (SELL, 1)
        tri = f"{cx - 7:.1f},{cy - 7 * d:.1f} {cx + 7:.1f},{cy - 7 * d:.1f} {cx:.1f},{cy + 7 * d:.1f}"
        out.append(f'<polygon points="{tri}" fill="{colour}" stroke="white" stroke-width="1">'
                   f'<title>entry: {_esc(label)}</title></polygon>')
    for r in liquidations:
        cx, cy = sx(float(r.time)), sy(float(r.mark_price))
        out.append(f'<g stroke="{LIQ}" stroke-width="4"><line x1="{cx - 8:.1f}" y1="{cy - 8:.1f}" x2="{cx + 8:.1f}" '
                   f'y2="{cy + 8:.1f}"/><line x1="{cx - 8:.1f}" y1="{cy + 8:.1f}" x2="{cx + 8:.1f}" y2="{cy - 8:.1f}"/>'
                   f'<title>liquidated: {_esc(r.side)} {r.qty:,} at mark {_esc(inst.format_price(r.mark_price))} '
                   f'({iso(int(r.time))})</title></g>')
    out.append("</svg>")
    return "".join(out)


def price_section(ex: Any, series: dict[str, np.ndarray]) -> str:
    """The report's ``<section id="price">``: one chart per symbol that was traded."""
    symbols = sorted({f.symbol for f in ex.fills} | {r.symbol for r in ex.liquidations})
    charts = []
    for sym in symbols:
        liq = series.get(f"liq:{sym}")
        mark = liq[:, [0, 2]] if liq is not None and len(liq) else None
        charts.append(price_chart(sym, ex.catalog[sym], mark, [f for f in ex.fills if f.symbol == sym],
                                  [r for r in ex.liquidations if r.symbol == sym]))
    body = "".join(c for c in charts if c) or '<p class="note">No trades yet.</p>'
    return f'<section id="price"><h2>Price, entries and exits</h2>{body}</section>'
