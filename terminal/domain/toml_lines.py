"""Where in a TOML text an error is: the line of a syntax error, the line of a field inside a table."""
from __future__ import annotations

import re
import tomllib


def toml_error_line(exc: tomllib.TOMLDecodeError, text: str | None = None) -> int | None:
    """1-based line of a TOML syntax error (Python 3.11 only puts it in the message; an error "at end of
    document" is on the last line)."""
    line = getattr(exc, "lineno", None)
    if line:
        return int(line)
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if text is not None and "end of document" in str(exc):
        return max(1, len(text.splitlines()))
    return None


def locate_table_line(text: str, array_name: str, index: int, field: object) -> int | None:
    """Line (1-based) of ``field`` inside the ``index``-th ``[[array_name]]`` table of a TOML text."""
    header = f"[[{array_name}]]"
    count = -1
    start = None
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        s = raw.strip()
        if s.startswith("[[") or (s.startswith("[") and start is not None):
            if start is not None and s != header:
                break
            if s == header:
                count += 1
                if count == index:
                    start = i
                elif start is not None:
                    break
                continue
        if start is not None and isinstance(field, str):
            key = s.split("=", 1)[0].strip()
            if key == field:
                return i + 1
    return None if start is None else start + 1
