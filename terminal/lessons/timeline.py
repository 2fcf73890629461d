"""Rewind, go to any moment, and branch ("what if I'd used 5x?") for a live session. No Qt.

Built on the store's session checkpoints (:mod:`terminal.store.checkpoints`: the engine and every feed at one
moment): the timeline keeps one in memory every ``every_ms`` of simulated time, and records every action the trader
takes on the exchange (place, cancel, amend, close, leverage, margin mode, isolated margin) with the feed positions
it was taken at. Going to a moment restores the latest checkpoint before it *in place* (the screen's references to
the session and the exchange stay valid) and replays the ticks and the recorded actions up to the moment — so
playing forward again gives exactly what happened the first time (the market and the engine are deterministic).

Actions recorded after the moment stay as the *future*: playing forward replays them at their ticks until the trader
acts differently; then the rest of that future is set aside as a :class:`Stretch` in :attr:`Timeline.discarded`
(with its fills, liquidations and funding), so the journal and the report can still show what was undone.

:meth:`Timeline.branch` replays from a past moment on a separate copy with one decision changed (leverage, size,
stop, margin mode) and returns both outcomes side by side; the live session is not touched.
"""
from __future__ import annotations

import bisect
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from terminal.domain.errors import InputError
from terminal.domain.orders import OrderRequest
from terminal.exchange.engine import Exchange
from terminal.feeds.base import UNBOUNDED_MS, TickBatch
from terminal.lessons.outcomes import Change, Outcome, change_problem, outcome_of
from terminal.session.history import AccountHistory, RingBuffer
from terminal.session.trading_session import TradingSession
from terminal.store.checkpoints import JOURNALS, SessionCheckpoint, restore_session, take_session_checkpoint

EVERY_MS = 60_000  # simulated time between two in-memory checkpoints (at most one per read: a frame, or 65,536 ticks)
DENSE_MS = 6 * 3_600_000  # checkpoints older than this (simulated) are thinned: one an hour, sparser with age
HOUR_MS = 3_600_000
AGE_SHARE = 32  # an old checkpoint stands for a stretch of 1/32 of its age (at least an hour)
THIN_EVERY = 64  # checkpoints made between two thinnings
RECORDED = ("place_order", "cancel_order", "cancel_all", "amend_order", "close_position", "set_leverage",
            "set_margin_mode", "adjust_margin")
SESSION_RECORDED = ("set_fill_model", "switch_source")  # the trader's market settings, on the session
_INTERNAL = ("step",)  # engine calls inside these are the engine's, not the trader's

Observer = Callable[[dict[str, TickBatch]], None]


