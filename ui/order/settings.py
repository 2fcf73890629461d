"""The order form's leverage and margin actions: apply the leverage / margin mode the trader picks (through the
order service), add or remove isolated margin, and preview an open position's liquidation price at another
leverage or margin. Mixed into :class:`ui.order.form.OrderForm`, which owns the widgets named below."""
from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.domain.money import to_minor
from terminal.session.frame import PositionView
from terminal.session.order_service import Acknowledgement
from ui.order import previews

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from terminal.domain.instruments import Instrument
    from terminal.session.order_service import OrderService
    from ui.order.leverage import LeverageControl, MarginAdjuster
    from ui.services.bridge import SessionBridge


class SettingsActions:
    """Leverage / margin-mode / isolated-margin actions and their previews (the form provides the attributes)."""

    bridge: SessionBridge
    orders: OrderService
    inst: Instrument
    leverage: LeverageControl
    margin: MarginAdjuster
    lev_preview: QLabel
    _labels: dict[str, QLabel]
    _lev_preview: float | None

    if TYPE_CHECKING:  # the form's own methods
        def refresh(self) -> None: ...

        def say(self, text: str, kind: str | None = None) -> None: ...

        def _sync_settings(self) -> None: ...

    # ---------------------------------------------------------------- position previews
    def _position(self) -> PositionView | None:
        f = self.bridge.last
        return f.snapshot.position(self.inst.symbol) if f else None

    def _position_preview(self) -> None:
        pos = self._position()
        isolated_open = pos is not None and pos.margin_mode == "isolated"
        lev = self._lev_preview
        preview = None if lev is None else self.orders.preview_leverage(self.inst.symbol, lev)
        previews.show_leverage_preview(self.inst, preview, self.lev_preview)
        self.margin.setVisible(isolated_open)
        self._labels["Isolated"].setVisible(isolated_open)

    def _margin_preview(self) -> None:
        amount = self.margin.amount.value()
        previews.show_margin_preview(self.inst, self.orders.preview_margin(self.inst.symbol, amount), self.margin.preview)

    # ---------------------------------------------------------------- actions
    def _on_lev_preview(self, lev: float) -> None:
        self._lev_preview = lev
        self.refresh()

    def _setting(self) -> tuple[float, bool] | None:
        """(leverage, cross) the exchange has for the form's symbol, from the latest frame."""
        f = self.bridge.last
        if f is None or f.symbol != self.inst.symbol:
            return None
        return f.setting.leverage, f.setting.cross

    def _apply_leverage(self, lev: float) -> None:
        s = self._setting()
        if s is not None and abs(s[0] - lev) < 1e-9:
            self._lev_preview = None
            self.refresh()
            return
        self._apply(self.orders.set_leverage(self.inst.symbol, lev))

    def _apply_mode(self, cross: bool) -> None:
        self._apply(self.orders.set_margin_mode(self.inst.symbol, cross, self.leverage.value))

    def _apply(self, ack: Acknowledgement) -> bool:
        """After a settings action (already sent): say a refusal, show what the exchange now has."""
        if not ack.accepted:
            self.say(ack.reason or "Refused.", "reject")
        self._sync_settings()
        self.refresh()
        return bool(ack.accepted)

    def _adjust_margin(self, amount: float) -> None:
        if self._apply(self.orders.add_margin(self.inst.symbol, to_minor(self.inst.settle_currency, amount))):
            self.say(f"Margin {'added' if amount > 0 else 'removed'}: {abs(amount):g} {self.inst.settle_currency}.", "ok")

    def ensure_settings(self) -> bool:
        """Make the exchange's leverage / margin mode for the symbol equal what the form shows."""
        s = self._setting()
        lev, cross = self.leverage.value, self.leverage.cross
        if s is not None and abs(s[0] - lev) < 1e-9 and s[1] == cross:
            return True
        return self._apply(self.orders.set_margin_mode(self.inst.symbol, cross, lev))
