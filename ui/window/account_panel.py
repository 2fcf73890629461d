"""Account summary for one settlement currency: balances and the margin-ratio gauge."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from terminal.session.frame import WalletView
from ui.style import format as fmt
from ui.style import theme

FIELDS = (
    ("walletBalance", "Wallet Balance", "wallet_balance_minor"),
    ("unrealisedPnl", "Unrealised PnL", "unrealised_pnl_minor"),
    ("marginBalance", "Margin Balance", "margin_balance_minor"),
    ("positionMargin", "Position Margin", "position_margin_minor"),
    ("orderMargin", "Order Margin", "order_margin_minor"),
    ("availableBalance", "Available Balance", "available_balance_minor"),
)
WARN, DANGER = 0.5, 0.8


def ratio_level(ratio: float) -> str:
    return "danger" if ratio >= DANGER else "warn" if ratio >= WARN else "ok"


class AccountPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account")
        self.grid = grid = QGridLayout(self)
        self.cells: list[tuple[QWidget, QWidget]] = []  # (caption, value) in reading order
        self.per_row = len(FIELDS) + 1
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        self._last: WalletView | None = None
        self._pnl_colour = ""
        for col, (name, title, _) in enumerate(FIELDS):
            cap = QLabel(title)
            cap.setProperty("role", "caption")
            cap.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            val = QLabel(fmt.DASH)
            val.setObjectName(f"account.{name}")
            val.setProperty("role", "value")
            val.setFont(theme.mono_font(1))
            val.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            val.setMinimumWidth(96)
            grid.addWidget(cap, 0, col)
            grid.addWidget(val, 1, col)
            self.cells.append((cap, val))
            self.values[name] = val
        cap = QLabel("Margin Ratio")
        cap.setProperty("role", "caption")
        self.ratio = QProgressBar()
        self.ratio.setObjectName("account.marginRatio")
        self.ratio.setRange(0, 1000)
        self.ratio.setFormat("%p %")
        self.ratio.setMinimumWidth(100)
        self.ratio.setProperty("level", "ok")
        self.ratio.setToolTip("Maintenance margin ÷ margin left of the position nearest liquidation; 100 % = liquidated")
        grid.addWidget(cap, 0, len(FIELDS))
        grid.addWidget(self.ratio, 1, len(FIELDS))
        grid.setColumnStretch(len(FIELDS), 1)
        self.cells.append((cap, self.ratio))
        self.refit()

    # ---------------------------------------------------------------- fitting a narrow screen
    def _row_width(self, per_row: int) -> int:
        widths = [max(c.minimumSizeHint().width(), v.minimumSizeHint().width(), v.minimumWidth())
                  for c, v in self.cells]
        cols = [max(widths[i::per_row]) for i in range(per_row)]
        m = self.grid.contentsMargins()
        return sum(cols) + self.grid.horizontalSpacing() * (per_row - 1) + m.left() + m.right()

    def refit(self) -> None:
        """One row of read-outs when they fit, else two rows (a 1280-wide projector in presenter mode); the panel's
        minimum is the two-row width, so it never holds the window wider than the screen."""
        self.setMinimumWidth(self._row_width((len(self.cells) + 1) // 2))
        self._arrange(len(self.cells) if self.width() >= self._row_width(len(self.cells)) else (len(self.cells) + 1) // 2)
        self._fit_height()

    def _fit_height(self) -> None:
        """No taller than its rows: on a short screen the height it would stretch into goes to the charts."""
        self.grid.invalidate()
        self.setMaximumHeight(self.grid.sizeHint().height())

    def _arrange(self, per_row: int) -> None:
        if per_row == self.per_row:
            return
        self.per_row = per_row
        for cap, val in self.cells:
            self.grid.removeWidget(cap)
            self.grid.removeWidget(val)
        for c in range(len(self.cells) + 1):
            self.grid.setColumnStretch(c, 0)
        for i, (cap, val) in enumerate(self.cells):
            r, c = divmod(i, per_row)
            self.grid.addWidget(cap, 2 * r, c)
            self.grid.addWidget(val, 2 * r + 1, c)
        self.grid.setColumnStretch(per_row, 1)  # an empty last column takes the slack: read-outs stay together
        self._fit_height()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._arrange(len(self.cells) if self.width() >= self._row_width(len(self.cells)) else (len(self.cells) + 1) // 2)

    def update_wallet(self, w: WalletView | None) -> None:
        if w == self._last:
            return
        self._last = w
        if w is None:
            for lab in self.values.values():
                lab.setText(fmt.DASH)
            self._set_ratio(0.0)
            return
        for name, _, attr in FIELDS:
            minor = getattr(w, attr)
            lab = self.values[name]
            lab.setText(fmt.money(w.currency, minor, sign=name == "unrealisedPnl"))
            if name == "unrealisedPnl":
                colour = theme.sign_colour(minor)
                if colour != self._pnl_colour:  # a style sheet set re-polishes the label: only when it changes
                    self._pnl_colour = colour
                    lab.setStyleSheet(f"color: {colour}")
        self._set_ratio(w.margin_ratio)

    def _set_ratio(self, ratio: float) -> None:
        value = round(ratio * 1000)
        level = ratio_level(ratio)
        if value == self.ratio.value() and level == self.ratio.property("level"):
            return  # the gauge shows 0.1 % steps: most frames leave it alone
        self.ratio.setValue(value)
        self.ratio.setFormat(f"{ratio * 100:.1f} %")
        if self.ratio.property("level") != level:
            self.ratio.setProperty("level", level)
            self.ratio.style().unpolish(self.ratio)
            self.ratio.style().polish(self.ratio)
