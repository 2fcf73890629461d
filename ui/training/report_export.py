"""Export the session to a self-contained HTML report (and its ledger as CSV): the Training menu's entry to
:func:`ui.services.reports.export_report`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.services.reports import csv_path
from ui.services.reports import export_report as _export

__all__ = ["csv_path", "export_report"]


def export_report(win: Any, out: Path) -> Path:
    """Write the report of the window's session to ``out`` (HTML) and ``FILE.ledger.csv``; returns ``out``."""
    return _export(win.bridge, Path(out))
