"""The window's guard on the files it writes (report, journal, lesson pack, session file, table CSV): never over an
account, the log, or a database — the command line's ``check_out_path``, with the data folders this window has
used (the default one and every folder an account was opened from)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from terminal.app.out_paths import check_out_path, default_data_dir

_data_dirs: list[Path] = []


def remember_data_dir(folder: Path) -> None:
    """An account was opened from ``folder``: files the window writes stay out of its accounts and logs."""
    folder = Path(folder)
    if folder not in _data_dirs:
        _data_dirs.append(folder)


def guard_out(out: Path, inputs: Sequence[Path] = (), companions: Sequence[Path] = ()) -> Path:
    """``out`` if the window may write it (and the ``companions`` written beside it); else a TerminalError that
    says why in words."""
    dirs = [default_data_dir(), *_data_dirs]
    for path in (out, *companions):
        check_out_path(Path(path), dirs, inputs, label="the chosen file")
    return Path(out)
