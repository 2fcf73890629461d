"""The installed version of Leverage Terminal, for ``--version`` and the log."""
from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "leverage-terminal"
UNKNOWN = "0+unknown"


def package_version() -> str:
    """The version in the installed package's metadata; from a source tree without an install, the
    ``pyproject.toml`` beside it; else ``0+unknown`` (e.g. a bundle built without the metadata)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        with pyproject.open("rb") as fh:
            version = tomllib.load(fh)["project"]["version"]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return UNKNOWN
    return version if isinstance(version, str) else UNKNOWN
