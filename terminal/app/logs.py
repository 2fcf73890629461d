"""Where the application's log goes: a rotating file in the data folder, and stderr with ``--verbose``.

Modules log through ``logging.getLogger(__name__)``; the handlers sit on the two package loggers,
``terminal`` and ``ui``, so other libraries' records stay out. Only events are logged (launch, an account
opened or closed, a store error, a rejected order) — never anything per price tick.

The file is ``DATA_DIR/logs/terminal.log``, rotated at 1 MB with three old files kept; its folder is
made on the first record, so a command that logs nothing leaves the data folder as it was.
"""
from __future__ import annotations

import io
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

LOG_DIR = "logs"
LOG_FILE = "terminal.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
PACKAGES = ("terminal", "ui")
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"


class _FolderMakingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler that opens its file, and makes its folder, only when it first writes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)

    def _open(self) -> io.TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


#: the handlers :func:`configure_logging` installed, which a second set-up replaces
_installed: list[logging.Handler] = []


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR / LOG_FILE


def configure_logging(data_dir: Path | None, *, verbose: bool = False, stderr: TextIO | None = None) -> Path | None:
    """Send the ``terminal`` and ``ui`` loggers to ``data_dir``'s log file (INFO and up; DEBUG with
    ``verbose``) and, with ``verbose``, to ``stderr`` at DEBUG too. Calling it again replaces the
    previous set-up. Returns the log file's path, or None without a data folder."""
    shutdown_logging()
    level = logging.DEBUG if verbose else logging.INFO
    handlers: list[logging.Handler] = []
    path = None
    if data_dir is not None:
        path = log_path(data_dir)
        file_handler = _FolderMakingFileHandler(path)
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        handlers.append(file_handler)
    if verbose:
        stream = logging.StreamHandler(stderr if stderr is not None else sys.stderr)
        stream.setFormatter(logging.Formatter(STDERR_FORMAT))
        handlers.append(stream)
    for handler in handlers:
        handler.setLevel(level)
    for name in PACKAGES:
        logger = logging.getLogger(name)
        logger.setLevel(level if handlers else logging.NOTSET)
        for handler in handlers:
            logger.addHandler(handler)
    _installed.extend(handlers)
    return path


def shutdown_logging() -> None:
    """Remove and close the handlers :func:`configure_logging` installed (the log file is released)."""
    for name in PACKAGES:
        logger = logging.getLogger(name)
        for handler in _installed:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    for handler in _installed:
        handler.close()
    _installed.clear()
