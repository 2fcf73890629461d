"""The session report (HTML, and its ledger as CSV) of what the bridge shows, via ``terminal.app.report``.

A stored account is saved first and reported from its folder; an unsaved (in-memory) session is written in full
to a throw-away account folder first, so both give the same report.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from terminal.app.journal_section import journal_csv_path
from terminal.app.report import ledger_csv_path, write_report
from terminal.store.account_store import AccountStore
from ui.services.bridge import SessionBridge
from ui.services.out_guard import guard_out


def export_report(bridge: SessionBridge, out: Path) -> Path:
    """Write the report of the bridge's session to ``out`` (HTML) and ``FILE.ledger.csv``; returns ``out``."""
    out = guard_out(Path(out), companions=(ledger_csv_path(Path(out)), journal_csv_path(Path(out))))
    store = bridge.store
    if store is not None:
        bridge.publish()  # records the latest state
        bridge.save()
        write_report(Path(store.data_dir), out, store.name)
        return out
    with tempfile.TemporaryDirectory(prefix="lt-report-") as tmp:
        temp = AccountStore.open(Path(tmp), "session")
        try:
            bridge.save(into=temp)  # a session made elsewhere: written in full
        finally:
            temp.close()
        write_report(Path(tmp), out, "session")
    return out


def csv_path(out: Path) -> Path:
    return ledger_csv_path(Path(out))
