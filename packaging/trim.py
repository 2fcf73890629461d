"""Trim a PyInstaller one-folder bundle of Leverage Terminal: Qt plugins, libraries and translations it never uses.

    python packaging/trim.py dist/leverage-terminal

What goes: Qt's translations (the terminal is in English), platform plugins for embedded displays (eglfs, linuxfb,
vnc, KMS), input plugins for touch panels and the virtual keyboard (it drags in Qt Quick and QML), image formats the
terminal never reads (PDF, TIFF, WebP, TGA, WBMP, ICNS), TLS and network-information plugins (it never goes
online), the GTK theme plugin (it drags in the build machine's GTK stack). Then, on Linux, every library that no
remaining binary needs (ELF DT_NEEDED, transitively) — PDF, the virtual keyboard, GTK, Cairo, Pango — and the
debug information of the Python runtime. What stays: the xcb, Wayland, offscreen and minimal platforms, SVG (the icon),
PNG / JPEG / GIF / ICO, the desktop-portal theme, and QtMultimedia itself (QSoundEffect plays the alert sounds
without the FFmpeg media-player plugin, which goes, and Qt Quick / QML / libav* with it).
numpy and its OpenBLAS are never touched.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

DROP = [  # globs relative to the bundle's PySide6 folder
    "Qt/translations", "translations",
    "Qt/plugins/platforms/*eglfs*", "Qt/plugins/platforms/*linuxfb*", "Qt/plugins/platforms/*vnc*",
    "Qt/plugins/platforms/*vkkhrdisplay*", "Qt/plugins/platforms/*minimalegl*",
    "Qt/plugins/egldeviceintegrations", "Qt/plugins/generic", "Qt/plugins/tls", "Qt/plugins/networkinformation",
    "Qt/plugins/platforminputcontexts/*virtualkeyboard*",
    "Qt/plugins/imageformats/*pdf*", "Qt/plugins/imageformats/*tiff*", "Qt/plugins/imageformats/*webp*",
    "Qt/plugins/imageformats/*tga*", "Qt/plugins/imageformats/*wbmp*", "Qt/plugins/imageformats/*icns*",
    "Qt/qml", "qml",
    "Qt/plugins/multimedia",  # the FFmpeg media-player backend (and through it Qt Quick, QML, libav*: ~40 MB);
                              # QSoundEffect, all the alerts use, plays without a backend plugin
    "plugins/multimedia",
    "Qt/plugins/platformthemes/*gtk3*",  # drags in GTK, Pango, Cairo, ATK from the build machine; the terminal
                                         # draws its own theme and its dialogs work with Qt's own

    # Windows / macOS layouts keep plugins beside the PySide6 package
    "plugins/platforms/qdirect2d*", "plugins/imageformats/*pdf*", "plugins/imageformats/*tiff*",
    "plugins/imageformats/*webp*", "plugins/tls", "plugins/networkinformation", "plugins/generic",
    "plugins/platforminputcontexts/*virtualkeyboard*",
]


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def needed(binary: Path) -> list[str]:
    """DT_NEEDED entries of an ELF file (empty if it is not one or readelf is missing)."""
    try:
        out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=False).stdout
    except OSError:
        return []
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def drop_unneeded_libs(internal: Path) -> list[Path]:
    """Delete shared libraries (Qt's, and the system ones PyInstaller copied beside them) that nothing left in
    the bundle links against, transitively from the program, the Python extension modules and the Qt plugins
    that stay (Linux: ELF DT_NEEDED via readelf)."""
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return []
    binaries = [p for p in internal.rglob("*") if p.is_file() and (p.suffix == ".so" or ".so." in p.name)]
    by_name: dict[str, list[Path]] = {}
    for p in binaries:
        by_name.setdefault(p.name, []).append(p)
    removable = {p for p in binaries if p.parent == internal or (p.parent.name == "lib" and p.parent.parent.name == "Qt")}
    removable -= {p for p in removable if p.name.startswith(("libpython", "libQt6FFmpegStub"))}  # dlopen()ed
    roots = [p for p in binaries if p not in removable] + [internal.parent / "leverage-terminal"]
    seen: set[Path] = set()
    todo = list(roots)
    while todo:
        b = todo.pop()
        if b in seen:
            continue
        seen.add(b)
        todo.extend(dep for name in needed(b) for dep in by_name.get(name, []) if dep not in seen)
    gone = sorted(removable - seen)
    for p in gone:
        p.unlink()
    return gone


def strip_debug_info(internal: Path) -> int:
    """Strip debug sections from the Python runtime's own binaries when they carry them (a pyenv build's
    libpython is 23 MB with them, 6.5 MB without). Wheels' libraries are left alone: their patched ELF
    headers must not be rewritten."""
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return 0
    saved = 0
    targets = list(internal.glob("libpython*.so*")) + list((internal / "python3.11" / "lib-dynload").glob("*.so"))
    targets += [p for d in internal.glob("python3.*") for p in (d / "lib-dynload").glob("*.so") if p not in targets]
    for p in targets:
        if p.is_symlink() or b".debug_info" not in p.read_bytes():
            continue
        before = p.stat().st_size
        if subprocess.run(["strip", "--strip-debug", str(p)], capture_output=True, check=False).returncode == 0:
            saved += before - p.stat().st_size
    return saved


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    bundle = Path(sys.argv[1])
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    pyside = internal / "PySide6"
    before = size(bundle)
    for pattern in DROP:
        for p in pyside.glob(pattern):
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    gone = drop_unneeded_libs(internal)
    stripped = strip_debug_info(internal)
    after = size(bundle)
    print(f"trim.py: {before / 1e6:.0f} MB -> {after / 1e6:.0f} MB ({len(gone)} unused libraries removed: "
          f"{', '.join(sorted({p.name.split('.so')[0] for p in gone})) or 'none'}; {stripped / 1e6:.0f} MB of debug "
          "information stripped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
