#!/usr/bin/env bash
# Build a one-folder bundle of Leverage Terminal with PyInstaller: dist/leverage-terminal/ holds the
# `leverage-terminal` program (leverage-terminal.exe on Windows) and everything it needs — no Python on the target.
#
#   packaging/build.sh                      # a fresh build venv under build/bundle-venv (pip install . pyinstaller)
#   PYTHON=/path/to/venv/bin/python packaging/build.sh   # use a venv that already has the project and PyInstaller
#   DIST=/some/folder packaging/build.sh    # where the bundle goes (default: dist/ in the repository)
#
# Then trimmed (packaging/trim.py: unused Qt modules, plugins and translations) and checked by packaging/smoke.sh.
# A bundle runs on the OS it was built on: build on Linux for Linux, on Windows (Git Bash) for Windows, on macOS
# for macOS — see packaging/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"

if [[ -z "${PYTHON:-}" ]]; then
    VENV="$ROOT/build/bundle-venv"
    if [[ ! -x "$VENV/bin/python" && ! -x "$VENV/Scripts/python.exe" ]]; then
        "${BOOTSTRAP_PYTHON:-python3}" -m venv "$VENV"
    fi
    PYTHON="$VENV/bin/python"
    [[ -x "$PYTHON" ]] || PYTHON="$VENV/Scripts/python.exe"
    "$PYTHON" -m pip install -q --upgrade pip
    "$PYTHON" -m pip install -q "$ROOT" "pyinstaller>=6.10"
fi
"$PYTHON" -c "import PyInstaller, ui.cli" || { echo "build.sh: $PYTHON needs the project and PyInstaller installed" >&2; exit 2; }

# Python modules the terminal never imports (tests, linters, other Qt bindings, Qt modules it does not use;
# pyqtgraph needs QtOpenGL and QtOpenGLWidgets even without OpenGL drawing, so those stay).
EXCLUDES=(
    hypothesis pytest _pytest pytestqt mypy mypy_extensions ruff importlinter grimp tkinter IPython
    PyQt5 PyQt6 PySide2 OpenGL pyqtgraph.opengl pyqtgraph.examples pyqtgraph.jupyter
    PySide6.QtQml PySide6.QtQuick PySide6.QtQuickWidgets PySide6.QtQuick3D PySide6.QtQuickControls2
    PySide6.QtWebEngineCore PySide6.QtWebEngineWidgets PySide6.QtWebEngineQuick PySide6.QtWebChannel
    PySide6.QtWebSockets PySide6.Qt3DCore PySide6.Qt3DRender PySide6.Qt3DExtras PySide6.Qt3DInput
    PySide6.QtCharts PySide6.QtDataVisualization PySide6.QtGraphs PySide6.QtPdf PySide6.QtPdfWidgets
    PySide6.QtNetwork PySide6.QtBluetooth PySide6.QtNfc PySide6.QtPositioning PySide6.QtLocation
    PySide6.QtSensors PySide6.QtSerialPort PySide6.QtSql PySide6.QtTest PySide6.QtDesigner PySide6.QtUiTools
    PySide6.QtHelp PySide6.QtScxml PySide6.QtStateMachine PySide6.QtRemoteObjects PySide6.QtTextToSpeech
    PySide6.QtSpatialAudio PySide6.QtHttpServer PySide6.QtDBus
    PySide6.QtConcurrent PySide6.QtMultimediaWidgets PySide6.QtXml PySide6.QtSvgWidgets PySide6.QtAxContainer
)
args=()
for m in "${EXCLUDES[@]}"; do args+=(--exclude-module "$m"); done

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --onedir --name leverage-terminal \
    --distpath "$DIST" --workpath "$WORK" --specpath "$WORK" --paths "$ROOT" \
    --collect-data resources --copy-metadata leverage-terminal \
    --log-level WARN "${args[@]}" "$ROOT/packaging/entry.py"
"$PYTHON" "$ROOT/packaging/trim.py" "$DIST/leverage-terminal"
echo "build.sh: $DIST/leverage-terminal built in $(( $(date +%s) - start )) s"
