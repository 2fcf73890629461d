"""Regenerate the alert sounds shipped in this folder (short synthesised tones, public domain).

    python resources/sounds/make_sounds.py
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22_050
HERE = Path(__file__).resolve().parent


def tone(freqs: list[float], seconds: float, volume: float = 0.35) -> np.ndarray:
    """A sequence of notes with a soft attack and decay, so nothing clicks."""
    out = []
    for f in freqs:
        t = np.arange(int(RATE * seconds)) / RATE
        env = np.minimum(1.0, t / 0.01) * np.exp(-t * 6.0)
        out.append(np.sin(2 * np.pi * f * t) * env)
    return np.concatenate(out) * volume


def write(name: str, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1, 1) * 32_767).astype("<i2")
    with wave.open(str(HERE / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


if __name__ == "__main__":
    write("fill.wav", tone([880.0, 1320.0], 0.09))
    write("margin-warning.wav", tone([660.0, 660.0, 660.0], 0.12))
    write("liquidation.wav", tone([440.0, 330.0, 220.0], 0.22, volume=0.45))
