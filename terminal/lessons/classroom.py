"""The classroom without a server: lesson packs, trainees' session files, and the merged debrief board's data.

- A **lesson pack** (``*.ltpack.json``) is one file: the lesson's TOML text, the seed and the settings the trainer
  chose. Every trainee's terminal opens it and plays the same market.
- A **session file** (``*.ltsession.json``) is what a trainee hands back: the pack's lesson, the trainee's steps
  (so the session replays from the file), the verdict, the behaviour figures and a thinned equity curve, sealed
  with a SHA-256 checksum of its canonical JSON — an edited file no longer matches and the board says so.
- :func:`merge_sessions` reads many session files (no replay: thirty files in well under a second) and ranks
  them by behaviour before return (see :func:`behaviour_key`); :mod:`terminal.lessons.board` writes the HTML.
"""
from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from terminal.domain.errors import InputError
from terminal.lessons.debrief import session_numbers
from terminal.lessons.model import Lesson, parse_lesson
from terminal.lessons.player import LessonRun, play_lesson
from terminal.session.script import Step

PACK_FORMAT = "leverage-terminal lesson pack"
SESSION_FORMAT = "leverage-terminal session"
VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024
EQUITY_POINTS = 300


def canonical(obj: Any) -> bytes:
    """The bytes a checksum is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in body.items() if k != "checksum"})).hexdigest()


# ---------------------------------------------------------------------------------------------- lesson packs
def make_pack(lesson_text: str, *, seed: int | None = None, settings: dict[str, Any] | None = None,
              source: str = "<lesson>") -> dict[str, Any]:
    """A lesson pack: the lesson's text (validated), the seed every trainee plays and the trainer's settings."""
    lesson = parse_lesson(lesson_text, source)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        # the same rule pack_lesson applies: a pack no trainee could open is never written
        raise InputError(f"seed: a whole number ≥ 0, got {seed!r}")
    body: dict[str, Any] = {"format": PACK_FORMAT, "version": VERSION, "lesson_id": lesson.id,
                            "title": lesson.title, "lesson_toml": lesson_text,
                            "seed": lesson.start.seed if seed is None else int(seed), "settings": settings or {}}
    body["checksum"] = checksum(body)
    return body


def pack_lesson(pack: dict[str, Any], source: str = "<pack>") -> Lesson:
    """The lesson a pack describes, with the pack's seed."""
    lesson = parse_lesson(str(pack.get("lesson_toml", "")), source)
    seed = pack.get("seed", lesson.start.seed)
    if not isinstance(seed, int) or seed < 0:
        raise InputError("seed: a whole number ≥ 0", path=source)
    return lesson.model_copy(update={"start": lesson.start.model_copy(update={"seed": seed})})


def write_json(path: Path, body: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(body, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def read_json(path: Path, expected_format: str) -> dict[str, Any]:
    """A pack or session file, refused in one line if it is not one."""
    from terminal.session.script import read_capped

    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: not a {expected_format} file",
                             path=str(p))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(p)) from None
    raw = read_capped(p, MAX_FILE_BYTES, expected_format)  # a device (/dev/zero) or a FIFO: refused, never read forever
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=str(p), line=raw[: exc.start].count(b"\n") + 1) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=str(p), line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise InputError(f"not a {expected_format} file", path=str(p))
    if data.get("version") != VERSION:
        raise InputError(f"version {data.get('version')!r} of the {expected_format} format is not supported",
                         path=str(p))
    return data


def load_pack(path: Path) -> tuple[Lesson, dict[str, Any]]:
    data = read_json(path, PACK_FORMAT)
    if data.get("checksum") != checksum(data):
        raise InputError("the lesson pack was changed after it was exported (checksum mismatch)", path=str(path))
    return pack_lesson(data, str(path)), data


