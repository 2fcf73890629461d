"""Seeded synthetic price model: a log random walk with slow volatility regimes and occasional jumps.

* index: ``log index`` random walk; volatility regime (calm / normal / wild) may switch at each block start
  (mean regime life ``REGIME_LIFE_S``); jumps arrive as a Poisson process (about one per ``JUMP_EVERY_S``).
* last: ``index × (1 + premium) × (1 + noise)`` rounded to tick, the premium a slow plus a fast mean-reverting
  (Ornstein–Uhlenbeck) process, so the funding rate derived from it (MECHANICS §5) is not constant.
* mark from index and funding rate (:mod:`terminal.feeds.mark`): a wick in last never moves the mark.
* dated futures: ``F = 0``, last carries a basis that decays linearly to zero at expiry, mark = index + that basis.

Ticks are produced in blocks of ``BLOCK`` ticks, block ``b`` from ``np.random.default_rng([seed, crc32(symbol), b])``
with the state carried from the previous block, so the path is the same on any machine and for any chunking.
"""
from __future__ import annotations

import math
import zlib
from typing import Any, NamedTuple

import numpy as np

from terminal.domain.instruments import Instrument
from terminal.feeds.base import BlockFeed, TickBatch, ar1
from terminal.feeds.mark import FundingState, funding_rate_from_premium, mark_for, round_to_tick

YEAR_S = 365.0 * 86400.0
REGIME_MULT = np.array([0.55, 1.0, 2.0])  # calm, normal, wild
REGIME_NAMES = ("calm", "normal", "wild")
REGIME_LIFE_S = 3 * 3600.0
JUMP_EVERY_S = 2 * 3600.0
JUMP_SIZE = 0.005  # std of a jump in log price (normal regime)
PREMIUM_SLOW = (4 * 3600.0, 0.0006)  # (time constant s, stationary std)
PREMIUM_FAST = (60.0, 0.0002)
MICRO_NOISE = 0.00005
DATED_BASIS0 = 0.003  # dated future: basis at feed start, decays to 0 at expiry


class SynthState(NamedTuple):
    log_index: float
    regime: int
    prem_slow: float
    prem_fast: float
    funding: FundingState


class SyntheticFeed(BlockFeed):
    kind = "synthetic"

    def __init__(
        self,
        instrument: Instrument,
        *,
        seed: int,
        start_ms: int,
        price: float | None = None,
        tick_interval_ms: int = 100,
        vol: float = 0.65,
    ) -> None:
        if tick_interval_ms <= 0:
            raise ValueError("tick_interval_ms must be positive")
        self.seed = int(seed)
        self.price = float(price if price is not None else instrument.typical_price)
        self.tick_interval_ms = int(tick_interval_ms)
        self.vol = float(vol)
        self._sym_key = zlib.crc32(instrument.symbol.encode())
        super().__init__(instrument, start_ms)

    def _initial_state(self) -> SynthState:
        return SynthState(math.log(self.price), 1, 0.0, 0.0, FundingState())

    def _pack(self, state: Any) -> list[float]:
        st: SynthState = state
        f = st.funding
        return [st.log_index, st.regime, st.prem_slow, st.prem_fast, f.next_funding, f.premium_sum, f.samples]

    def _unpack(self, values: list[float]) -> SynthState:
        log_index, regime, slow, fast, nxt, psum, count = values
        return SynthState(float(log_index), int(regime), float(slow), float(fast),
                          FundingState(int(nxt), float(psum), int(count)))

    def _generate(self, block_no: int, state: Any) -> tuple[TickBatch, SynthState]:
        st: SynthState = state
        n = self.BLOCK
        dt_s = self.tick_interval_ms / 1000.0
        rng = np.random.default_rng([self.seed & 0xFFFFFFFFFFFF, self._sym_key, block_no])
        t = self.start_ms + (block_no * n + np.arange(n, dtype=np.int64)) * self.tick_interval_ms

        regime = st.regime
        switch_p = 1.0 - math.exp(-n * dt_s / REGIME_LIFE_S)
        u_switch, u_pick = rng.random(2)
        if block_no > 0 and u_switch < switch_p:
            others = [r for r in range(3) if r != regime]
            regime = others[int(u_pick * 2)]
        mult = float(REGIME_MULT[regime])

        sigma = self.vol * mult * math.sqrt(dt_s / YEAR_S)
        steps = sigma * rng.standard_normal(n)
        jumps = rng.random(n) < dt_s / JUMP_EVERY_S
        jump_z = rng.standard_normal(n)
        steps = steps + np.where(jumps, JUMP_SIZE * mult * jump_z, 0.0)
        log_index = st.log_index + np.cumsum(steps)
        index = np.exp(log_index)

        a_s = math.exp(-dt_s / PREMIUM_SLOW[0])
        a_f = math.exp(-dt_s / PREMIUM_FAST[0])
        prem_slow = ar1(PREMIUM_SLOW[1] * math.sqrt(1 - a_s * a_s) * rng.standard_normal(n), a_s, st.prem_slow)
        prem_fast = ar1(PREMIUM_FAST[1] * math.sqrt(1 - a_f * a_f) * rng.standard_normal(n), a_f, st.prem_fast)
        noise = MICRO_NOISE * rng.standard_normal(n)

        inst = self.instrument
        if inst.expiry is not None:
            mark = mark_for(inst, index, np.zeros(n), t, start_ms=self.start_ms, basis0=DATED_BASIS0)
            last = round_to_tick(mark * (1.0 + prem_fast) * (1.0 + noise), inst)
            funding = np.zeros(n)
            fstate = st.funding
        else:
            last = round_to_tick(index * (1.0 + prem_slow + prem_fast) * (1.0 + noise), inst)
            funding, fstate = funding_rate_from_premium(t, last / index - 1.0, inst, st.funding)
            mark = mark_for(inst, index, funding, t, start_ms=self.start_ms)
        batch = TickBatch(t, last, index, mark, funding)
        nxt = SynthState(float(log_index[-1]), regime, float(prem_slow[-1]), float(prem_fast[-1]), fstate)
        return batch, nxt

    def regime_at(self, position: int) -> str:
        """Name of the volatility regime of the block holding tick ``position`` (for display)."""
        no = position // self.BLOCK
        self._block(no)
        return REGIME_NAMES[self._states[no + 1].regime]

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "symbol": self.symbol,
            "seed": self.seed,
            "start_ms": self.start_ms,
            "price": self.price,
            "tick_interval_ms": self.tick_interval_ms,
            "vol": self.vol,
        }
