"""PyInstaller entry point of the bundled ``leverage-terminal`` (the same ``main`` as the installed command)."""
import sys

from ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
