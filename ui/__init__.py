"""The PySide6 + pyqtgraph desktop app: a view of the simulated exchange in ``terminal/``.

Importing this package does not import Qt, so the command line's headless commands stay light.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow


def create_main_window(data_dir: Path) -> QMainWindow:
    """Build the whole terminal window on the practice account stored in ``data_dir``.

    No event loop is started; a ``QApplication`` is created if none exists.
    """
    from ui.window.main_window import build_main_window

    return build_main_window(Path(data_dir))


__all__ = ["create_main_window"]

# Records go nowhere until the application sets up its log (terminal.app.logs); never to stderr by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
