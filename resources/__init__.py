"""Data the program ships: instrument catalog, scenarios, sample price data, theme and icons."""
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