def thinned(times: list[int], before_ms: int) -> list[int]:
    """Indexes of ``times`` (ascending) to keep: all at or after ``before_ms`` and the first; before it, the first of
    each stretch of width max(an hour, age / AGE_SHARE) rounded down to a power of two hours (the age measured from
    ``before_ms``)."""
    keep: list[int] = []
    seen: set[tuple[int, int]] = set()
    for i, t in enumerate(times):
        if i == 0 or t >= before_ms:
            keep.append(i)
            continue
        hours = (before_ms - t) // AGE_SHARE // HOUR_MS
        width = HOUR_MS << max(hours.bit_length() - 1, 0)  # a power of two hours: stretches nest as they widen
        bucket = (width, t // width)
        if bucket not in seen:
            keep.append(i)
            seen.add(bucket)
    return keep


@dataclass(frozen=True)
class Action:
    """One trader action: the exchange method, its arguments, and where the market was (time, feed positions)."""

    t_ms: int
    positions: dict[str, int]
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class Stretch:
    """A stretch of the session undone by a rewind: its time span, the actions taken in it, what they caused."""

    from_ms: int
    to_ms: int
    actions: list[Action]
    journals: dict[str, list[Any]] = field(default_factory=dict)


def _truncate(buf: RingBuffer, t_ms: int) -> None:
    """Drop the rows after ``t_ms`` (rows are in time order; unwrapped buffers just shorten, no copy)."""
    rows = buf.view()
    k = int(np.searchsorted(rows[:, 0], t_ms, "right")) if len(rows) else 0
    if buf.count <= buf.capacity:
        buf.count = k
        return
    keep = rows[:k].copy()
    buf.clear()
    buf.extend(keep)


def _truncate_history(history: AccountHistory, t_ms: int) -> None:
    for bufs in (history.equity, history.liquidation):
        for buf in bufs.values():
            _truncate(buf, t_ms)


class Timeline:
    def __init__(self, session: TradingSession, *, primary: str, every_ms: int = EVERY_MS,
                 observer: Observer | None = None) -> None:
        self.session = session
        self.primary = primary
        self.every_ms = every_ms
        self.observer = observer
        self.actions: list[Action] = []
        self.applied = 0  # actions[:applied] happened before now; the rest is the future a rewind left
        self.discarded: list[Stretch] = []
        self._cps: list[tuple[int, SessionCheckpoint, int, Any]] = []  # (t, checkpoint, actions applied, companion)
        self._times: list[int] = []  # the checkpoints' times, ascending
        self._made = 0
        self._journals: dict[str, list[Any]] = {}  # the journals as far as this line of actions was ever played
        self._depth = 0
        self._recording = True
        self.companion_save: Callable[[], Any] | None = None  # e.g. the lesson monitor's state at each checkpoint
        self.companion_load: Callable[[Any], None] | None = None
        self.on_restore: list[Callable[[TradingSession], None]] = []  # a restore makes a new session: rebind to it
        self._wrap(session.exchange)
        self._hook(session)
        self.furthest_ms = session.exchange.now_ms  # the latest moment this line of actions has been played to
        self.checkpoint()

    # ------------------------------------------------------------------ recording
    def _wrap(self, ex: Exchange) -> None:
        for name in (*RECORDED, *_INTERNAL):
            original = getattr(type(ex), name)

            def wrapper(*args: Any, _name: str = name, _orig: Any = original, _ex: Exchange = ex, **kwargs: Any) -> Any:
                if self._depth == 0 and self._recording and _name in RECORDED:
                    self._record(_name, args, kwargs)
                self._depth += 1
                try:
                    return _orig(_ex, *args, **kwargs)
                finally:
                    self._depth -= 1

            ex.__dict__[name] = wrapper

    def _hook(self, session: TradingSession) -> None:
        """``session.advance`` (what the GUI's frame calls) goes through the timeline: checkpoints, replayed actions."""
        def advance(until_ms: int, max_ticks: int = 1 << 20, primary: str | None = None) -> int:
            return self.advance(until_ms, max_ticks)

        session.__dict__["advance"] = advance
        for name in SESSION_RECORDED:
            original = getattr(type(session), name)

            def wrapper(*args: Any, _name: str = name, _orig: Any = original, _s: TradingSession = session,
                        **kwargs: Any) -> Any:
                if not self._recording:
                    return _orig(_s, *args, **kwargs)
                if self.applied < len(self.actions):
                    self._discard_future()  # before the call: a source switch reads a tick through advance
                at = (self.session.exchange.now_ms, self._positions())
                result = _orig(_s, *args, **kwargs)
                self._record(_name, args, kwargs, at)  # only once it took (a refused source changes nothing)
                return result

            session.__dict__[name] = wrapper

    def _positions(self) -> dict[str, int]:
        return {s: f.position for s, f in self.session.feeds.items()}

    def _record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                at: tuple[int, dict[str, int]] | None = None) -> None:
        if self.applied < len(self.actions):
            self._discard_future()
        a = copy.deepcopy((args, kwargs))
        t_ms, positions = at or (self.session.exchange.now_ms, self._positions())
        self.actions.append(Action(t_ms, positions, name, a[0], a[1]))
        self.applied = len(self.actions)

    def _discard_future(self) -> None:
        """The trader acted differently from the recorded future: set it aside; its checkpoints no longer hold."""
        now = self.session.exchange.now_ms
        future = self.actions[self.applied:]
        self.discarded.append(Stretch(now, future[-1].t_ms, future))
        del self.actions[self.applied:]
        self.furthest_ms = now  # the stretch after now is no longer this line's: it has not been played
        keep = bisect.bisect_right(self._times, now)
        del self._cps[keep:]
        del self._times[keep:]
        self._journals = {}

    @property
    def future(self) -> list[Action]:
        return self.actions[self.applied:]

    # ------------------------------------------------------------------ checkpoints
    def checkpoint(self) -> None:
        """Keep the session now (unless a checkpoint at this moment exists)."""
        now = self.session.exchange.now_ms
        k = bisect.bisect_right(self._times, now)
        if k and self._times[k - 1] == now:
            return
        companion = self.companion_save() if self.companion_save else None
        self._cps.insert(k, (now, take_session_checkpoint(self.session), self.applied, companion))
        self._times.insert(k, now)
        self._made += 1
        if self._made % THIN_EVERY == 0:
            self._thin(now - DENSE_MS)

    def _thin(self, before_ms: int) -> None:
        """Checkpoints older than ``before_ms``: one per stretch of max(an hour, 1/32 of its age) is kept, so their
        number grows with the logarithm of the session's age (memory stays flat; going to a moment 1,000 hours back
        replays at most ~31 hours of ticks)."""
        keep = thinned(self._times, before_ms)
        if len(keep) < len(self._times):
            self._cps = [self._cps[i] for i in keep]
            self._times = [self._times[i] for i in keep]

    def _latest(self, t_ms: int) -> int:
        """Index of the latest checkpoint at or before ``t_ms``."""
        return max(bisect.bisect_right(self._times, t_ms) - 1, 0)

    @property
    def start_ms(self) -> int:
        return self._cps[0][0]

    # ------------------------------------------------------------------ stepping
    def _apply(self, a: Action) -> None:
        ex = self.session.exchange
        if a.t_ms > ex.now_ms:
            ex.now_ms = a.t_ms
        target = self.session if a.name in SESSION_RECORDED else ex
        self.applied += 1  # first: a source switch reads a tick, and that read may replay the next action
        was, self._recording = self._recording, False
        try:
            getattr(target, a.name)(*copy.deepcopy(a.args), **copy.deepcopy(a.kwargs))
        except InputError:  # a price file replayed since deleted or changed: the market goes on from what it has
            if target is ex:
                raise
        finally:
            self._recording = was

    def _advance(self, until_ms: int, max_ticks: int) -> int:
        due = self._times[self._latest(self.session.exchange.now_ms)] + self.every_ms
        n = TradingSession.advance(self.session, until_ms, max_ticks, primary=self.primary)  # one read a frame
        self.furthest_ms = max(self.furthest_ms, self.session.exchange.now_ms)
        if self.observer is not None:
            self.observer(dict(self.session.last_batches))
        if self.session.exchange.now_ms >= due:
            self.checkpoint()
        return n

    def advance(self, until_ms: int, max_ticks: int = 1 << 20) -> int:
        """Like :meth:`TradingSession.advance`, replaying the future's actions at the ticks they were taken at
        (never reading past such a tick). Returns the ticks read."""
        total = 0
        while total < max_ticks:
            if self.applied >= len(self.actions):
                total += self._advance(until_ms, max_ticks - total)
                break
            a = self.actions[self.applied]
            need = a.positions.get(self.primary, 0) - self.session.feeds[self.primary].position
            if need <= 0:
                self._apply(a)
                continue
            n = self._advance(until_ms, min(need, max_ticks - total))
            total += n
            if n == 0:
                break
        return total

    def play_to(self, t_ms: int) -> None:
        """Play forward (replaying the future's actions) to the ticks up to time ``t_ms``."""
        while self.advance(t_ms + 1, 1 << 16):
            pass

    # ------------------------------------------------------------------ going back
    def _restore(self, index: int) -> None:
        t, cp, applied, companion = self._cps[index]
        s = self.session
        ex = s.exchange
        for j in JOURNALS:  # the longest journals of this line of actions: a later checkpoint reads rows from them
            rows = getattr(ex, j)
            if len(rows) >= len(self._journals.get(j, ())):
                self._journals[j] = rows
        fresh = restore_session(cp, s.catalog, self._journals)
        _truncate_history(s.history, t)  # the charts keep their history up to the moment
        for buf in s.prices.values():
            _truncate(buf, t)
        fresh.history, fresh.prices = s.history, s.prices
        self.session = fresh
        self._wrap(fresh.exchange)
        self._hook(fresh)
        self.applied = applied
        if self.companion_load is not None and companion is not None:
            self.companion_load(companion)
        for listener in self.on_restore:
            listener(fresh)

    def _back(self, index: int, replay: Callable[[], None]) -> None:
        """Restore checkpoint ``index``, replay to the target, and keep what was undone as a discarded stretch."""
        ex = self.session.exchange
        old = {j: getattr(ex, j) for j in ("fills", "liquidations", "funding", "ledger")}
        was_ms, was_applied = ex.now_ms, self.applied
        self._restore(max(index, 0))
        replay()
        now = self.session.exchange
        rows = {j: list(rows[len(getattr(now, j)):]) for j, rows in old.items()}
        undone = self.actions[self.applied:was_applied]
        if undone or any(rows[j] for j in ("fills", "liquidations", "funding")):
            self.discarded.append(Stretch(now.now_ms, was_ms, list(undone), rows))

    def go_to(self, t_ms: int) -> None:
        """The session as it was at ``t_ms`` (the ticks up to it, the actions taken up to it); later actions stay as
        the future. Going forward plays (and replays) to it."""
        t_ms = max(int(t_ms), self.start_ms)
        now = self.session.exchange.now_ms
        index = self._latest(t_ms)
        if t_ms < now:
            self._back(index, lambda: self.play_to(t_ms))
        else:
            if self._times[index] > now:  # already played once: jump to the checkpoint before it
                self._restore(index)
            self.play_to(t_ms)

    def step_back_ticks(self, n: int = 1) -> None:
        """Back ``n`` ticks of the primary feed (the actions taken at later ticks become the future)."""
        target = max(0, self.session.feeds[self.primary].position - n)
        index = self._latest(self.session.exchange.now_ms)
        while index > 0 and self._cps[index][1].feeds[self.primary].position > target:
            index -= 1

        def replay() -> None:
            while self.session.feeds[self.primary].position < target:
                if self.advance(UNBOUNDED_MS, target - self.session.feeds[self.primary].position) == 0:
                    break

        self._back(index, replay)

    # ------------------------------------------------------------------ what if
    def branch(self, t_ms: int, change: Change, horizon_ms: int | None = None) -> tuple[Outcome, Outcome]:
        """Replay from ``t_ms`` with the first decision at or after it changed; (as it happened, what if). A change
        no trader could make (``change_problem``) is an :class:`InputError`."""
        problem = change_problem(change, self.session.catalog[self.primary])
        if problem is not None:
            raise InputError(problem)
        end = self.session.exchange.now_ms if horizon_ms is None else horizon_ms
        index = self._latest(t_ms)
        actual = self._line("as it happened", index, t_ms, end, None)
        what_if = self._line(f"what if: {change.kind} {change.value}", index, t_ms, end, change)
        return actual, what_if

    def _line(self, label: str, index: int, t_ms: int, end: int, change: Change | None) -> Outcome:
        _, cp, applied, _ = self._cps[index]
        ex0 = self.session.exchange
        journals = {j: list(getattr(ex0, j)) for j in JOURNALS}
        copy_session = restore_session(cp, self.session.catalog, journals, own_market=True)
        twin = Timeline(copy_session, primary=self.primary, every_ms=1 << 40)
        twin.actions = [copy.deepcopy(a) for a in self.actions]
        twin.applied = applied
        twin.play_to(t_ms)
        if change is not None and not _change_next(twin, change, t_ms):
            what = "an order (not a stop, not reduce-only)" if change.kind == "size" else "a stop order"
            raise InputError(f"There is no {what} at or after this moment to change: pick a moment before the "
                             "decision you want to try differently.")
        cur = copy_session.catalog[self.primary].settle_currency
        copy_session.history = AccountHistory(capacity=20_000)
        copy_session.history.sample(copy_session.exchange)
        liqs_before = len(copy_session.exchange.liquidations)
        realised_before = sum(r.amount_minor for r in copy_session.exchange.ledger if r.currency == cur
                              and r.kind in ("realised_pnl", "liquidation", "settlement"))
        twin.play_to(end)
        copy_session.history.sample(copy_session.exchange)
        return outcome_of(label, copy_session, cur, liqs_before, realised_before)


