"""The simulated market of a session: one :class:`SymbolBook` per traded instrument, and the fill model.

Fill models (a preset per account and per script, ``[market] fill_model``):

* ``ideal`` — today's exchange exactly: unlimited depth at last ± one tick, resting limits fill when the last trade
  goes through them. The tape and candles still show the background prints, at the feed's last price.
* ``realistic`` (default) — orders walk the profile's book, take depth that refills, resting limits queue.
* ``stressed`` — the same book with the profile's full stress (spread × ``stress_spread_mult``, depth ×
  ``stress_depth_mult``) all the time.
"""
from __future__ import annotations

from typing import Literal

import numpy as np

from terminal.domain.instruments import Catalog
from terminal.market.book import SymbolBook
from terminal.market.crowd import CrowdSpec, draw_crowd
from terminal.market.profiles import profile_for

FillModel = Literal["ideal", "realistic", "stressed"]
FILL_MODELS: tuple[FillModel, ...] = ("ideal", "realistic", "stressed")
DEFAULT_FILL_MODEL: FillModel = "realistic"
STRESS_FLOOR: dict[str, float] = {"ideal": 0.0, "realistic": 0.0, "stressed": 1.0}


class MarketSim:
    """Books of every symbol a session trades, created on first use."""

    def __init__(self, catalog: Catalog, *, seed: int = 0, fill_model: FillModel = DEFAULT_FILL_MODEL) -> None:
        if fill_model not in FILL_MODELS:
            raise ValueError(f"unknown fill model {fill_model!r}; choose one of {', '.join(FILL_MODELS)}")
        self.catalog = catalog
        self.seed = int(seed)
        self.fill_model: FillModel = fill_model
        self.books: dict[str, SymbolBook] = {}
        self.crowds: dict[str, CrowdSpec] = {}
        self.stress: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.recorded: set[str] = set()  # symbols replaying recorded history (orders cannot move it)
        self.recorded_quotes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self.recorded_trades: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @property
    def ideal(self) -> bool:
        return self.fill_model == "ideal"

    def set_fill_model(self, model: FillModel) -> None:
        """Switch the preset (a trainer shows the difference on the same seed); books keep their state."""
        if model not in FILL_MODELS:
            raise ValueError(f"unknown fill model {model!r}; choose one of {', '.join(FILL_MODELS)}")
        self.fill_model = model
        for b in self.books.values():
            b.stress_floor = STRESS_FLOOR[model]

    def set_crowd(self, symbol: str, spec: CrowdSpec | None) -> None:
        """Give ``symbol`` a crowd of leveraged positions (drawn at the first price the book sees)."""
        if spec is None:
            self.crowds.pop(symbol, None)
        else:
            self.crowds[symbol] = spec
        self.books.pop(symbol, None)

    def set_stress(self, symbol: str, stretches: list[tuple[int, int, float]]) -> None:
        """Stressed stretches of time ``(start_ms, end_ms, level 0…1)`` for ``symbol`` (from a scenario)."""
        s = sorted(stretches)
        self.stress[symbol] = (np.array([a for a, _, _ in s], np.int64), np.array([b for _, b, _ in s], np.int64),
                               np.array([min(max(x, 0.0), 1.0) for _, _, x in s]))
        if symbol in self.books:
            self.books[symbol].stress = self.stress[symbol]

    def set_recorded(self, symbol: str, *,
                     quotes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
                     trades: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> None:
        """``symbol`` replays recorded history: a quote dump's touch (time, bid, ask, bid size, ask size) the book
        stands on, or a trade dump's trades (time, price, size) for the tape. Orders fill against it and never
        move it (the last price stays the recorded one). Both None: no longer recorded."""
        if quotes is None and trades is None:
            self.recorded.discard(symbol)
        else:
            self.recorded.add(symbol)
        if quotes is None:
            self.recorded_quotes.pop(symbol, None)
        else:
            self.recorded_quotes[symbol] = quotes
        if trades is None:
            self.recorded_trades.pop(symbol, None)
        else:
            self.recorded_trades[symbol] = trades
        self.books.pop(symbol, None)

    def book(self, symbol: str, first_price: float | None = None) -> SymbolBook:
        b = self.books.get(symbol)
        if b is None:
            inst = self.catalog[symbol]
            seed = self.seed * 1_000_003 + self.catalog.symbols.index(symbol)
            crowd_spec = self.crowds.get(symbol)
            crowd = None
            if crowd_spec is not None:
                crowd = draw_crowd(crowd_spec, first_price or inst.typical_price, seed)
            b = SymbolBook(inst, profile_for(inst), seed=seed, stress_floor=STRESS_FLOOR[self.fill_model],
                           crowd=crowd, stress=self.stress.get(symbol))
            b.recorded_quotes = self.recorded_quotes.get(symbol)
            b.recorded_trades = self.recorded_trades.get(symbol)
            self.books[symbol] = b
        return b
