"""The BitMEX leverage control: "Cross" at the left end, a slider from 1x to the maximum, a typed box and
preset stops. One source of truth (``value`` in hundredths of x); the widgets are updated from it inside
``blockSignals``, so they never ping-pong.

Signals: ``previewed(float)`` while the value moves (slider drag, typing), ``committed(float)`` when it
settles (slider release, Enter / focus out, a preset, keyboard steps), ``crossToggled(bool)``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QWidget,
)

from terminal.domain.defaults import PRESET_LEVERAGES
from ui.style import theme


class LeverageControl(QWidget):
    previewed = Signal(float)
    committed = Signal(float)
    crossToggled = Signal(bool)

    def __init__(self, max_leverage: float = 100.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 1000  # hundredths of x
        self._max = 10000
        self.cross_button = QPushButton("Cross")
        self.cross_button.setObjectName("orderForm.cross")
        self.cross_button.setCheckable(True)
        self.cross_button.setToolTip("Cross margin: the whole available balance backs the position")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("orderForm.leverage")
        self.slider.setMinimum(100)
        self.slider.setPageStep(100)
        self.slider.setSingleStep(1)
        self.box = QDoubleSpinBox()
        self.box.setObjectName("orderForm.leverageInput")
        self.box.setDecimals(2)
        self.box.setMinimum(1.0)
        self.box.setSuffix("x")
        self.box.setSingleStep(1.0)
        self.box.setKeyboardTracking(True)
        self.box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.box.setFont(theme.mono_font())
        self.box.setFixedWidth(70)
        self.presets: dict[int, QPushButton] = {}
        self._presets_row = QHBoxLayout()
        self._presets_row.setSpacing(2)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.addWidget(self.cross_button, 0, 0)
        grid.addWidget(self.slider, 0, 1)
        grid.addWidget(self.box, 0, 2)
        grid.addLayout(self._presets_row, 1, 0, 1, 3)

        self.slider.valueChanged.connect(self._from_slider)
        self.slider.sliderReleased.connect(self._commit)
        self.box.valueChanged.connect(self._from_box)
        self.box.editingFinished.connect(self._commit)
        self.cross_button.toggled.connect(self.crossToggled.emit)
        self.set_maximum(max_leverage)

    # ---------------------------------------------------------------- model
    @property
    def value(self) -> float:
        return self._value / 100.0

    @property
    def maximum(self) -> float:
        return self._max / 100.0

    @property
    def cross(self) -> bool:
        return self.cross_button.isChecked()

    def set_cross(self, on: bool) -> None:
        self.cross_button.blockSignals(True)
        self.cross_button.setChecked(on)
        self.cross_button.blockSignals(False)

    def set_maximum(self, max_leverage: float) -> None:
        """Rebuild the range and presets for an instrument (e.g. 33.33x for ADAUSDT)."""
        self._max = int(round(max_leverage * 100))
        for w in (self.slider, self.box):
            w.blockSignals(True)
        self.slider.setMaximum(self._max)
        self.box.setMaximum(self._max / 100.0)
        for w in (self.slider, self.box):
            w.blockSignals(False)
        while self._presets_row.count():
            item = self._presets_row.takeAt(0)
            preset = item.widget() if item is not None else None
            if preset is not None:
                preset.hide()
                preset.setParent(None)
                preset.deleteLater()
        self.presets = {}
        stops = [int(p * 100) for p in PRESET_LEVERAGES if p * 100 <= self._max]
        if self._max not in stops:
            stops.append(self._max)
        for hv in stops:
            b = QPushButton(f"{hv / 100:g}")
            b.setObjectName(f"orderForm.leveragePreset{hv / 100:g}")
            b.setProperty("preset", True)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, hv=hv: self._from_preset(hv))
            self.presets[hv] = b
            self._presets_row.addWidget(b)
        self._presets_row.addStretch(1)
        self.set_value(min(self.value, self.maximum))

    def set_value(self, leverage: float) -> None:
        """Set from outside (the exchange's setting): updates the widgets, emits nothing."""
        self._show(self._clamp(int(round(leverage * 100))))

    # ---------------------------------------------------------------- widget → model
    def _clamp(self, hv: int) -> int:
        return max(100, min(self._max, hv))

    def _show(self, hv: int, skip: object = None) -> None:
        self._value = hv
        if skip is not self.slider:
            self.slider.blockSignals(True)
            self.slider.setValue(hv)
            self.slider.blockSignals(False)
        if skip is not self.box:
            self.box.blockSignals(True)
            self.box.setValue(hv / 100.0)
            self.box.blockSignals(False)
        for p, b in self.presets.items():
            b.setChecked(p == hv)

    def _from_slider(self, hv: int) -> None:
        self._show(self._clamp(hv), skip=self.slider)
        self.previewed.emit(self.value)
        if not self.slider.isSliderDown():  # keyboard / programmatic: settle at once
            self._commit()

    def _from_box(self, v: float) -> None:
        self._show(self._clamp(int(round(v * 100))), skip=self.box)
        self.previewed.emit(self.value)

    def _from_preset(self, hv: int) -> None:
        self._show(self._clamp(hv))
        self.previewed.emit(self.value)
        self._commit()

    def _commit(self) -> None:
        self.committed.emit(self.value)


class MarginAdjuster(QWidget):
    """Add / remove isolated margin with the new liquidation price shown before it is applied."""

    requested = Signal(float)  # signed amount in the settlement currency (+ add, − remove)
    previewRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QLabel

        self.amount = QDoubleSpinBox()
        self.amount.setObjectName("orderForm.marginAmount")
        self.amount.setDecimals(4)
        self.amount.setRange(0.0, 1e9)
        self.amount.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setFont(theme.mono_font())
        self.add = QPushButton("Add")
        self.add.setObjectName("orderForm.addMargin")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName("orderForm.removeMargin")
        self.preview = QLabel("")
        self.preview.setObjectName("orderForm.marginPreview")
        self.preview.setProperty("role", "caption")
        self.preview.setFont(theme.mono_font(-1))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(1)
        grid.addWidget(self.amount, 0, 0)
        grid.addWidget(self.add, 0, 1)
        grid.addWidget(self.remove, 0, 2)
        grid.addWidget(self.preview, 1, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self.add.clicked.connect(lambda: self.requested.emit(self.amount.value()))
        self.remove.clicked.connect(lambda: self.requested.emit(-self.amount.value()))
        self.amount.valueChanged.connect(self.previewRequested.emit)

    def set_currency(self, currency: str) -> None:
        self.amount.setDecimals(4 if currency == "XBT" else 2)
        self.amount.setSuffix(f" {currency}")
