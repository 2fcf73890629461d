"""Leverage side by side: "ghost" positions at several leverages opened with the same stake on the same entry,
followed along the mark price — each ghost's equity and liquidation price, and who survives. The product's core
lesson in one picture. Ghosts are pure arithmetic on the price path and the margin formulas: they never touch the
account, the exchange or its ledger.

Each ghost puts the same initial margin (the stake) at its leverage, so its size is ``stake × leverage`` of value;
its liquidation price is the isolated-margin one (:func:`terminal.domain.margin.figures`). Its equity, as a share
of the stake, is ``1 + PnL(mark) / stake`` until the mark reaches the liquidation price; then the margin is gone
(isolated liquidation loses the position margin) and the ghost stays at 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from terminal.domain.instruments import Instrument
from terminal.domain.margin import figures

DEFAULT_LEVERAGES = (2.0, 10.0, 25.0, 100.0)
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Ghost:
    leverage: float
    direction: int  # +1 long, -1 short
    qty: int  # contracts
    entry: float
    margin_minor: int  # the initial margin actually put up (the stake, to the lot)
    liquidation: float | None  # mark price at which the ghost is liquidated


def parse_leverages(text: str, max_leverage: float) -> list[float] | str:
    """``"2, 10, 25, 100"`` → ``[2.0, 10.0, 25.0, 100.0]``, or the reason it cannot be used (one line)."""
    out: list[float] = []
    for part in text.replace(";", ",").replace("x", "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            lev = float(part)
        except ValueError:
            return f"“{part}” is not a leverage (type numbers such as 2, 10, 25, 100)"
        if not math.isfinite(lev) or lev < 1 or lev > max_leverage:
            return f"leverage {part} is outside 1–{max_leverage:g}x"
        if lev not in out:
            out.append(lev)
    if not out:
        return "type at least one leverage (e.g. 2, 10, 25, 100)"
    if len(out) > 8:
        return "at most 8 ghosts side by side"
    return sorted(out)


def open_ghosts(inst: Instrument, direction: int, entry: float, stake_minor: int,
                leverages: tuple[float, ...] | list[float] = DEFAULT_LEVERAGES) -> list[Ghost]:
    """One ghost per leverage, each with ``stake_minor`` of initial margin at ``entry`` (sizes to the lot)."""
    ghosts = []
    one = inst.value_minor(inst.lot_size, entry)  # value of one lot at the entry
    for lev in leverages:
        lots = max(1, int(stake_minor * lev // max(one, 1)))
        qty = lots * inst.lot_size
        f = figures(inst, direction, qty, entry, lev)
        ghosts.append(Ghost(lev, direction, qty, entry, f.initial_margin, f.liquidation_price))
    return ghosts


def pnl_minor(inst: Instrument, g: Ghost, price: Floats) -> Floats:
    """The ghost's PnL at ``price`` (vectorised; minor units, unrounded)."""
    if inst.kind == "inverse":
        with np.errstate(divide="ignore"):
            return g.direction * g.qty * abs(inst.multiplier) * (1.0 / g.entry - 1.0 / price)
    return g.direction * g.qty * inst.multiplier * (price - g.entry)


@dataclass
class GhostRun:
    """Ghosts followed along a price path, a batch of rows at a time (rows: time ms, mark)."""

    inst: Instrument
    ghosts: list[Ghost]
    opened_ms: int
    liquidated_ms: dict[float, int] = field(default_factory=dict)  # leverage → time of liquidation
    t: list[Floats] = field(default_factory=list)
    equity: list[Floats] = field(default_factory=list)  # one (n, len(ghosts)) block per batch: equity / stake
    last_ms: float = -math.inf

    def feed(self, t_ms: Floats, mark: Floats) -> None:
        """Follow the ghosts over the rows after the last one fed (in time order)."""
        keep = (t_ms > self.last_ms) & (t_ms >= self.opened_ms) & np.isfinite(mark)
        t_ms, mark = t_ms[keep], mark[keep]
        if not len(t_ms):
            return
        block = np.empty((len(t_ms), len(self.ghosts)))
        for k, g in enumerate(self.ghosts):
            eq = 1.0 + pnl_minor(self.inst, g, mark) / max(g.margin_minor, 1)
            done = self.liquidated_ms.get(g.leverage)
            if done is not None:
                eq[:] = 0.0
            elif g.liquidation is not None:
                hit = mark <= g.liquidation if g.direction > 0 else mark >= g.liquidation
                if hit.any():
                    i = int(np.argmax(hit))
                    self.liquidated_ms[g.leverage] = int(t_ms[i])
                    eq[i:] = 0.0
            block[:, k] = np.maximum(eq, 0.0)
        self.t.append(t_ms.astype(np.float64))
        self.equity.append(block)
        self.last_ms = float(t_ms[-1])
        if len(self.t) > 64:  # keep the list short: one array per many batches
            self.t, self.equity = [np.concatenate(self.t)], [np.concatenate(self.equity)]

    def series(self) -> tuple[Floats, Floats]:
        """(times ms, equity / stake per ghost as columns), every row fed so far."""
        if not self.t:
            return np.empty(0), np.empty((0, len(self.ghosts)))
        return np.concatenate(self.t), np.concatenate(self.equity)

    def survivors(self) -> list[Ghost]:
        return [g for g in self.ghosts if g.leverage not in self.liquidated_ms]
