"""Why a file the user asked for (a report, a board, a journal CSV) could not be written, in one sentence.

Not the account store's wording: the file is the user's output, not an account, and the fix is another --out.
"""
from __future__ import annotations

import errno
from pathlib import Path

from terminal.store.schema import StoreError

REASONS = {
    errno.EACCES: "the folder is not writable (permissions)",
    errno.EPERM: "the folder is not writable (permissions)",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is full",
    errno.ENOENT: "its folder does not exist or takes no files",
    errno.ENOTDIR: "a file stands where its folder should be",
    errno.EEXIST: "a file stands where its folder should be",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def output_error(exc: OSError, path: Path, doing: str) -> StoreError:
    """``exc`` raised while writing ``path`` as one line: "Could not write the report /x/r.html: its folder …"."""
    why = REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    kind = "full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "io"
    return StoreError(f"Could not {doing} {path}: {why}; choose another --out.", kind=kind, path=path)
