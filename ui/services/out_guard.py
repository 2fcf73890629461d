"""The window's guard on the files it writes (report, journal, lesson pack, session file, table CSV): never over an
account, the log, or a database — the command line's ``check_out_path``, with the data folders this window has
used (the default one and every folder an account was opened from)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from terminal.app.out_paths import check_out_path, default_data_dir
from terminal.domain.errors import TerminalError
from ui.services.sessions import offscreen

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


def write_or_say(parent: QWidget, title: str, write: Callable[[Path], object], path: Path) -> str:
    """``write(path)``: "" when written, else why not in a trader's words — also in a message box on a real screen,
    never a traceback (a refused path, a full or read-only disk)."""
    try:
        write(path)
    except (TerminalError, OSError) as exc:
        why = str(exc) if isinstance(exc, TerminalError) else f"cannot write {path}: {exc.strerror or exc}"
        if not offscreen():
            QMessageBox.warning(parent, title, why)
        return why
    return ""
