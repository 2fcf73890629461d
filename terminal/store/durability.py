"""Durability off the caller's thread: fsync after a frame that moved money, and WAL checkpoints.

The GUI thread commits every frame itself (``synchronous = NORMAL``): when ``COMMIT`` returns, the frame is in the
WAL file in the operating system's cache, so it survives the app being killed (SIGKILL, a crash) — a fill shown
on screen is never lost that way. What a commit does *not* wait for is the disk: :class:`Durability` has a thread
that, after each frame that moved money, ``fsync``\\ s the WAL file (what ``synchronous = FULL`` would have done in
the GUI thread: after that the frame survives a power cut too; the gap is the fsync's own few milliseconds), and
that moves WAL pages into the database (``wal_checkpoint(PASSIVE)``, with its fsyncs) every ``CHECKPOINT_FRAMES``
frames — the main connection runs with ``wal_autocheckpoint = 0``. ``wait()`` blocks until everything requested is
on disk (``close`` and tests use it); an OS error on the thread is kept in ``error`` for the store to report (every
later save raises it as a :class:`StoreError` until ``clear_error()``, e.g. once the disk has room again).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

CHECKPOINT_FRAMES = 600  # frames between WAL checkpoints (~10 s of a running clock)


class Durability:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.wal = self.path.with_name(self.path.name + "-wal")
        self.error: BaseException | None = None
        self._cond = threading.Condition()
        self._requested = 0  # money frames committed
        self._synced = 0  # money frames known to be on disk
        self._frames = 0
        self._checkpoint_due = False
        self._stop = False
        self._thread: threading.Thread | None = None

    def committed(self, money: bool) -> None:
        """A frame was committed (``money``: it moved money, so make it survive a power cut soon)."""
        with self._cond:
            self._frames += 1
            if self._frames % CHECKPOINT_FRAMES == 0:
                self._checkpoint_due = True
            elif not money:
                return
            if money:
                self._requested += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="account-durability", daemon=True)
                self._thread.start()
            self._cond.notify()

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every money frame committed so far is on disk; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._synced >= self._requested or self.error is not None, timeout)

    def clear_error(self) -> None:
        """Forget a reported error (after the cause is fixed): the next money frame starts a new thread, whose fsync
        also covers the frames committed meanwhile."""
        with self._cond:
            self.error = None

    def close(self) -> None:
        self.wait()
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
            self._thread = None

    def _run(self) -> None:
        checkpointer: sqlite3.Connection | None = None
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._stop or self._synced < self._requested or self._checkpoint_due)
                    if self._stop:
                        return
                    target, checkpoint = self._requested, self._checkpoint_due
                    self._checkpoint_due = False
                if target > self._synced:
                    self._fsync_wal()
                if checkpoint:
                    if checkpointer is None:
                        checkpointer = sqlite3.connect(self.path, isolation_level=None, timeout=0.0)
                    try:
                        checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    except sqlite3.OperationalError:
                        pass  # busy: the next one will do
                with self._cond:
                    self._synced = max(self._synced, target)
                    self._cond.notify_all()
        except BaseException as exc:  # kept for the store to report; the app's data is still committed
            with self._cond:
                self.error = exc
                self._cond.notify_all()
        finally:
            if checkpointer is not None:
                checkpointer.close()

    def _fsync_wal(self) -> None:
        try:
            fd = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed and removed: the data is in the database file, synced by the checkpoint
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