# ---------------------------------------------------------------------------------------------- session files
def _thin(points: list[tuple[float, float]], n: int) -> list[list[float]]:
    if len(points) <= n:
        return [[t, v] for t, v in points]
    step = (len(points) - 1) / (n - 1)
    return [[points[round(i * step)][0], points[round(i * step)][1]] for i in range(n)]


def behaviour(verdict: dict[str, Any], numbers: dict[str, Any]) -> dict[str, Any]:
    """The figures the board ranks on: the verdict's checks and the session's numbers (see ``session_numbers``)."""
    checks = verdict["checks"]
    return {
        "checks_passed": sum(1 for c in checks if c["passed"]), "checks_total": len(checks),
        "liquidations": numbers.get("liquidations", 0), "max_drawdown_pct": numbers.get("max_drawdown_pct", 0.0),
        "max_leverage": numbers.get("max_leverage") or 0.0,
        "stop_coverage_pct": numbers.get("stop_coverage_pct"), "worst_risk_pct": numbers.get("worst_risk_pct"),
        "return_pct": numbers.get("return_pct"), "pnl_minor": numbers.get("pnl_minor", 0),
        "currency": verdict["debrief"].get("currency", "XBT"), "round_trips": numbers.get("round_trips", 0),
    }


TRAINEE_MAX_CHARS = 64  # a name on the board, not an essay


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # they reorder the board's text


def trainee_name(raw: str) -> str:
    """A trainee's name as the board shows it: NFC, runs of spaces made one, at most TRAINEE_MAX_CHARS characters
    as a reader counts them (a letter with its accents, an emoji family joined by zero-width joiners: one each) and
    at most four times that in code points, no control characters, bidirectional overrides, lone surrogates or
    unassigned code points (they break the board's layout, a file name, or the file itself). The joiners some
    scripts need (the zero-width non-joiner in Persian names) are kept. A name with nothing visible is
    "anonymous"."""
    name = " ".join(unicodedata.normalize("NFC", str(raw)).split())
    if any(unicodedata.category(c) in ("Cc", "Cs", "Cn") or c in BIDI_CONTROLS for c in name):
        raise InputError("a trainee's name cannot hold control characters")
    shown = _reader_length(name)
    if shown > TRAINEE_MAX_CHARS or len(name) > 4 * TRAINEE_MAX_CHARS:
        raise InputError(f"a trainee's name is at most {TRAINEE_MAX_CHARS} characters (this one has "
                         f"{max(shown, len(name) // 4)})")
    if not any(unicodedata.category(c)[0] in "LNPS" for c in name):
        return "anonymous"
    return name


def _reader_length(name: str) -> int:
    """Characters as a reader counts them: combining marks, variation selectors and format characters do not
    count, and a symbol joined to the symbol before it by a zero-width joiner (an emoji sequence) is part of it."""
    n = 0
    prev_symbol = joined = False
    for c in name:
        cat = unicodedata.category(c)
        if c == "\u200d":
            joined = prev_symbol
            continue
        if unicodedata.combining(c) or cat in ("Cf", "Mn", "Me") or "\ufe00" <= c <= "\ufe0f":
            continue
        if not (joined and cat == "So"):
            n += 1
        prev_symbol, joined = cat == "So", False
    return n


def make_session_file(lesson_text: str, run: LessonRun, steps: list[Step], trainee: str,
                      pack_checksum: str | None = None) -> dict[str, Any]:
    """The session file body of a played lesson, sealed with its checksum."""
    verdict = run.verdict()
    equity: list[tuple[float, float]] = []
    cur = verdict["debrief"]["currency"]
    numbers = session_numbers(run.monitor, cur)
    buf = run.session.history.equity.get(cur)
    if buf is not None:
        equity = [(float(t), float(mb)) for t, mb, _ in buf.view() if math.isfinite(mb)]
    body: dict[str, Any] = {
        "format": SESSION_FORMAT, "version": VERSION, "trainee": trainee_name(trainee),
        "lesson": {"id": run.lesson.id, "title": run.lesson.title, "toml": lesson_text, "seed": run.lesson.start.seed,
                   "pack_checksum": pack_checksum},
        "steps": [s.model_dump(exclude_defaults=True) for s in steps],
        "verdict": verdict, "behaviour": behaviour(verdict, numbers), "equity": _thin(equity, EQUITY_POINTS),
    }
    body["checksum"] = checksum(body)
    return body


