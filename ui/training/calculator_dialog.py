"""The calculator dialog (like BitMEX's order-form calculator): PnL and ROE at an exit, the target price for a
ROE, and the liquidation price. Every figure comes from ``terminal.domain.calc.calculate`` (the ``calc`` command),
the verdict from ``terminal.domain.training.calculator`` ("Liquidated at X before reaching the exit" when the exit lies
beyond the liquidation price) and the target from ``terminal.domain.margin.target_price_for_roe``.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from terminal.domain.calc import calculate
from terminal.domain.errors import TerminalError
from terminal.domain.instruments import Catalog
from terminal.domain.margin import target_price_for_roe
from terminal.domain.training import calculator
from ui.style import format as fmt
from ui.style import theme

OUTPUTS = [("Order value", "orderValue"), ("Cost", "cost"), ("Initial margin", "initialMargin"),
           ("Maintenance margin", "maintMargin"), ("Liquidation price", "liquidationPrice"),
           ("Bankruptcy price", "bankruptcyPrice"), ("PnL at exit", "pnl"), ("ROE at exit", "roe"),
           ("Target price for ROE", "targetPrice")]


class CalculatorDialog(QDialog):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calculator.dialog")
        self.setWindowTitle("Calculator")
        self.catalog = catalog
        self.symbol = QComboBox()
        self.symbol.setObjectName("calculator.symbol")
        self.symbol.addItems(catalog.symbols)
        self.side = QComboBox()
        self.side.setObjectName("calculator.side")
        self.side.addItems(["Long", "Short"])
        self.qty = self._spin("calculator.qty", 0, 1e9)
        self.entry = self._spin("calculator.entry", 0, 1e9)
        self.exit = self._spin("calculator.exit", 0, 1e9)
        self.leverage = self._spin("calculator.leverage", 1, 100, 2)
        self.leverage.setSuffix("x")
        self.target_roe = self._spin("calculator.targetRoe", -100, 100_000, 2)
        self.target_roe.setSuffix(" %")
        self.target_roe.setValue(100.0)

        form = QFormLayout()
        for title, w in (("Symbol", self.symbol), ("Side", self.side), ("Quantity (contracts)", self.qty),
                         ("Entry price", self.entry), ("Exit price", self.exit), ("Leverage", self.leverage),
                         ("Target ROE", self.target_roe)):
            form.addRow(title, w)
        self.out: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setVerticalSpacing(3)
        for r, (title, key) in enumerate(OUTPUTS):
            cap = QLabel(title)
            cap.setProperty("role", "caption")
            lab = QLabel(fmt.DASH)
            lab.setObjectName(f"calculator.{key}")
            lab.setFont(theme.mono_font(1))
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.out[key] = lab
            grid.addWidget(cap, r, 0)
            grid.addWidget(lab, r, 1)
        self.out["liquidationPrice"].setStyleSheet(f"color: {theme.LIQ}")
        self.verdict = QLabel("")
        self.verdict.setObjectName("calculator.verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setMinimumHeight(44)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addSpacing(6)
        lay.addLayout(grid)
        lay.addWidget(self.verdict)
        lay.addWidget(buttons)
        self.setMinimumWidth(420)

        self.symbol.currentTextChanged.connect(self._on_symbol)
        for sig in (self.side.currentIndexChanged, self.qty.valueChanged, self.entry.valueChanged,
                    self.exit.valueChanged, self.leverage.valueChanged, self.target_roe.valueChanged):
            sig.connect(lambda *_: self.recompute())
        self._on_symbol(self.symbol.currentText())

    def _spin(self, name: str, lo: float, hi: float, decimals: int = 0) -> QDoubleSpinBox:
        s = theme.number_field(name)
        s.setRange(lo, hi)
        s.setDecimals(decimals)
        s.setGroupSeparatorShown(True)
        return s

    def _on_symbol(self, symbol: str) -> None:
        inst = self.catalog[symbol]
        for w in (self.entry, self.exit):
            w.blockSignals(True)
            w.setDecimals(inst.tick_decimals)
            w.setSingleStep(inst.tick_size)
            w.blockSignals(False)
        self.leverage.setMaximum(inst.max_leverage)
        self.qty.setSingleStep(inst.lot_size)
        self.recompute()

    def set_inputs(self, *, symbol: str, side: str, qty: float, entry: float, exit_price: float,
                   leverage: float, target_roe: float | None = None) -> None:
        """Fill every input at once (from the order form, or from a test), then recompute once."""
        widgets = (self.symbol, self.side, self.qty, self.entry, self.exit, self.leverage, self.target_roe)
        for w in widgets:
            w.blockSignals(True)
        self.symbol.setCurrentText(symbol)
        self._on_symbol(symbol)
        self.side.setCurrentIndex(0 if side == "buy" else 1)
        self.qty.setValue(qty)
        self.entry.setValue(entry)
        self.exit.setValue(exit_price)
        self.leverage.setValue(leverage)
        if target_roe is not None:
            self.target_roe.setValue(target_roe)
        for w in widgets:
            w.blockSignals(False)
        self.recompute()

    def inputs(self) -> dict[str, Any]:
        return {"symbol": self.symbol.currentText(), "side": "buy" if self.side.currentIndex() == 0 else "sell",
                "qty": self.qty.value(), "entry": self.entry.value(), "leverage": self.leverage.value(),
                "exit_price": self.exit.value()}

    def recompute(self) -> None:
        a = self.inputs()
        inst = self.catalog[a["symbol"]]
        try:
            r = calculate(self.catalog, **a)
        except TerminalError as exc:
            for lab in self.out.values():
                lab.setText(fmt.DASH)
            self._say(str(exc)[:1].upper() + str(exc)[1:] + ".", theme.AMBER)
            return
        except ValueError as exc:
            for lab in self.out.values():
                lab.setText(fmt.DASH)
            self._say(str(exc), theme.AMBER)
            return
        cur = r["currency"]

        def money(v: float) -> str:
            return f"{v:,.{8 if cur == 'XBT' else 2}f} {cur}"

        direction = 1 if a["side"] == "buy" else -1
        verdict = calculator(inst, direction, r["qty"], r["entry_price"], r["exit_price"], r["leverage"])
        self.out["orderValue"].setText(money(r["order_value"]))
        self.out["cost"].setText(money(r["cost"]))
        self.out["initialMargin"].setText(money(r["initial_margin"]))
        self.out["maintMargin"].setText(money(r["maint_margin"]))
        self.out["liquidationPrice"].setText(fmt.price(inst, r["liquidation_price"]))
        self.out["bankruptcyPrice"].setText(fmt.price(inst, r["bankruptcy_price"]))
        if verdict.liquidated_before_exit:
            self.out["pnl"].setText(f"{money(verdict.pnl_minor / inst_minor(cur))} (liquidated)")
            self.out["roe"].setText(f"{verdict.roe_pct:+.2f} %")
        else:
            self.out["pnl"].setText(money(r["pnl"]))
            self.out["roe"].setText(f"{r['roe_pct']:+.2f} %")
        target = target_price_for_roe(inst, direction, r["qty"], r["entry_price"], r["leverage"],
                                      self.target_roe.value())
        self.out["targetPrice"].setText(fmt.price(inst, target))
        colour = theme.LIQ if verdict.liquidated_before_exit else (theme.LONG if verdict.pnl_minor >= 0 else theme.SHORT)
        self._say(verdict.verdict, colour)

    def _say(self, text: str, colour: str) -> None:
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: 600")
        self.verdict.setText(text)


def inst_minor(currency: str) -> int:
    from terminal.domain.money import MINOR_PER_MAJOR

    return int(MINOR_PER_MAJOR[currency])
