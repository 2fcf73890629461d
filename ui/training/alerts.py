"""Alerts: a sound and a toast on a fill, on the margin ratio crossing a warning level (50 %, 80 %), and on a
liquidation. Sounds are the bundled ``resources/sounds/*.wav`` played with ``QSoundEffect``; without
QtMultimedia or an audio device (offscreen CI) they are skipped silently. The mute switch silences the sounds;
toasts still appear (they are the room's cue). ``played`` records every sound asked for while not muted.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEasingCurve, QObject, QPropertyAnimation, Qt, QTimer, QUrl
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QWidget

from resources import RESOURCES_DIR
from terminal.market.views import receipt
from ui.services.bridge import Frame
from ui.style import format as fmt
from ui.style import theme

SOUNDS = RESOURCES_DIR / "sounds"
LEVELS = (0.5, 0.8)  # margin ratio warning levels
HYSTERESIS = 0.05  # a level is re-armed only once the ratio is this far back below it
SHOW_MS = 4000
FADE_MS = 700
MAX_LINES = 3


def _sound_backend() -> Any:
    """``QSoundEffect`` when QtMultimedia loads and an audio output exists, else None (and never offscreen,
    where there is nobody to hear it and the audio back-end only prints warnings)."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return None
    try:
        from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
    except Exception:  # ImportError, or a missing libpulse / backend
        return None
    try:
        if not QMediaDevices.audioOutputs():
            return None
    except Exception:
        return None
    return QSoundEffect


MULTIMEDIA_QUIET = "qt.multimedia*=false\nqt.multimedia.*=false\nqt.audio*=false"


def quiet_multimedia() -> None:
    """Qt Multimedia's back-ends (PulseAudio, FFmpeg) log warnings about audio devices to the console; a trainer's
    terminal shows none of them (QT_LOGGING_RULES set by the user still wins)."""
    from PySide6.QtCore import QLoggingCategory

    QLoggingCategory.setFilterRules(MULTIMEDIA_QUIET)


class Toast(QLabel):
    """A small frameless card in the window's top-right corner that fades after a few seconds."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("alerts.toast")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setMinimumWidth(300)
        self.setMaximumWidth(460)
        f = self.font()
        f.setPointSizeF(f.pointSizeF() + 2)
        self.setFont(f)
        self.lines: list[str] = []
        self.effect = QGraphicsOpacityEffect(self)
        self.setGraphicsEffect(self.effect)
        self.fade = QPropertyAnimation(self.effect, b"opacity", self)
        self.fade.setDuration(FADE_MS)
        self.fade.setStartValue(1.0)
        self.fade.setEndValue(0.0)
        self.fade.setEasingCurve(QEasingCurve.Type.InQuad)
        self.fade.finished.connect(self._gone)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.fade.start)
        self.hide()

    def push(self, html: str, colour: str) -> None:
        self.lines = (self.lines + [f"<div style='color:{colour}'>{html}</div>"])[-MAX_LINES:]
        self.setText("".join(self.lines))
        self.setStyleSheet(f"QLabel#alerts\\.toast {{ background: rgba(14,18,23,235); color: {theme.TEXT};"
                           f" border: 1px solid {colour}; border-left: 5px solid {colour}; border-radius: 6px;"
                           " padding: 8px 12px; }")
        self.fade.stop()
        self.effect.setOpacity(1.0)
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()
        self.timer.start(SHOW_MS)

    def place(self) -> None:
        p = self.parentWidget()
        if p is None:
            return
        top, left = 8, 8
        central = getattr(p, "centralWidget", lambda: None)()
        if central is not None:  # the left of the price chart: the newest prices (on the right) stay in view
            top = central.geometry().top() + 8
            left = central.geometry().left() + 12
        self.move(left, top + 24)

    def _gone(self) -> None:
        self.hide()
        self.lines = []


class Alerts(QObject):
    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.muted = False
        self.played: list[str] = []
        self.toast = Toast(win)
        self._effects: dict[str, Any] = {}
        self._level: dict[str, int] = {}
        self._sounds_loaded = False  # the audio stack starts at the first sound, not at launch
        win.bridge.frame.connect(self.on_frame)
        win.bridge.sessionChanged.connect(lambda *_: self._level.clear())

    def _load_sounds(self) -> None:
        self._sounds_loaded = True
        quiet_multimedia()
        backend = _sound_backend()
        if backend is None:
            return
        for name in ("fill", "margin-warning", "liquidation"):
            path = SOUNDS / f"{name}.wav"
            if path.exists():
                e = backend(self)
                e.setSource(QUrl.fromLocalFile(str(path)))
                e.setVolume(0.6)
                self._effects[name] = e

    def set_muted(self, on: bool) -> None:
        self.muted = on

    def play(self, name: str) -> None:
        if self.muted:
            return
        self.played.append(name)
        if not self._sounds_loaded:
            self._load_sounds()
        e = self._effects.get(name)
        if e is not None:
            try:
                e.play()
            except Exception:  # a vanished audio device must not stop the market
                self._effects.pop(name, None)

    def on_frame(self, frame: Frame) -> None:
        if frame.fills or frame.liquidations:
            self._events(frame)
        for cur, w in frame.snapshot.wallets.items():
            level = sum(1 for x in LEVELS if w.margin_ratio >= x)
            before = self._level.get(cur, 0)
            if level < before and w.margin_ratio >= LEVELS[before - 1] - HYSTERESIS:
                level = before  # a ratio wobbling around a level warns once, not at every crossing
            self._level[cur] = level
            if level > before:
                pct = LEVELS[level - 1] * 100
                colour = theme.SHORT if level == len(LEVELS) else theme.AMBER
                self.toast.push(f"<b>Margin ratio {w.margin_ratio * 100:.0f} %</b> ({cur}) — past {pct:.0f} %: "
                                "liquidation happens at 100 %.", colour)
                self.play("margin-warning")

    def _events(self, frame: Frame) -> None:
        catalog = frame.catalog
        fills = [f for f in frame.fills if f.liquidity != "liquidation"]
        liqs = frame.liquidations
        for rec in liqs:
            inst = catalog[rec.symbol]
            side = "long" if rec.side == "buy" else "short"
            self.toast.push(f"<b>✖ Liquidated</b>: {inst.symbol} {fmt.leverage(rec.leverage)} {side} at mark "
                            f"{fmt.price(inst, rec.mark_price)} — lost {fmt.money(rec.currency, rec.loss_minor)}",
                            theme.LIQ)
        if liqs:
            self.play("liquidation")
        for f in fills[-2:]:
            inst = catalog[f.symbol]
            colour = theme.LONG if f.side == "buy" else theme.SHORT
            slip = receipt(inst, f) if f.slippage_bps else ""  # the order book's slippage receipt
            self.toast.push(f"<b>Filled</b>: {f.side} {fmt.qty(f.qty)} {f.symbol} @ {fmt.price(inst, f.price)}"
                            + (f"<br>intended {fmt.price(inst, f.intended_price)} · slipped {slip}" if slip else ""),
                            colour)
        if fills and not liqs:
            self.play("fill")
