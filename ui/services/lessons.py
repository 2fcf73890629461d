"""The lesson service: what the lesson panel, the journal, the rewind controls and the classroom dialogs use.

It watches the bridge's session frame by frame (:class:`terminal.lessons.monitor.SessionMonitor`: the lesson's
checks and the journal's round trips) and keeps its :class:`terminal.lessons.timeline.Timeline` (rewind, go to,
branch). Starting a lesson plays it on its own session — the practice account is saved and set aside, untouched,
and comes back when the lesson is left. A rewind on the practice account is confirmed by the window first; the
undone stretch stays in :attr:`LessonService.undone` (the journal shows it). Widgets read the service's plain data
and call its methods; nothing here draws.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from terminal.domain.errors import InputError, TerminalError
from terminal.lessons.classroom import load_pack, make_pack, make_session_file, write_json
from terminal.lessons.debrief import build_debrief
from terminal.lessons.journal import RoundTrip, write_journal_csv
from terminal.lessons.library import lessons_dir, shipped_lessons
from terminal.lessons.model import Lesson
from terminal.lessons.monitor import SessionMonitor
from terminal.lessons.outcomes import Change, Outcome
from terminal.lessons.player import new_lesson_session
from terminal.lessons.timeline import Stretch, Timeline
from terminal.lessons.undone import JOURNAL_KINDS, action_json, stretch_from_record, stretch_record
from terminal.session.runner import iso
from terminal.session.trading_session import TradingSession
from ui.services.bridge import Frame, SessionBridge
from ui.services.out_guard import guard_out

MINUTE_MS = 60_000


class LessonService(QObject):
    changed = Signal()  # the checklist or the journal may have moved (once a frame at most)
    lessonStarted = Signal(object)  # Lesson
    lessonEnded = Signal(object)  # the verdict (dict), the time limit reached or "Finish now"
    lessonLeft = Signal()
    rewound = Signal(object)  # int ms (beyond a C int): the simulated time the session was taken back (or forward) to

    def __init__(self, bridge: SessionBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.lesson: Lesson | None = None
        self.lesson_text = ""
        self.pack_checksum: str | None = None
        self.verdict: dict[str, Any] | None = None
        self.undone: list[Stretch] = []
        self.undone_rows: list[dict[str, object]] = []  # journal rows of round trips a rewind undid
        self._aside: tuple[Any, TradingSession, str] | None = None  # practice store, session, symbol set aside
        self._restoring = False
        self._notes: dict[tuple[object, object], str] = {}  # (symbol, opened at) → the trainee's note: a rewind keeps it
        self.monitor = SessionMonitor.of(bridge.session)
        self.timeline = self._timeline(bridge.session, bridge.symbol)
        bridge.frame.connect(self._on_frame)
        bridge.sessionChanged.connect(self._on_session)
        close_store = bridge.close_store

        def close_both() -> None:  # the window closes during a lesson: the practice account set aside closes too
            close_store()
            self.close_aside()

        bridge.close_store = close_both  # type: ignore[method-assign]
        self._load_undone()

    # ------------------------------------------------------------------ watching
    def _timeline(self, session: TradingSession, symbol: str) -> Timeline:
        tl = Timeline(session, primary=symbol)
        self._stretches_seen = 0  # of tl.discarded, already in self.undone
        tl.companion_save = self._monitor_state
        tl.companion_load = self._load_monitor
        tl.on_restore.append(self._restored)
        return tl

    def _monitor_state(self) -> dict[str, Any]:
        """A copy of what the monitor has seen (the catalog is shared, not copied)."""
        m = self.monitor
        state = {k: v for k, v in m.__dict__.items() if k not in ("ex", "lesson", "coach_settings")}
        return copy.deepcopy(state, {id(m.ex.catalog): m.ex.catalog})

    def _load_monitor(self, state: Any) -> None:
        self.monitor.__dict__.update(copy.deepcopy(state, {id(self.monitor.ex.catalog): self.monitor.ex.catalog}))

    def _restored(self, session: TradingSession) -> None:
        self.monitor.follow(session)
        self._restoring = True
        try:  # saved once the move is over, with what it undid (one transaction: nothing undone is lost)
            with self.bridge.saves_held():
                self.bridge.set_session(session)
        finally:
            self._restoring = False

    def _load_undone(self) -> None:
        """What rewinds undid on the stored practice account (kept in its file): the journal shows it again."""
        store = self.bridge.store
        records = store.undone() if self.lesson is None and store is not None and hasattr(store, "undone") else []
        self.undone = [stretch_from_record(r) for r in records]
        notes = store.journal_notes() if self.lesson is None and store is not None and hasattr(
            store, "journal_notes") else {}
        self._notes = {(sym, int(ms)): text for key, text in notes.items()
                       for sym, _, ms in [key.rpartition("@")] if ms.isdigit()}
        self.undone_rows = [dict(row, undone=True) for r in records for row in r.get("journal") or []
                            if isinstance(row, dict)]

    def _on_session(self, _frame: Frame) -> None:
        if self._restoring:
            return
        session = self.bridge.session  # another account (switch, reset) or a lesson: watch it from now
        self.monitor = SessionMonitor.of(session, self.lesson if self._aside is not None else None)
        self.timeline = self._timeline(session, self.bridge.symbol)
        self._notes = {}
        self._load_undone()

    def _on_frame(self, _frame: Frame) -> None:
        session = self.bridge.session
        if not self.monitor.watches(session):
            return
        self.monitor.observe(session.last_batches)
        now = max(session.now_ms, self.bridge.clock.now_ms)  # the clock passes the limit before the last tick
        if self.lesson is not None and self.verdict is None and now >= self.lesson.start.end_ms:
            self.finish()
        self.changed.emit()

    # ------------------------------------------------------------------ lessons
    @staticmethod
    def lessons() -> list[Lesson]:
        return shipped_lessons()

    def lesson_text_of(self, lesson: Lesson) -> str:
        for f in sorted(lessons_dir().glob("*.toml")):
            if f.stem.endswith(lesson.id):
                return f.read_text(encoding="utf-8")
        return ""

    def start(self, lesson: Lesson, text: str | None = None, pack_checksum: str | None = None) -> None:
        """Play ``lesson`` on its own session (the practice account is saved and set aside)."""
        b = self.bridge
        if self._aside is None:
            b.save()
            self._aside = (b.store, b.session, b.symbol)
        b.set_speed("pause")
        b.store = None  # a lesson is never written into the practice account
        self.lesson = lesson
        self.lesson_text = text if text is not None else self.lesson_text_of(lesson)
        self.pack_checksum = pack_checksum
        self.verdict = None
        session = new_lesson_session(lesson)
        b.symbol = lesson.start.symbol
        b.set_session(session)  # → _on_session: a monitor with the lesson's checks
        b.symbolChanged.emit(b.symbol)
        self.lessonStarted.emit(lesson)
        self.changed.emit()

    def open_pack(self, path: Path) -> Lesson:
        lesson, pack = load_pack(path)
        self.start(lesson, str(pack["lesson_toml"]), str(pack["checksum"]))
        return lesson

    def export_pack(self, lesson: Lesson, path: Path, seed: int | None = None) -> None:
        write_json(guard_out(path), make_pack(self.lesson_text_of(lesson), seed=seed, source=lesson.id))

    def leave(self) -> None:
        """Back to the practice account, as it was when the lesson started."""
        if self._aside is None:
            return
        store, session, symbol = self._aside
        self._aside = None
        self.lesson = None
        self.verdict = None
        b = self.bridge
        b.set_speed("pause")
        b.store = store
        b.symbol = symbol
        b.set_session(session)
        b.symbolChanged.emit(symbol)
        self.lessonLeft.emit()
        self.changed.emit()

    def close_aside(self) -> None:
        """The window closes during a lesson: close the practice account set aside."""
        if self._aside is not None and self._aside[0] is not None:
            self._aside[0].close()
        self._aside = None

    @property
    def in_lesson(self) -> bool:
        return self.lesson is not None

    @property
    def practice_account(self) -> bool:
        """A rewind here changes the stored practice account (the window asks first)."""
        return self.lesson is None and self.bridge.store is not None

    def checklist(self) -> list[tuple[str, str, bool | None, str, bool]]:
        """(id, label, passed, detail, settled) of the lesson's checks now."""
        final = self.verdict is not None
        return [(cid, label, v.passed, v.detail, v.settled) for cid, label, v in self.monitor.verdicts(final)]

    def remaining_ms(self) -> int | None:
        if self.lesson is None:
            return None
        return max(0, self.lesson.start.end_ms - self.bridge.session.now_ms)

    def finish(self) -> dict[str, Any]:
        """End the lesson now: settle the checks and build the debrief with the session's numbers."""
        assert self.lesson is not None
        self.bridge.set_speed("pause")
        self.monitor.finish(self.bridge.session.last_batches)
        checks = [{"id": cid, "label": label, "passed": bool(v.passed), "detail": v.detail}
                  for cid, label, v in self.monitor.verdicts(final=True)]
        self.verdict = {"lesson": self.lesson.id, "title": self.lesson.title,
                        "passed": all(c["passed"] for c in checks), "checks": checks,
                        "debrief": build_debrief(self.lesson, self.monitor)}
        self.lessonEnded.emit(self.verdict)
        self.changed.emit()
        return self.verdict

    @staticmethod
    def trainee_name(raw: str) -> str:
        """The name as the board will show it; InputError when it cannot be one (too long, control characters)."""
        from terminal.lessons.classroom import trainee_name

        return trainee_name(raw)

    def export_session(self, path: Path, trainee: str) -> dict[str, Any]:
        """The sealed session file of the lesson just played (its actions replay it)."""
        if self.lesson is None:
            raise InputError("no lesson is being played: start one from Training → Lessons")
        path = guard_out(path)
        if self.verdict is None:
            self.finish()
        from terminal.lessons.player import LessonRun

        run = LessonRun(self.lesson, self.bridge.session, self.monitor, [])
        body = make_session_file(self.lesson_text, run, [], trainee, self.pack_checksum)
        body["actions"] = [action_json(a) for a in self.timeline.actions[:self.timeline.applied]]
        from terminal.lessons.classroom import checksum

        body["checksum"] = checksum(body)
        write_json(path, body)
        return body

    # ------------------------------------------------------------------ journal
    def trips(self) -> list[RoundTrip]:
        return self.monitor.journal.trips

    def journal_rows(self) -> list[dict[str, object]]:
        """This line's round trips, then those a rewind undid (``undone`` set)."""
        rows = []
        for r in self.monitor.journal.rows():  # a rewind restores the journal as it was: the notes typed since stay
            note = self._notes.get((r["symbol"], r["opened_ms"]))
            if note is not None and r["note"] != note:
                self.monitor.journal.set_note(int(str(r["trip"])), note)
                r = dict(r, note=note)
            rows.append(r)
        return rows + self.undone_rows

    def set_note(self, trip_id: int, note: str) -> None:
        self.monitor.journal.set_note(trip_id, note)
        for r in self.monitor.journal.rows():
            if r["trip"] == trip_id:
                self._notes[(r["symbol"], r["opened_ms"])] = note
                store = self.bridge.store
                if self.lesson is None and store is not None and hasattr(store, "save_journal_note"):
                    try:  # kept in the account file: a restart shows it again
                        store.save_journal_note(f"{r['symbol']}@{r['opened_ms']}", note)
                    except TerminalError as exc:
                        self.bridge.storeError.emit(f"Journal note not saved: {exc}")

    def export_journal(self, path: Path) -> None:
        write_journal_csv(guard_out(path), self.journal_rows(), iso)

    # ------------------------------------------------------------------ rewind
    def _sync(self) -> None:
        """The clock follows the session (a rewind already gave the bridge a new clock at the restored time)."""
        if self.bridge.clock.now_ms < self.bridge.session.now_ms:
            self.bridge.clock.jump_to(self.bridge.session.now_ms)

    def go_to(self, t_ms: int) -> None:
        self.bridge.set_speed("pause")
        before = self.monitor.journal.rows()
        self.timeline.go_to(t_ms)
        self._after_move(before)

    def step_back(self, ticks: int = 1) -> None:
        self.bridge.set_speed("pause")
        before = self.monitor.journal.rows()
        self.timeline.step_back_ticks(ticks)
        self._after_move(before)

    def back_minute(self) -> None:
        self.go_to(self.bridge.session.now_ms - MINUTE_MS)

    def _after_move(self, before: list[dict[str, object]]) -> None:
        now = self.monitor.journal.rows()
        kept = {(r["symbol"], r["opened_ms"], r["closed_ms"]) for r in now}
        trips = []
        for r in before:  # round trips the rewind took back (or cut short) stay in the journal, marked undone
            row = dict(r, undone=True)
            if (r["symbol"], r["opened_ms"], r["closed_ms"]) not in kept and row not in self.undone_rows:
                trips.append(row)
        self.undone_rows.extend(trips)
        new = [st for st in self.timeline.discarded[self._stretches_seen:]  # actions-only: already in an earlier one
               if any(st.journals.get(k) for k in JOURNAL_KINDS)]
        self._stretches_seen = len(self.timeline.discarded)
        self.undone.extend(new)
        store = self.bridge.store
        if self.lesson is None and store is not None and hasattr(store, "note_undone") and (new or trips):
            records = [stretch_record(st, trips if k == len(new) - 1 else []) for k, st in enumerate(new)]
            if not new:  # a round trip cut short without a stretch of its own
                records = [stretch_record(Stretch(self.bridge.session.now_ms, self.bridge.session.now_ms, []),
                                          trips)]
            store.note_undone(records)
        if self.lesson is not None and self.bridge.session.now_ms < self.lesson.start.end_ms:
            self.verdict = None  # back before the end: the lesson plays again and is judged again at its end
        self._sync()
        self.bridge.publish()
        self.rewound.emit(self.bridge.session.now_ms)
        self.changed.emit()

    @property
    def start_ms(self) -> int:
        return self.timeline.start_ms

    @property
    def latest_ms(self) -> int:
        """The latest moment "go to" reaches: the furthest played so far, or a lesson's end. Beyond it would be
        simulating ahead on the GUI thread (a month took seconds, a year minutes): the jump buttons do that."""
        end = self.timeline.furthest_ms
        if self.lesson is not None:
            end = max(end, self.lesson.start.end_ms)
        return max(end, self.bridge.now_ms)

    def branch(self, t_ms: int, change: Change) -> tuple[Outcome, Outcome]:
        return self.timeline.branch(t_ms, change)


def merge_board(paths: list[Path], out: Path) -> dict[str, Any]:
    """The classroom's debrief board from session files (see ``leverage-terminal classroom merge``)."""
    from terminal.app.board import write_board

    return write_board(paths, out)
