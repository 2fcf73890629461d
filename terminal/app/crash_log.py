"""Native crashes (a segfault in Qt, an abort in a C library) written to a file in the data folder.

Python's ``faulthandler`` writes the traceback of every thread to ``DATA_DIR/logs/crash.log`` when the process dies
of a fatal signal — something no ``except`` can catch. The file stays empty in a session that ends normally and is
removed at exit; so a non-empty ``crash.log`` at the next launch means the last session crashed. The launch keeps it
as ``crash-<time>.log`` and says so (the window offers to open it).
"""
from __future__ import annotations

import faulthandler
import os
import time
from pathlib import Path
from typing import IO

LOG_DIR = "logs"
CURRENT = "crash.log"

_armed: tuple[IO[str], Path] | None = None


def crash_log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR / CURRENT


def take_previous_crash(data_dir: Path) -> Path | None:
    """The log of the previous session's native crash, kept under a dated name, or None if it ended cleanly."""
    path = crash_log_path(data_dir)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(path.stat().st_mtime))
        kept = path.with_name(f"crash-{stamp}.log")
        n = 1
        while kept.exists():
            n += 1
            kept = path.with_name(f"crash-{stamp}-{n}.log")
        path.rename(kept)
        return kept
    except OSError:
        return path if path.exists() else None  # a read-only folder: point at it where it is


def arm(data_dir: Path) -> Path | None:
    """Write native crashes of this process to ``crash.log`` from now on; None if the folder is not writable
    (then faulthandler is left as it was)."""
    global _armed
    disarm()
    path = crash_log_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # planted: never write through it
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        f = os.fdopen(fd, "w", encoding="utf-8")  # held open until disarm(): faulthandler writes to its fd
    except OSError:
        return None
    faulthandler.enable(file=f, all_threads=True)
    _armed = (f, path)
    return path


def disarm() -> None:
    """A clean end: stop writing crashes there and remove the (empty) file."""
    global _armed
    if _armed is None:
        return
    f, path = _armed
    _armed = None
    faulthandler.disable()
    try:
        f.close()
        if path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass


def crash_notice(kept: Path) -> str:
    return (f"Leverage Terminal closed unexpectedly last time (a crash inside Qt or another native library). "
            f"Your account is as it was last saved. What happened is written in {kept}; please send it with a "
            "note of what you were doing.")
