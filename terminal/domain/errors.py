"""Errors that carry a message a trader (or a script author) can act on."""
from __future__ import annotations


class TerminalError(Exception):
    """Base class of every error the terminal reports in words."""


class InputError(TerminalError):
    """A malformed file or argument: one clear message, optionally with a file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(where + message)
