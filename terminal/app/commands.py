"""The headless commands' work: play a script file, alone or into the stored account."""
from __future__ import annotations

import json
from pathlib import Path

from terminal.app.stored_account import play_into_store
from terminal.session.runner import clean_json, run_script
from terminal.session.script import load_script


def run_script_file(path: Path, data_dir: Path | None = None) -> str:
    """Load, play and serialise; with ``data_dir`` the session is played into the stored account."""
    script = load_script(path)
    if data_dir is not None:
        report = play_into_store(script, Path(path).parent, Path(data_dir))
    else:
        report = run_script(script, base_dir=Path(path).parent)
    return json.dumps(clean_json(report), indent=1, allow_nan=False)

