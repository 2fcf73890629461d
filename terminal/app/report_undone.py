"""The report's "Undone by rewinds" section: what a rewind took back on the practice account, from the account file
(:mod:`terminal.store.undone`). A rewind changes the account's present; the report still shows its past."""
from __future__ import annotations

import html
from typing import Any

from terminal.domain.money import format_money
from terminal.session.runner import iso


def _esc(v: object) -> str:
    return html.escape("" if v is None else str(v))


def _money(cur: object, minor: object) -> str:
    if not isinstance(cur, str) or not isinstance(minor, int):
        return ""
    return format_money(cur, minor, 8 if cur == "XBT" else 2)


def _fill_row(f: dict[str, Any]) -> str:
    cells = [iso(int(f.get("time") or 0)), f.get("symbol"), f.get("side"), f.get("qty"), f.get("price"),
             f.get("liquidity"), _money(f.get("currency"), -int(f.get("fee_minor") or 0)),
             _money(f.get("currency"), f.get("realised_pnl_minor"))]
    return "<tr>" + "".join(f'<td{" class=n" if i >= 3 else ""}>{_esc(c)}</td>' for i, c in enumerate(cells)) + "</tr>"


def undone_section(records: list[dict[str, Any]]) -> str:
    """HTML for the stretches rewinds undid (empty string when there were none)."""
    if not records:
        return ""
    parts = ['<section id="undone"><h2>Undone by rewinds</h2><p class="note">A rewind took the account back to an '
             "earlier moment; what had happened after it is no longer in the account's figures above, but it "
             "happened in this practice and is kept here.</p>"]
    for r in records:
        fills = [f for f in r.get("fills") or [] if isinstance(f, dict)]
        liqs = r.get("liquidations") or []
        head = (f"{_esc(iso(r['from_ms']))} → {_esc(iso(r['to_ms']))}: {len(r.get('actions') or [])} action(s), "
                f"{len(fills)} fill(s), {len(liqs)} liquidation(s), {len(r.get('funding') or [])} funding payment(s)")
        rows = "".join(_fill_row(f) for f in fills)
        table = ("<table><tr><th>time</th><th>symbol</th><th>side</th><th>qty</th><th>price</th><th>liquidity</th>"
                 f"<th>fee</th><th>realised PnL</th></tr>{rows}</table>") if fills else ""
        parts.append(f"<h3>{head}</h3>{table}")
    parts.append("</section>")
    return "".join(parts)
