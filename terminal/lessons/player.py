"""Play a trainee's session inside a lesson, headless: ``leverage-terminal lesson check LESSON --script S.toml``.

The lesson decides the market (feed, seed, extra symbols), the account, the fill model and the time limit; the
script contributes its ``[[steps]]`` only (its own seed, feed, account and duration are not used). The session is
a :class:`TradingSession` — the one the GUI plays — stepped to every script step and at least once a simulated
second while anything is open, and the monitor looks after each stretch. Same lesson + same steps = same verdict.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from terminal.domain.errors import InputError
from terminal.domain.money import to_minor
from terminal.domain.toml_lines import locate_table_line
from terminal.feeds.base import TickBatch
from terminal.feeds.spec import FeedSpec
from terminal.lessons.debrief import build_debrief
from terminal.lessons.model import Lesson
from terminal.lessons.monitor import SessionMonitor
from terminal.session.runner import apply_step, iso
from terminal.session.script import MAX_SCRIPT_BYTES, Step, parse_script, read_capped
from terminal.session.trading_session import TradingSession

OBSERVE_MS = 1_000  # at most this much simulated time between two looks while a position or an order is open
IDLE_MS = 60_000  # … and while nothing is open
READ_CHUNK = 1 << 16


def lesson_feed(lesson: Lesson) -> FeedSpec:
    spec = lesson.start.feed
    update: dict[str, Any] = {"symbol": lesson.start.symbol}
    if spec.kind in ("trades", "bars"):
        update["rebase"] = True  # every trainee plays from the lesson's start
    return spec.model_copy(update=update)


def new_lesson_session(lesson: Lesson) -> TradingSession:
    """A fresh session at the lesson's start: its wallets, its market on every symbol it trades."""
    st = lesson.start
    wallets: dict[str, int] = {cur: to_minor(cur, amount) for cur, amount in st.account.items()}
    session = TradingSession.new(seed=st.seed, start_ms=st.start_ms, wallets_minor=wallets)
    market = getattr(session, "market", None)  # the simulated order book behind the fills (terminal/market)
    if market is not None:
        market.set_fill_model(st.fill_model)
    session.feed_specs[st.symbol] = lesson_feed(lesson)
    for sym in lesson.symbols[1:]:
        session.feed_specs[sym] = FeedSpec(kind="synthetic", symbol=sym)
    for sym in lesson.symbols:
        session.ensure_feed(sym)
    return session


def load_steps(path: Path, lesson: Lesson) -> list[Step]:
    """The ``[[steps]]`` of a trainee's script, refused (with the line) if one falls after the time limit."""
    text = _script_text(path)
    limit = lesson.start.duration_s
    has_duration = re.search(r"(?m)^\s*duration_s\s*=", text) is not None
    try:  # a script without duration_s is checked against the lesson's limit below (the extra line shifts by one)
        script = parse_script(text if has_duration else f"duration_s = {366 * 86400}\n{text}", str(path), path.parent)
    except InputError as exc:
        if has_duration or exc.line is None:
            raise
        raise InputError(exc.message, path=str(path), line=max(1, exc.line - 1)) from None
    for n, step in enumerate(script.steps):
        if step.at_s > limit:
            raise InputError(f"at_s in [[steps]] #{n + 1}: {step.at_s:g} s is after the lesson's time limit "
                             f"({limit:g} s)", path=str(path), line=locate_table_line(text, "steps", n, "at_s"))
    return list(script.steps)


def _script_text(path: Path) -> str:
    """A trainee script's text: a regular file of at most MAX_SCRIPT_BYTES (never a FIFO, which would wait for a
    writer forever), UTF-8."""
    raw = read_capped(Path(path), MAX_SCRIPT_BYTES, "script")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the script is not UTF-8 text", path=str(path),
                         line=raw[: exc.start].count(b"\n") + 1) from None


LESSON_OWNS = ("seed", "start", "feed", "account", "market")  # what a lesson sets, whatever the script says


def ignored_settings(path: Path) -> list[str]:
    """The settings of a trainee's script a lesson does not use (it plays the script's [[steps]] only in its own
    market, account and time), in the order of :data:`LESSON_OWNS`, as the trainee wrote them."""
    import tomllib

    try:
        doc = tomllib.loads(_script_text(path))
    except (InputError, tomllib.TOMLDecodeError):
        return []
    return [k if k in ("seed", "start") else f"[{k}]" for k in LESSON_OWNS if k in doc]


@dataclass
class LessonRun:
    lesson: Lesson
    session: TradingSession
    monitor: SessionMonitor
    rejections: list[dict[str, Any]]

    def verdict(self) -> dict[str, Any]:
        """The JSON of ``lesson check``: lesson, passed, checks (id, passed, detail), debrief."""
        checks = [{"id": cid, "label": label, "passed": bool(v.passed), "detail": v.detail}
                  for cid, label, v in self.monitor.verdicts(final=True)]
        debrief = build_debrief(self.lesson, self.monitor)
        debrief["rejections"] = self.rejections
        return {"lesson": self.lesson.id, "title": self.lesson.title,
                "passed": all(c["passed"] for c in checks), "checks": checks, "debrief": debrief}


def _merge(acc: dict[str, list[TickBatch]], batches: dict[str, TickBatch]) -> None:
    for sym, b in batches.items():
        acc.setdefault(sym, []).append(b)


def play_lesson(lesson: Lesson, steps: Sequence[Step], until_ms: int | None = None) -> LessonRun:
    """Play ``steps`` inside ``lesson`` up to its time limit (or ``until_ms``) and return the watched run."""
    session = new_lesson_session(lesson)
    for sym in sorted({s.symbol for s in steps if s.symbol and s.symbol not in session.feeds}):
        if sym in session.catalog:  # a symbol the lesson does not name trades on its synthetic market, as in the GUI
            session.feed_specs[sym] = FeedSpec(kind="synthetic", symbol=sym)
            session.ensure_feed(sym)
    ex = session.exchange
    monitor = SessionMonitor(ex, lesson)
    symbol = lesson.start.symbol
    start, end = lesson.start.start_ms, lesson.start.end_ms if until_ms is None else until_ms
    times = [start + round(s.at_s * 1000) for s in steps]
    rejections: list[dict[str, Any]] = []
    k = 0
    t = start
    while True:
        busy = bool(ex.orders) or any(p.qty for p in ex.positions.values())
        target = min(end, t + (OBSERVE_MS if busy else IDLE_MS), times[k] if k < len(steps) else end)
        seen: dict[str, list[TickBatch]] = {}
        while session.advance(target, READ_CHUNK, primary=symbol):
            _merge(seen, session.last_batches)
        ex.now_ms = max(ex.now_ms, target)
        t = target
        while k < len(steps) and times[k] <= t:
            before = len(ex.rejections)
            ok, reason = apply_step(ex, steps[k], symbol)
            if not ok:
                row = dict(ex.rejections[-1]) if len(ex.rejections) > before else {}
                row.update({"time": iso(t), "time_ms": t, "step": k + 1, "action": steps[k].action, "reason": reason})
                rejections.append(row)
            k += 1
        ex.drain_events()
        monitor.observe({s: TickBatch.concat(b) for s, b in seen.items()})
        if t >= end:
            break
    monitor.finish()
    return LessonRun(lesson, session, monitor, rejections)


def check_script(lesson: Lesson, script_path: Path) -> dict[str, Any]:
    """``lesson check``: the verdict of a trainee's script played inside ``lesson``."""
    return play_lesson(lesson, load_steps(Path(script_path), lesson)).verdict()
