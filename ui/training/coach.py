"""The risk coach under the order form: the guide's advice as warnings with a one-line reason each — above the
beginner leverage limit (5x by default, configurable), no stop-loss attached, a stop that risks more than the
plan — and the position size for "risk 2–3 % of the account with a stop at X". It never blocks an order, and an
expert switches it off. Every number is ``terminal.domain.training.coach`` / ``position_size_for_risk``.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.training import CoachSettings, CoachWarning, coach, position_size_for_risk
from ui.services.bridge import Frame
from ui.style import format as fmt
from ui.style import theme


def resting_stop(orders: Any, symbol: str, direction: int) -> float | None:
    """The nearest resting stop-loss of the position: a reduce-only (or close-on-trigger) stop order on the side that
    closes it, below the price for a long, above for a short. Take-profits do not count."""
    best: float | None = None
    closing_side = "sell" if direction > 0 else "buy"
    for o in orders:  # the frame's open orders
        otype = getattr(o.type, "value", o.type)
        if (o.symbol != symbol or o.side != closing_side or o.stop_price is None or str(otype).startswith("take_profit")
                or not (o.reduce_only or getattr(o, "close_on_trigger", False))):
            continue
        if best is None or (o.stop_price > best if direction > 0 else o.stop_price < best):
            best = float(o.stop_price)
    return best


class RiskCoach(QFrame):
    """Reads the order form (``form``: :class:`ui.order.form.OrderForm`) and shows the warnings for it."""

    def __init__(self, form: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coach.panel")
        self.form = form
        self.settings = CoachSettings()
        self.current: list[CoachWarning] = []
        self.suggested = 0
        self._key: tuple[object, ...] = ()
        head = QLabel("Risk coach")
        head.setProperty("role", "caption")
        self.warnings = QLabel("")
        self.warnings.setObjectName("coach.warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.risk = QDoubleSpinBox()
        self.risk.setObjectName("coach.riskPct")
        self.risk.setRange(0.1, 10.0)
        self.risk.setDecimals(1)
        self.risk.setSingleStep(0.5)
        self.risk.setValue(2.0)
        self.risk.setSuffix(" % risk")
        self.sizing = QLabel("")
        self.sizing.setObjectName("coach.suggestedSize")
        self.sizing.setWordWrap(True)
        self.sizing.setProperty("role", "caption")
        self.use = QPushButton("Use size")
        self.use.setObjectName("coach.useSize")
        self.use.setToolTip("Put the suggested size in the order form")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.risk)
        row.addWidget(self.sizing, 1)
        row.addWidget(self.use)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(head)
        lay.addWidget(self.warnings)
        lay.addLayout(row)
        self.risk.valueChanged.connect(lambda _v: self.update_now())
        self.use.clicked.connect(self.use_size)
        f = form
        for sig in (f.size_box.textEdited, f.size_unit.currentIndexChanged, f.order_type.currentIndexChanged,
                    f.price.valueChanged, f.stop_price.valueChanged, f.leverage.previewed, f.leverage.committed,
                    f.tpsl.changed, f.reduce_only.toggled):
            sig.connect(lambda *_: self.update_now())
        f.bridge.frame.connect(self._on_frame)
        f.bridge.symbolChanged.connect(lambda _s: self.update_now())
        f.bridge.sessionChanged.connect(lambda *_: self.update_now())  # another account: its own balance and orders
        self.update_now()

    # ---------------------------------------------------------------- settings
    def set_enabled(self, on: bool) -> None:
        self.settings = replace(self.settings, enabled=on)
        self.update_now()

    def set_settings(self, settings: CoachSettings) -> None:
        self.settings = settings
        self.risk.setMaximum(max(10.0, settings.max_risk_pct))
        self.update_now()

    # ---------------------------------------------------------------- evaluation
    def _inputs(self) -> tuple[Any, int, int, float, float, int, float | None] | None:
        form = self.form
        d = form.draft()
        if isinstance(d, str) or form.reduce_only.isChecked():
            return None
        inst = form.inst
        entry = form.entry_estimate(d)
        lev = form.leverage.value
        pos = form.bridge.last.position(inst.symbol) if form.bridge.last is not None else None
        direction = 1 if pos is None or pos.size >= 0 else -1
        spec = form.tpsl.spec()
        if not isinstance(spec, str) and spec.sl is not None and spec.unit == "Price":
            direction = 1 if spec.sl < entry else -1  # a stop below the entry protects a long
        stop = form.tpsl.stop_for(inst, direction, d.qty, entry, lev)
        if stop is None:  # a reduce-only stop already resting on the position is a stop-loss too
            last = form.bridge.last
            stop = resting_stop(last.snapshot.orders if last is not None else (), inst.symbol, direction)
        snap = form.bridge.last.snapshot if form.bridge.last is not None else None
        wallet = snap.wallets.get(inst.settle_currency) if snap is not None else None
        account = wallet.margin_balance_minor if wallet is not None else 0
        return inst, direction, d.qty, entry, lev, account, stop

    def _on_frame(self, frame: Frame) -> None:
        if frame.ticks or frame.changed:
            self.update_now()

    def update_now(self) -> None:
        s = self.settings
        got = self._inputs() if s.enabled else None
        key = (s, self.risk.value(), None if got is None else (got[0].symbol, *got[1:3],
               round(got[3], 4 - int(math.log10(max(got[3], 1e-9)))), *got[4:]))
        if key == self._key:
            return
        self._key = key
        self.setVisible(s.enabled)
        if got is None:
            self.current = []
            self.warnings.setText("")
            self.sizing.setText("")
            self.use.setEnabled(False)
            return
        inst, direction, qty, entry, lev, account, stop = got
        self.current = coach(inst, direction, qty, entry, lev, account, stop, s)
        if self.current:
            self.warnings.setText("<br>".join(f"<span style='color:{theme.AMBER}'>⚠</span> {w.text}"
                                              for w in self.current))
        else:
            self.warnings.setText(f"<span style='color:{theme.LONG}'>✔ Within the plan: "
                                  f"{fmt.leverage(lev)}, stop attached.</span>")
        if stop is None:
            self.suggested = 0
            self.sizing.setText("Type a stop-loss (TP / SL) to size the position from your risk.")
            self.use.setEnabled(False)
            return
        self.suggested = position_size_for_risk(inst, direction, entry, stop, account, self.risk.value())
        self.sizing.setText(f"with the stop at {fmt.price(inst, stop)} → <b>{fmt.qty(self.suggested)}</b> contracts")
        self.sizing.setTextFormat(Qt.TextFormat.RichText)
        self.use.setEnabled(self.suggested > 0)

    def use_size(self) -> None:
        if self.suggested > 0:
            self.form.size_unit.setCurrentIndex(0)
            self.form.size_box.setText(str(self.suggested))
            self.form.refresh()
            self.update_now()


class CoachSettingsDialog(QDialog):
    def __init__(self, settings: CoachSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coach.settings")
        self.setWindowTitle("Risk coach")
        self.enabled = QCheckBox("Coach me (warnings only, never blocks an order)")
        self.enabled.setObjectName("coach.enabled")
        self.enabled.setChecked(settings.enabled)
        self.max_lev = QDoubleSpinBox()
        self.max_lev.setObjectName("coach.maxLeverage")
        self.max_lev.setRange(1.0, 100.0)
        self.max_lev.setSuffix("x")
        self.max_lev.setValue(settings.beginner_max_leverage)
        self.max_risk = QDoubleSpinBox()
        self.max_risk.setObjectName("coach.maxRisk")
        self.max_risk.setRange(0.1, 20.0)
        self.max_risk.setDecimals(1)
        self.max_risk.setSuffix(" % of the account")
        self.max_risk.setValue(settings.max_risk_pct)
        form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow("Warn above leverage", self.max_lev)
        form.addRow("Warn when a stop risks more than", self.max_risk)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def result_settings(self) -> CoachSettings:
        return CoachSettings(enabled=self.enabled.isChecked(), beginner_max_leverage=self.max_lev.value(),
                             max_risk_pct=self.max_risk.value())