def _change_next(twin: Timeline, change: Change, t_ms: int) -> bool:
    """Change the first matching decision at or after ``t_ms`` in ``twin``'s future (or now, for leverage / mode);
    False when there is no such decision (the what-if would replay exactly what happened)."""
    ex = twin.session.exchange
    sym = twin.primary
    future = twin.actions[twin.applied:]
    if change.kind in ("leverage", "margin_mode"):
        s = ex.setting(sym)
        cross = (change.value == "cross") if change.kind == "margin_mode" else s.cross
        lev = float(change.value) if change.kind == "leverage" else s.leverage
        pos = ex.positions.get(sym)
        if pos is not None and pos.qty:
            ex.set_margin_mode(sym, cross, lev)
        # later leverage / mode actions would undo the change: drop them; set it just before the next order
        twin.actions[twin.applied:] = [a for a in future if a.name not in ("set_leverage", "set_margin_mode")]
        for k, a in enumerate(twin.actions[twin.applied:], twin.applied):
            if a.name == "place_order":
                twin.actions.insert(k, Action(a.t_ms, a.positions, "set_margin_mode", (sym, cross, lev), {}))
                break
        else:
            ex.set_margin_mode(sym, cross, lev)
        return True
    for k, a in enumerate(future, twin.applied):
        req = _request(a)
        if req is None:
            continue
        if change.kind == "size" and not req.type.is_conditional and not req.reduce_only:
            twin.actions[k] = _with(a, req.model_copy(update={"qty": int(float(change.value))}))
            return True
        if change.kind == "stop" and req.type.is_conditional and req.stop_price is not None:
            twin.actions[k] = _with(a, req.model_copy(update={"stop_price": float(change.value)}))
            return True
    return False


def _request(a: Action) -> OrderRequest | None:
    if a.name != "place_order" or not a.args:
        return None
    req = a.args[0]
    if isinstance(req, OrderRequest):
        return req
    try:
        return OrderRequest.model_validate(req)
    except Exception:  # a malformed request was refused the first time too
        return None


def _with(a: Action, req: OrderRequest) -> Action:
    return Action(a.t_ms, a.positions, a.name, (req, *a.args[1:]), a.kwargs)
