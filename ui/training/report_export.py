"""Export the session to a self-contained HTML report (and its ledger as CSV) with ``terminal.app.report.write_report``.

A stored account is saved first and reported from its folder; an unsaved (in-memory) session is written to a
throw-away account folder first, so both give the same report.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from terminal.app.report import ledger_csv_path, write_report


def export_report(win: Any, out: Path) -> Path:
    """Write the report of the window's session to ``out`` (HTML) and ``FILE.ledger.csv``; returns ``out``."""
    out = Path(out)
    bridge = win.bridge
    store = win.store
    if store is not None:
        bridge.publish()  # records the latest state
        store.record(bridge.session, [])
        write_report(Path(store.data_dir), out, store.name)
        return out
    from terminal.store.account_store import AccountStore

    with tempfile.TemporaryDirectory(prefix="lt-report-") as tmp:
        temp = AccountStore.open(Path(tmp), "session")
        try:
            temp.record(bridge.session, [])  # a session made elsewhere: written in full
        finally:
            temp.close()
        write_report(Path(tmp), out, "session")
    return out


def csv_path(out: Path) -> Path:
    return ledger_csv_path(Path(out))
