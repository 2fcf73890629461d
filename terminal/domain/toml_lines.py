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


def locate_key_line(text: str, table: str | None, key: object) -> int | None:
    """Line (1-based) of ``key`` in ``[table]`` (the top level when None); the table's header line if the key is
    absent, or the line of an inline table ``table = {...}``."""
    current: str | None = None
    header_line = None
    for i, raw in enumerate(text.splitlines()):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("["):
            current = s.strip("[] ")
            if current == table:
                header_line = i + 1
            continue
        if current == table and isinstance(key, str) and s.split("=", 1)[0].strip().strip('"') == key:
            return i + 1
        if table and current is None and s.split("=", 1)[0].strip() == table:  # inline table: feed = {...}
            return i + 1
    return header_line


MAX_NESTING = 100  # where a nesting error is reported (tomllib itself gives up when the stack runs out)


def _too_deep_line(text: str) -> int | None:
    """1-based line where ``[`` / ``{`` nesting inside a value first passes :data:`MAX_NESTING` (strings and
    comments skipped; table headers never nest), or None."""
    depth = 0
    line = 1
    quote = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            if quote in ('"', "'"):
                quote = ""  # a basic or literal string never spans lines
        elif quote:
            if ch == "\\" and quote in ('"', '"""'):
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def parse_toml(text: str, path: str) -> dict[str, object]:
    """``tomllib.loads`` whose every failure is one :class:`InputError` with the file and line: syntax errors,
    nesting deep enough to exhaust the interpreter's stack, and text too large to hold."""
    from terminal.domain.errors import InputError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {str(exc).split(' (at')[0]}", path=path,
                         line=toml_error_line(exc, text)) from None
    except RecursionError:
        raise InputError(f"not valid TOML: values nested more than {MAX_NESTING} levels deep", path=path,
                         line=_too_deep_line(text) or 1) from None
    except MemoryError:
        raise InputError("not valid TOML: too large to read", path=path, line=1) from None
