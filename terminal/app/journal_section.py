"""The trade journal's section of the session report, and its CSV beside the report (``FILE.journal.csv``).

Rebuilt from the stored account: fills and funding as recorded, MFE / MAE and the closest approach to liquidation
from the stored 1-second mark and liquidation samples. The store keeps no cancelled orders, so the stop at entry
and the R-multiple are blank here (the live Journal dock has them).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from terminal.lessons.journal import CSV_COLUMNS, csv_rows, journal_from_records, write_journal_csv
from terminal.session.runner import iso

MAX_ROWS = 2000


def journal_rows(ex: Any, series: dict[str, np.ndarray]) -> list[dict[str, object]]:
    """Round trips of a stored account (``series`` as the report reads them: ``liq:SYMBOL`` → t, liq, mark)."""
    marks = {name.split(":", 1)[1]: [tuple(map(float, r)) for r in a]
             for name, a in series.items() if name.startswith("liq:")}
    leverage = {sym: (pos.leverage, pos.cross) for sym, pos in ex.positions.items()}
    for sym, s in ex.settings.items():
        leverage.setdefault(sym, (s.leverage, s.cross))
    builder = journal_from_records(ex.catalog, ex.fills, ex.funding, marks, leverage)  # type: ignore[arg-type]
    liquidated = {(r.symbol, r.time): r for r in ex.liquidations}
    for trip in builder.trips:  # a liquidation record keeps the leverage the position had
        rec = liquidated.get((trip.symbol, trip.closed_ms))
        if rec is not None:
            trip.leverage, trip.margin_mode = rec.leverage, rec.margin_mode
    return builder.rows()


def journal_csv_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name((out.stem if out.suffix.lower() in (".html", ".htm") else out.name) + ".journal.csv")


def journal_section(ex: Any, series: dict[str, np.ndarray], out: Path) -> str:
    """The ``journal`` section's HTML; writes the journal CSV next to ``out``."""
    rows = journal_rows(ex, series)
    csv_path = journal_csv_path(out)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    write_journal_csv(csv_path, rows, iso)
    if not rows:
        return '<section id="journal"><h2>Journal</h2><p class="note">No round trips yet.</p></section>'
    cells = csv_rows(rows[-MAX_ROWS:], iso)
    numeric = {0, 5, 6, 7, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in CSV_COLUMNS)
    num = ' class="n"'
    body = "".join("<tr>" + "".join(f"<td{num if i in numeric else ''}>{html.escape(str(v))}</td>"
                                    for i, v in enumerate(r)) + "</tr>" for r in cells)
    return (f'<section id="journal"><h2>Journal</h2><p class="note">One row per round trip; fees, funding and slippage '
            f'apart from the decision\'s PnL. Every row: <a href="{html.escape(csv_path.name)}">'
            f'{html.escape(csv_path.name)}</a></p><table><tr>{head}</tr>{body}</table></section>')
