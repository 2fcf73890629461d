"""Where a command or the window may write a file it makes (a report, a board, a pack, a session file, a CSV).

Never over what the user has: nothing inside a data folder's ``accounts/`` or ``logs/`` folder, no SQLite database
wherever it is (a symlink or a hard link to one included), none of the command's own input files under any name.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from terminal.domain.errors import TerminalError


def default_data_dir() -> Path:
    """The data folder when none is given: ``$LEVERAGE_TERMINAL_HOME``, else the platform's user data folder."""
    env = os.environ.get("LEVERAGE_TERMINAL_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("leverage-terminal", appauthor=False))


def check_out_path(out: Path, data_dirs: Sequence[Path], inputs: Sequence[Path] = (), label: str = "--out") -> Path:
    """Refuse an --out that would destroy what the user has: anything in a data folder's accounts/ or logs/ folder,
    an SQLite database wherever it is (a symlink or a hard link to one included), or one of the command's own
    ``inputs`` (the script, a trainee's session file, the lesson pack) under any name. ``label`` names the path in
    the message ("--out" on the command line, "the chosen file" in the window)."""
    from terminal.app.logs import LOG_DIR
    from terminal.store.accounts import accounts_dir
    from terminal.store.schema import SQLITE_MAGIC

    target = Path(out).resolve()
    for d in data_dirs:
        for folder, what in ((accounts_dir(d), "an account"), (Path(d) / LOG_DIR, "the log")):
            folder = folder.resolve()
            if target == folder or folder in target.parents:
                kind = "accounts" if what == "an account" else "log"
                raise TerminalError(f"{label} {out} is inside the {kind} folder {folder}: refusing to write over "
                                    f"{what}; choose another file")
    if target.is_dir():
        raise TerminalError(f"{label} {out} is a folder: give a file name")
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = 0
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):  # writing would wait for a reader, forever
        raise TerminalError(f"{label} {out} is a pipe or a socket, not a file: give a file name")
    for src in inputs:
        try:
            same = target.exists() and os.path.samefile(target, src)
        except OSError:
            same = False
        if same:
            raise TerminalError(f"{label} {out} is the input file {src}: refusing to write over it; "
                                "choose another file")
    head = b""
    try:
        if target.is_file():  # (never open a FIFO or a device to look: that can wait forever)
            with open(target, "rb") as f:
                head = f.read(len(SQLITE_MAGIC))
    except OSError:
        pass
    if head == SQLITE_MAGIC:
        raise TerminalError(f"{label} {out} is a database (an account?): refusing to write over it; choose another file")
    return Path(out)
