"""The classroom's debrief board: one self-contained HTML page from the room's session files.

It ranks behaviour before return — checks passed, liquidations, max drawdown, leverage used, stop discipline,
then PnL — because a raw-PnL leaderboard teaches gambling. Sections carry stable ids: ``lesson``, ``ranking``,
``checks``, ``equity``, ``debriefs``, ``integrity``, ``method``. No scripts, no network.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from terminal.app.out_errors import output_error
from terminal.app.report import CSS, svg_chart
from terminal.domain.money import format_money
from terminal.lessons.classroom import SessionEntry, distinct_files, rank_sessions

BOARD_CSS = CSS + """
td.ok{color:#1a8a4a;text-align:center}td.ko{color:#c0392b;text-align:center}tr.edited td{background:#fdecea}
.rank{font-weight:bold}
"""


def _e(v: object) -> str:
    return html.escape("" if v is None else str(v))


def _pct(v: object) -> str:
    return "–" if not isinstance(v, (int, float)) else f"{v:.2f} %"


def _ranking(entries: list[SessionEntry]) -> str:
    head = ("#", "trainee", "checks passed", "liquidations", "max drawdown", "leverage used", "stop rested",
            "worst risk at stop", "return", "PnL", "file")
    rows = []
    for i, e in enumerate(entries, 1):
        b = e.behaviour
        pnl = b.get("pnl_minor")
        money = format_money(b.get("currency", "XBT"), int(pnl), 8 if b.get("currency") == "XBT" else 2) \
            if isinstance(pnl, int) else "–"
        lev = b.get("max_leverage")
        cells = [f'<td class="rank">{i}</td>', f"<td>{_e(e.trainee)}</td>",
                 f'<td class="n">{b.get("checks_passed", 0)} / {b.get("checks_total", 0)}</td>',
                 f'<td class="n">{_e(b.get("liquidations", 0))}</td>', f'<td class="n">{_pct(b.get("max_drawdown_pct"))}</td>',
                 f'<td class="n">{"–" if not lev else f"{lev:g}x"}</td>',
                 f'<td class="n">{_pct(b.get("stop_coverage_pct"))}</td>',
                 f'<td class="n">{_pct(b.get("worst_risk_pct"))}</td>', f'<td class="n">{_pct(b.get("return_pct"))}</td>',
                 f'<td class="n">{_e(money)}</td>',
                 f"<td>{'intact' if e.intact else 'EDITED — checksum does not match'}</td>"]
        cls = "" if e.intact else ' class="edited"'
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return "<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>"


def _checks(entries: list[SessionEntry]) -> str:
    ids: list[tuple[str, str]] = []
    for e in entries:
        for c in e.verdict.get("checks", []):
            key = (str(c.get("id")), str(c.get("label", c.get("id"))))
            if key not in ids:
                ids.append(key)
    head = "<th>trainee</th>" + "".join(f'<th title="{_e(label)}">{_e(label)}</th>' for _, label in ids)
    rows = []
    for e in entries:
        by_id = {str(c.get("id")): c for c in e.verdict.get("checks", [])}
        cells = []
        for cid, _ in ids:
            c = by_id.get(cid)
            if c is None:
                cells.append("<td>–</td>")
            else:
                ok = bool(c.get("passed"))
                cells.append(f'<td class="{"ok" if ok else "ko"}" title="{_e(c.get("detail"))}">{"✔" if ok else "✘"} '
                             f'<span class="note">{_e(c.get("detail"))}</span></td>')
        rows.append(f"<tr><td>{_e(e.trainee)}</td>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _equity(entries: list[SessionEntry]) -> str:
    lines = []
    for e in entries[:12]:
        pts = np.array(e.equity, dtype=np.float64).reshape(-1, 2)
        if len(pts) < 2 or pts[0, 1] == 0:
            continue
        lines.append((e.trainee, pts[:, 0], (pts[:, 1] / pts[0, 1] - 1) * 100))
    if not lines:
        return '<p class="note">No equity recorded.</p>'
    return svg_chart("Margin balance, % change since the start", lines, " %", height=300)


def _debriefs(entries: list[SessionEntry]) -> str:
    parts = []
    for e in entries:
        text = e.verdict.get("debrief", {}).get("text", "")
        parts.append(f"<h3>{_e(e.trainee)}</h3><p>{_e(text)}</p>")
    return "".join(parts)


def write_board(paths: list[Path], out: Path) -> dict[str, Any]:
    """Merge the session files at ``paths`` into the HTML board ``out``; returns a JSON summary."""
    kept, repeats = distinct_files(paths)  # each file read once for this, once to rank it
    entries = rank_sessions(kept)
    lessons = sorted({(e.lesson_id, e.lesson_title) for e in entries})
    edited = [e for e in entries if not e.intact]
    lesson_note = "" if len(lessons) <= 1 else \
        '<p class="note">These files come from different lessons; compare them with care.</p>'
    repeat_note = "" if not repeats else \
        f" {len(repeats)} file(s) given twice counted once: {_e(', '.join(str(p) for p in repeats))}."
    idea = next((e.verdict.get("debrief", {}).get("idea", "") for e in entries), "")
    integrity = ("<p>Every file's checksum matches.</p>" if not edited else
                 "<ul>" + "".join(f"<li>{_e(e.trainee)} — {_e(e.path)}: the checksum does not match (edited after "
                                  "export); ranked last.</li>" for e in edited) + "</ul>")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Debrief board: {_e(', '.join(t for _, t in lessons))}</title>
<style>{BOARD_CSS}</style></head><body>
<h1>Debrief board — {_e(', '.join(t for _, t in lessons))}</h1>
<section id="lesson"><h2>Lesson</h2><p>{_e(idea)}</p>{lesson_note}<p class="note">{len(entries)} sessions.{repeat_note}</p></section>
<section id="ranking"><h2>Ranking: behaviour before return</h2>{_ranking(entries)}</section>
<section id="checks"><h2>Checks</h2>{_checks(entries)}</section>
<section id="equity"><h2>Equity</h2>{_equity(entries)}</section>
<section id="debriefs"><h2>Debriefs</h2>{_debriefs(entries)}</section>
<section id="integrity"><h2>Integrity</h2>{integrity}</section>
<section id="method"><h2>How the board ranks</h2><p>First the checks passed (share of the lesson's checks), then fewer
liquidations, a smaller maximum drawdown, lower leverage used and more time with a stop-loss resting; return decides
only between otherwise equal sessions. A raw-PnL leaderboard rewards the luckiest gamble; this one rewards the
habits the lesson teaches.</p></section>
</body></html>
"""
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(doc, encoding="utf-8")
    except OSError as exc:
        raise output_error(exc, Path(out), "write the board") from None
    return {"board": str(out), "sessions": len(entries), "lessons": [i for i, _ in lessons],
            "edited": [e.path for e in edited], "repeats": [str(p) for p in repeats],
            "ranking": [{"trainee": e.trainee, "file": e.path, **e.behaviour, "intact": e.intact} for e in entries]}
