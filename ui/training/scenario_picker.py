"""The scenario picker: every shipped scenario with its title and description; "Play" switches the symbol on
screen to it, "Start over" resets the practice account (after a confirmation) and plays the chosen scenario from
its beginning on the current symbol."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal.feeds import list_scenarios
from terminal.feeds.spec import FeedSpec


class ScenarioPicker(QDialog):
    def __init__(self, win: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or win)
        self.setObjectName("scenarios.dialog")
        self.setWindowTitle("Scenarios")
        self.win = win
        self.scenarios = list_scenarios()
        self.list = QListWidget()
        self.list.setObjectName("scenarios.list")
        for sc in self.scenarios:
            item = QListWidgetItem(sc.title)
            item.setData(Qt.ItemDataRole.UserRole, sc.name)
            item.setToolTip(sc.description.strip())
            self.list.addItem(item)
        self.title = QLabel("")
        self.title.setObjectName("scenarios.title")
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() + 3)
        f.setBold(True)
        self.title.setFont(f)
        self.description = QLabel("")
        self.description.setObjectName("scenarios.description")
        self.description.setWordWrap(True)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setMinimumWidth(360)
        self.facts = QLabel("")
        self.facts.setObjectName("scenarios.facts")
        self.facts.setProperty("role", "caption")
        self.play = QPushButton("Play on this symbol")
        self.play.setObjectName("scenarios.play")
        self.play.setToolTip("Switch the price source; the account stays as it is")
        self.start_over = QPushButton("Start over…")
        self.start_over.setObjectName("scenarios.startOver")
        self.start_over.setToolTip("Reset the practice account and play the scenario from its beginning")
        self.start_over.setDefault(True)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.description, 1)
        right.addWidget(self.facts)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.play, self.start_over, close):
            buttons.addWidget(b)
        right.addLayout(buttons)
        lay = QHBoxLayout(self)
        lay.addWidget(self.list, 0)
        lay.addLayout(right, 1)
        self.resize(760, 320)
        self.list.currentRowChanged.connect(self._show)
        self.play.clicked.connect(lambda: self.play_selected())
        self.start_over.clicked.connect(lambda: self.start_over_selected())
        current = win.bridge.source_for(win.bridge.symbol)
        names = [s.name for s in self.scenarios]
        self.list.setCurrentRow(names.index(current.name) if current is not None and current.name in names else 0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.scenarios):
            return
        sc = self.scenarios[row]
        self.title.setText(sc.title)
        self.description.setText(" ".join(sc.description.split()))
        mins = sc.duration_s / 60
        self.facts.setText(f"{len(sc.segments)} phases · {mins:.0f} simulated minutes · written for {sc.symbol}; "
                           f"plays on {self.win.bridge.symbol}")

    def selected(self) -> str:
        return self.scenarios[max(0, self.list.currentRow())].name

    def _spec(self) -> FeedSpec:
        return FeedSpec(kind="scenario", name=self.selected(), symbol=self.win.bridge.symbol)

    def play_selected(self) -> None:
        self.win.bridge.set_source(self._spec())
        self._sync_toolbar()
        self.win.form.say(f"Playing the scenario “{self.scenarios[self.list.currentRow()].title}”.", "ok")
        self.accept()

    def start_over_selected(self, confirm: bool = True) -> bool:
        title = self.scenarios[self.list.currentRow()].title
        if confirm and not _offscreen():
            ask = QMessageBox.question(self, "Start over",
                                       f"Reset the practice account and play “{title}” from the beginning? "
                                       "Positions, orders, fills and the ledger of this account are wiped.")
            if ask != QMessageBox.StandardButton.Yes:
                return False
        if not self.win.reset_account(confirm=False):
            return False
        spec = self._spec()
        # the scenario's own start price when it was written for this symbol, so the story plays as described
        sc = self.scenarios[self.list.currentRow()]
        if sc.symbol == spec.symbol:
            spec = spec.model_copy(update={"price": sc.price})
        self.win.bridge.set_source(spec)
        self.win.form.reset_prices()
        self._sync_toolbar()
        self.win.form.say(f"Started over: fresh account, scenario “{title}”.", "ok")
        self.accept()
        return True

    def _sync_toolbar(self) -> None:
        tb = self.win.toolbar
        want = f"Scenario: {self.scenarios[self.list.currentRow()].title}"
        i = tb.source.findText(want)
        if i >= 0:
            tb.source.blockSignals(True)
            tb.source.setCurrentIndex(i)
            tb.source.blockSignals(False)


def _offscreen() -> bool:
    from ui.services.sessions import offscreen

    return offscreen()
