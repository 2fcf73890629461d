"""The simulated BitMEX exchange: instruments, margin, orders, account, feeds and engine.

Nothing under this package imports Qt; the GUI in ``ui/`` is a view of it.
"""
