"""A stretch a rewind undid, as plain JSON for the account file (see :mod:`terminal.store.undone`)."""
from __future__ import annotations

import json
from typing import Any

from terminal.lessons.timeline import Stretch

JOURNAL_KINDS = ("fills", "liquidations", "funding", "ledger")


def action_json(a: Any) -> dict[str, Any]:
    """A trader action (:class:`terminal.lessons.timeline.Action`) as plain JSON."""
    def plain(v: Any) -> Any:
        if hasattr(v, "model_dump"):
            return v.model_dump(mode="json")
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    out: dict[str, Any] = json.loads(json.dumps({"t_ms": a.t_ms, "positions": a.positions, "name": a.name,
                                                 "args": plain(a.args), "kwargs": plain(a.kwargs)}, default=str))
    return out


def _row(r: Any) -> Any:
    return r.to_dict() if hasattr(r, "to_dict") else r


def stretch_record(s: Stretch, journal_rows: list[dict[str, object]]) -> dict[str, Any]:
    """``s`` with the journal's round trips it undid, as one JSON-able record."""
    rec: dict[str, Any] = {"from_ms": int(s.from_ms), "to_ms": int(s.to_ms),
                           "actions": [action_json(a) for a in s.actions], "journal": journal_rows}
    for kind in JOURNAL_KINDS:
        rec[kind] = [_row(r) for r in s.journals.get(kind, [])]
    result: dict[str, Any] = json.loads(json.dumps(rec, default=str))
    return result


def stretch_from_record(rec: dict[str, Any]) -> Stretch:
    """A stored record as a :class:`Stretch` (journals as plain dicts: enough to count and show them)."""
    return Stretch(int(rec["from_ms"]), int(rec["to_ms"]), [],
                   {k: list(rec.get(k) or []) for k in JOURNAL_KINDS})