@dataclass(frozen=True)
class SessionEntry:
    path: str
    trainee: str
    lesson_id: str
    lesson_title: str
    intact: bool  # the checksum matches
    verdict: dict[str, Any]
    behaviour: dict[str, Any]
    equity: list[list[float]]


class _Loose(BaseModel):
    # a session file is someone else's file: finite numbers, the right types, other keys kept as they are
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class _Behaviour(_Loose):
    checks_passed: int = Field(ge=0)
    checks_total: int = Field(ge=0)
    liquidations: int = Field(default=0, ge=0)
    max_drawdown_pct: float = Field(default=0.0, ge=0)
    max_leverage: float = Field(default=0.0, ge=0)
    stop_coverage_pct: float | None = None
    worst_risk_pct: float | None = None
    return_pct: float | None = None
    pnl_minor: int = 0
    currency: Literal["XBT", "USDT"] = "XBT"
    round_trips: int = Field(default=0, ge=0)


class _Check(_Loose):
    id: str
    passed: bool
    label: str | None = None
    detail: str | None = None


class _Debrief(_Loose):
    text: str = ""
    idea: str = ""


class _Verdict(_Loose):
    checks: list[_Check] = Field(default_factory=list)
    debrief: _Debrief = Field(default_factory=_Debrief)


class _SessionBody(_Loose):
    trainee: str = "anonymous"
    lesson: dict[str, Any]
    verdict: _Verdict
    behaviour: _Behaviour
    equity: list[tuple[float, float]] = Field(default_factory=list, max_length=100_000)


def read_session(path: Path) -> SessionEntry:
    """A trainee's session file for the board; a missing or mistyped field (an edited file, a NaN) is an
    :class:`InputError` naming the file and the field, never a crash of the merge."""
    data = read_json(path, SESSION_FORMAT)
    try:
        body = _SessionBody.model_validate(data)
        lesson = body.lesson
        return SessionEntry(str(path), body.trainee, str(lesson["id"]), str(lesson["title"]),
                            data.get("checksum") == checksum(data), body.verdict.model_dump(),
                            body.behaviour.model_dump(), [list(pt) for pt in body.equity])
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(k) for k in err["loc"])
        raise InputError(f"damaged session file: {field}: {str(err['msg']).removeprefix('Value error, ')}",
                         path=str(path)) from None
    except (KeyError, TypeError) as exc:
        raise InputError(f"incomplete session file (missing {exc})", path=str(path)) from None


def replay_session(path: Path) -> dict[str, Any]:
    """Play a session file's steps again inside its lesson: the verdict the trainee's terminal saw."""
    data = read_json(path, SESSION_FORMAT)
    lesson = parse_lesson(str(data["lesson"]["toml"]), f"{path} (lesson)")
    lesson = lesson.model_copy(update={"start": lesson.start.model_copy(update={"seed": int(data["lesson"]["seed"])})})
    if data.get("actions"):  # a session played in the terminal: its recorded actions, at their ticks
        return replay_actions(lesson, list(data["actions"])).verdict()
    steps = [Step.model_validate(s) for s in data.get("steps", [])]
    return play_lesson(lesson, steps).verdict()


