"""The simulated BitMEX exchange: instruments, margin, orders, account, feeds and engine.

Nothing under this package imports Qt; the GUI in ``ui/`` is a view of it.
"""
import logging

# Records go nowhere until the application sets up its log (terminal.app.logs); never to stderr by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
