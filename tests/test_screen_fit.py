"""Fits any screen (issue 13): at 1280×720, 1920×1080 and 3840×2160, with presenter mode off and on, the real
window stays the size of the screen, every visible label, button and combo box is at least as large as its
minimum size hint (no "10C" for "100", no 8-px presets, no "ntry Price"), nothing needed is pushed off screen or
behind a toolbar's overflow arrow, and presenter mode scales what a room reads."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QScrollArea, QTableView, QWidget

from ui.window.screen_fit import target_geometry

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]
NEEDED = ("sim.play", "sim.step", "sim.speed", "sim.source", "view.units", "toolbar.last", "toolbar.mark",
          "toolbar.index", "orderForm.buy", "orderForm.sell", "orderForm.size", "orderForm.leverageInput",
          "account.walletBalance", "account.marginBalance", "account.availableBalance")


def _in_scroll_area(w: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            return True
        p = p.parentWidget()
    return False


def _problems(win) -> list[str]:
    out = []
    frame = win.rect()
    for w in win.findChildren(QWidget):
        if not isinstance(w, QLabel | QAbstractButton | QComboBox) or not w.isVisible() or w.window() is not win:
            continue
        if w.visibleRegion().isEmpty():  # scrolled out of a panel's view, or a tab bar's hidden arrow
            continue
        hint = w.minimumSizeHint()
        name = w.objectName() or f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        if w.width() < hint.width() or w.height() < hint.height():
            out.append(f"{name}: {w.width()}x{w.height()} < hint {hint.width()}x{hint.height()}")
        if not _in_scroll_area(w):
            rect = QRect(w.mapTo(win, w.rect().topLeft()), w.size())
            if not frame.contains(rect):
                out.append(f"{name}: {rect.getRect()} outside the window {frame.getRect()}")
    for name in NEEDED:
        w = win.findChild(QWidget, name)
        if w is None or not w.isVisible() or w.visibleRegion().isEmpty():
            out.append(f"{name}: not on screen")
    return out


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_control_fits_at_each_screen_size(qtbot, window, size, presenter):
    window.resize(*size)
    QApplication.processEvents()
    qtbot.mouseClick(window.findChild(QAbstractButton, "orderForm.buy"), Qt.MouseButton.LeftButton)
    if presenter:
        window.findChild(QAction, "action.presenterMode").trigger()
    try:
        for _ in range(3):
            QApplication.processEvents()
            window.bridge.publish()
        assert (window.width(), window.height()) == size  # never grown past the screen
        problems = _problems(window)
        assert not problems, "\n".join(problems)
    finally:
        if presenter:
            window.findChild(QAction, "action.presenterMode").trigger()


def test_presenter_mode_scales_with_the_screen_and_reads_in_full(qtbot, window):
    window.resize(1920, 1080)
    QApplication.processEvents()
    wallet = window.findChild(QLabel, "account.walletBalance")
    base_pt = wallet.font().pointSizeF()
    width = window.charts.last_curve.opts["pen"].width()
    note_pt = window.training.note.item.textItem.font().pointSizeF()  # "✖ 25x long liquidated @ mark …"
    window.findChild(QAction, "action.presenterMode").trigger()
    try:
        p = window.training.presenter
        assert window.training.note.item.textItem.font().pointSizeF() >= note_pt * 1.3  # the lesson, read from the back
        assert p.scale >= 1.4 and wallet.font().pointSizeF() >= base_pt * 1.4
        assert window.charts.last_curve.opts["pen"].width() >= 2 > width
        assert all(line.pen.width() >= 2 for line in window.charts.lines.lines.values())
        axis = window.charts.price.getPlotItem().getAxis("right")
        assert axis.style["tickFont"].pointSizeF() > 9
        badge = window.findChild(QLabel, "presenter.simulation")
        assert badge.isVisible() and badge.text() == "SIMULATION"
        for view in window.tables.findChildren(QTableView):  # every header of the account's tables reads in full
            hh = view.horizontalHeader()
            for i in range(hh.count()):
                title = str(view.model().headerData(i, Qt.Orientation.Horizontal) or "")
                if title and not hh.isSectionHidden(i):
                    assert hh.sectionSize(i) >= hh.fontMetrics().horizontalAdvance(title), (view.objectName(), title)
    finally:
        window.findChild(QAction, "action.presenterMode").trigger()
    assert not window.findChild(QLabel, "presenter.simulation").isVisible()
    assert wallet.font().pointSizeF() == base_pt
    assert window.training.note.item.textItem.font().pointSizeF() == note_pt


def test_the_window_takes_the_screen_it_opens_on():
    small = target_geometry(QRect(0, 0, 1280, 690))
    assert small == QRect(0, 0, 1280, 690)  # a projector: all of it
    big = target_geometry(QRect(0, 0, 3840, 2100))
    assert big.width() == int(3840 * 0.92) and big.height() == int(2100 * 0.92)
    assert big.center().x() in (1919, 1920)  # centred


def test_shot_renders_presenter_mode_at_the_requested_size(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "room.png"
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "shot", "--presenter", "--size", "1280x720", "--out", str(out)],
                       cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1280, 720)
    assert "Traceback" not in r.stderr and "QSoundEffect" not in r.stderr


def test_a_layout_saved_on_a_bigger_screen_does_not_grow_the_window_past_a_small_one(qtbot, session):
    """A layout saved at 4K with every dock out and nothing tabbed would make a 1280x720 window 1,100 px tall: the
    window opens in its default layout instead, and still fits."""
    from PySide6.QtWidgets import QDockWidget

    from ui.window.main_window import build_window

    big = build_window(session)
    qtbot.addWidget(big)
    big.resize(3840, 2160)
    for d in big.findChildren(QDockWidget):
        if big.tabifiedDockWidgets(d):
            big.removeDockWidget(d)
            big.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d)
        d.show()
    QApplication.processEvents()
    assert big.minimumSizeHint().height() > 720  # the saved layout really is too tall for a small screen
    big.close()  # saves the layout, as quitting does
    small = build_window(session)
    qtbot.addWidget(small)
    small.resize(1280, 720)
    small.show()
    QApplication.processEvents()
    assert small.minimumSizeHint().height() <= 720
    assert (small.width(), small.height()) == (1280, 720)


def test_on_a_720_pixel_screen_the_charts_get_the_height_the_panels_do_not_need(qtbot, session):
    """The account read-outs never stretch into empty rows, and the default split gives the tables a fifth of the
    height: what is left goes to the charts (the room looks at the price chart)."""
    from ui.window.main_window import build_window

    win = build_window(session)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    win.restore_default_layout()
    QApplication.processEvents()
    account = win.findChild(QWidget, "account")
    assert account.height() <= account.layout().sizeHint().height() + 1
    tables = win.tables_dock.height()
    assert tables <= max(120, 720 // 5) + 60, tables  # its minimum (header, tabs, a row) may need a little more
    assert win.charts.height() >= 0.36 * win.height(), (win.charts.height(), win.height())


@pytest.mark.parametrize(("size", "tall"), [((1920, 1080), True), ((1600, 1000), True), ((1280, 720), False)])
def test_on_a_tall_screen_the_book_and_tape_run_the_full_height(qtbot, session, size, tall):
    """From 900 pixels up the order book and the tape take the right side down to the status bar (a dozen levels a
    side and a long tape, instead of 2–4 levels squeezed above the tables); on a 720-pixel screen the account and
    the tables keep the full width so their read-outs stay on one row and the charts keep their height."""
    from ui.window.main_window import build_window

    win = build_window(session)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    win.restore_default_layout()
    QApplication.processEvents()
    book, tape = win.market_views.book_dock, win.market_views.tape_dock
    tables = win.tables_dock
    tape_bottom = tape.geometry().bottom()
    if tall:
        assert tape_bottom > tables.geometry().top()  # beside the tables, not above them
        assert book.height() >= 0.3 * win.height(), book.height()
        assert tables.geometry().right() < book.geometry().left()
    else:
        assert tape_bottom < tables.geometry().top()
        assert tables.geometry().right() > book.geometry().left()


def test_the_book_and_tape_follow_the_window_across_the_900_pixel_line(qtbot, session):
    """Opened at 720 and maximised to 1080 (or the other way), the window re-picks where the book and tape go."""
    from ui.window.main_window import build_window

    win = build_window(session)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    QApplication.processEvents()
    right = Qt.DockWidgetArea.RightDockWidgetArea
    assert win.corner(Qt.Corner.BottomRightCorner) != right
    win.resize(1920, 1080)
    QApplication.processEvents()
    assert win.corner(Qt.Corner.BottomRightCorner) == right
    assert win.market_views.tape_dock.geometry().bottom() > win.tables_dock.geometry().top()
    win.resize(1280, 720)
    QApplication.processEvents()
    assert win.corner(Qt.Corner.BottomRightCorner) != right