def replay_actions(lesson: Lesson, actions: list[dict[str, Any]]) -> LessonRun:
    """Play the actions a terminal recorded (exchange calls at feed positions) inside ``lesson``."""
    from terminal.lessons.monitor import SessionMonitor
    from terminal.lessons.player import new_lesson_session
    from terminal.lessons.timeline import RECORDED, SESSION_RECORDED, Action, Timeline

    session = new_lesson_session(lesson)
    tl = Timeline(session, primary=lesson.start.symbol)
    monitor = SessionMonitor(session.exchange, lesson)
    tl.observer = monitor.observe
    try:
        tl.actions = [Action(int(a["t_ms"]), {str(k): int(v) for k, v in a["positions"].items()}, str(a["name"]),
                             tuple(a.get("args", ())), dict(a.get("kwargs", {}))) for a in actions]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"a recorded action is malformed ({exc})") from None
    if any(a.name not in (*RECORDED, *SESSION_RECORDED) or not _settings_ok(a) for a in tl.actions):
        raise InputError("a recorded action is not a trader's action")
    tl.applied = 0
    tl.play_to(lesson.start.end_ms)
    monitor.finish()
    return LessonRun(lesson, tl.session, monitor, [])


def behaviour_key(e: SessionEntry) -> tuple[float, ...]:
    """Rank: more checks passed, fewer liquidations, smaller drawdown, lower leverage, more stop discipline — then
    return. An edited file goes last."""
    b = e.behaviour
    share = b["checks_passed"] / b["checks_total"] if b.get("checks_total") else 0.0
    stop = b.get("stop_coverage_pct")
    return (0.0 if e.intact else 1.0, -share, float(b.get("liquidations") or 0), float(b.get("max_drawdown_pct") or 0),
            float(b.get("max_leverage") or 0), -(float(stop) if stop is not None else 0.0),
            -float(b.get("return_pct") or 0.0))


def merge_sessions(paths: list[Path]) -> list[SessionEntry]:
    """Session files ranked by behaviour before return (see :func:`behaviour_key`); a file given twice (the same
    path, or a copy with the same bytes) counts once (:func:`distinct_files`)."""
    return rank_sessions(distinct_files(paths)[0])


def rank_sessions(paths: list[Path]) -> list[SessionEntry]:
    """Session files (already distinct) read and ranked by behaviour before return."""
    return sorted((read_session(p) for p in paths), key=behaviour_key)


def _sealed_checksum(raw: bytes) -> str | None:
    """The checksum a session file is sealed with, when its content still matches it (the same session
    re-indented or with other line endings has the same one); None when it carries none or was edited."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))  # UTF-8 only, as read_session reads it
    except (ValueError, UnicodeDecodeError):
        return None
    value = doc.get("checksum") if isinstance(doc, dict) else None
    if not (isinstance(value, str) and value):
        return None
    try:
        intact = checksum(doc) == value  # an edited file keeps the seal it claims: it is not a copy
    except (TypeError, ValueError):
        return None
    return f"sealed:{value}" if intact else None


def distinct_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(the files to merge, the ones left out as repeats): a path given twice, or a second copy of the same
    session file (same bytes), would rank one trainee's session twice."""
    import hashlib

    kept: list[Path] = []
    repeats: list[Path] = []
    seen: set[object] = set()
    for p in paths:
        p = Path(p)
        try:
            raw = p.read_bytes() if p.is_file() else None
            key: object = p.resolve() if raw is None else _sealed_checksum(raw) or hashlib.sha256(raw).hexdigest()
        except OSError:
            key = p.resolve()  # unreadable: read_session names the problem
        if key in seen:
            repeats.append(p)
            continue
        seen.add(key)
        kept.append(p)
    return kept, repeats


def _settings_ok(a: Any) -> bool:
    """A recorded market setting a trainee's terminal could have made: a known fill model, or a switch to the
    synthetic market or a scenario (never a file on the trainer's machine)."""
    from terminal.market.views import FILL_MODELS

    if a.name == "set_fill_model":
        return len(a.args) == 1 and not a.kwargs and a.args[0] in FILL_MODELS
    if a.name == "switch_source":
        spec = a.args[1] if len(a.args) == 2 and isinstance(a.args[1], dict) else None
        return (spec is not None and spec.get("kind") in ("synthetic", "scenario") and not spec.get("path")
                and set(a.kwargs) <= {"offset_ms", "price_factor"})
    return True
