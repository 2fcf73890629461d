"""Named practice accounts in a data folder: names, files, the active account, and the one-window lock.

Layout::

    DATA_DIR/active.txt                  the active account's name (default "practice")
    DATA_DIR/accounts/<name>.sqlite      one SQLite database per account (+ -wal / -shm while open)
    DATA_DIR/accounts/<name>.lock        flock()ed while a window has the account open

The lock is an advisory ``fcntl.flock`` on a separate file: the OS drops it when the process dies (even by
SIGKILL), so a crashed window never leaves the account stuck.
"""
from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path

from terminal.store.schema import StoreError, translate

DEFAULT_ACCOUNT = "practice"
NAME_RE = re.compile(r"^[^\W_][\w .-]{0,62}[\w-]$|^[^\W_]$")  # letters of any language, digits, " _.-"
# names Windows cannot give a file (an account must move between a trainer's and a trainee's machines)
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
SUFFIX = ".sqlite"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name) or ".." in name or ".corrupt-" in name:
        raise StoreError(f"{name!r} is not a valid account name: use 1-64 letters, digits, spaces, '.', '_' or '-', "
                         "starting with a letter or digit.", kind="name")
    if name.split(".")[0].strip().lower() in RESERVED:
        raise StoreError(f"{name!r} is not a valid account name: Windows reserves it for a device; choose another.",
                         kind="name")
    return name


def accounts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "accounts"


def db_path(data_dir: Path, name: str) -> Path:
    return accounts_dir(data_dir) / (check_name(name) + SUFFIX)


def lock_path(data_dir: Path, name: str) -> Path:
    return accounts_dir(data_dir) / (check_name(name) + ".lock")


def list_accounts(data_dir: Path) -> list[str]:
    """Names of the accounts stored in ``data_dir`` (sorted; quarantined copies are not accounts)."""
    d = accounts_dir(data_dir)
    if not d.is_dir():
        return []
    names = []
    for p in d.glob("*" + SUFFIX):
        name = p.name[: -len(SUFFIX)]
        if NAME_RE.match(name) and ".corrupt-" not in name:
            names.append(name)
    return sorted(names)


def active_account(data_dir: Path) -> str:
    """The account a window opens by default: ``active.txt`` if it names a valid account, else "practice"."""
    try:
        name = (Path(data_dir) / "active.txt").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return DEFAULT_ACCOUNT
    return name if NAME_RE.match(name) and ".." not in name else DEFAULT_ACCOUNT


def _write_active(data_dir: Path, name: str) -> None:
    import tempfile

    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # a fresh, exclusively created file (O_EXCL, mode 0600): a symlink planted at a fixed name is never followed
        fd, tmp = tempfile.mkstemp(prefix=".active-", suffix=".tmp", dir=data_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(name + "\n")
            os.replace(tmp, data_dir / "active.txt")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        from terminal.store.schema import translate

        raise translate(exc, data_dir / "active.txt", "remember the active account") from None


def set_active_account(data_dir: Path, name: str) -> None:
    """Make ``name`` (an existing account) the one a window opens by default."""
    if not db_path(data_dir, name).exists():
        raise StoreError(f"There is no account named {name!r} in {data_dir}.", kind="missing")
    _write_active(data_dir, name)




def delete_account(data_dir: Path, name: str) -> None:
    """Delete the account's file (refused while a window has it open). The active account falls back to another."""
    path = db_path(data_dir, name)
    if not path.exists():
        raise StoreError(f"There is no account named {name!r} in {data_dir}.", kind="missing")
    lock = AccountLock.acquire(data_dir, name)
    try:
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                from terminal.store.schema import translate

                raise translate(exc, p, "delete the account") from None
    finally:
        lock.release()
    try:
        lock_path(data_dir, name).unlink()
    except OSError:
        pass
    if active_account(data_dir) == name:
        rest = list_accounts(data_dir)
        _write_active(data_dir, rest[0] if rest else DEFAULT_ACCOUNT)


class AccountLock:
    """An exclusive, non-blocking flock on ``<name>.lock``, held while a window has the account open."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, data_dir: Path, name: str) -> AccountLock:
        path = lock_path(data_dir, name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            from terminal.store.schema import translate

            raise translate(exc, path.parent, "open the account") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreError(f"The account {name!r} is open in another Leverage Terminal (a window, or a run still "
                             "playing into it); close it or wait for it to finish, or choose another account.",
                             kind="locked", path=path) from None
        return cls(fd, path)

    def release(self) -> None:
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None


def keep_damaged_copy(path: Path, name: str) -> Path:
    """Move a damaged account file (and its -wal / -shm) aside as ``<name>.corrupt-<timestamp>.sqlite``, never over
    an earlier copy; returns where it went. The caller holds the account's lock."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    keep = path.with_name(f"{name}.corrupt-{stamp}.sqlite")
    n = 1
    while keep.exists():
        n += 1
        keep = path.with_name(f"{name}.corrupt-{stamp}-{n}.sqlite")
    try:
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(keep.with_name(keep.name + suffix))
        if path.exists():
            path.rename(keep)
    except OSError as exc:
        raise translate(exc, path, "keep a copy of the account") from None
    return keep
