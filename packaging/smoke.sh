#!/usr/bin/env bash
# Check a built bundle from outside the repository: `calc` prints BitMEX's numbers, `shot` renders a PNG of the
# window (offscreen), `run` plays the shipped demo script, all with the bundle's own Python, numpy and Qt.
#
#   packaging/smoke.sh [dist/leverage-terminal]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$(cd "${1:-${DIST:-$ROOT/dist}/leverage-terminal}" && pwd)"
EXE="$BUNDLE/leverage-terminal"
[[ -x "$EXE" ]] || EXE="$BUNDLE/leverage-terminal.exe"
[[ -x "$EXE" ]] || { echo "smoke.sh: no leverage-terminal program in $BUNDLE" >&2; exit 2; }

WORKDIR="$(mktemp -d)"
trap 'rm -rf "$WORKDIR"' EXIT
cd "$WORKDIR"  # another folder: nothing may be found relative to the repository
export QT_QPA_PLATFORM=offscreen LEVERAGE_TERMINAL_HOME="$WORKDIR/home"
unset PYTHONPATH PYTHONHOME

fail() { echo "smoke.sh: FAIL: $*" >&2; exit 1; }

# 1. calc: the BitMEX calculator. 10,000 XBTUSD contracts at 50,000 with 10x (MECHANICS.md): order value
#    10,000 x round(1e8 / 50,000) XBt = 0.2 XBT; initial margin 10 % of that = 0.02 XBT.
"$EXE" calc --symbol XBTUSD --side buy --qty 10000 --entry 50000 --leverage 10 > calc.json 2> calc.err \
    || fail "calc exited $?: $(cat calc.err)"
"$EXE" calc --help > /dev/null || fail "calc --help"
grep -q '"order_value": 0.2,' calc.json || fail "calc: order value is not 0.2 XBT: $(head -c 600 calc.json)"
grep -q '"initial_margin": 0.02,' calc.json || fail "calc: initial margin is not 0.02 XBT: $(head -c 600 calc.json)"
[[ ! -s calc.err ]] || fail "calc wrote to stderr: $(cat calc.err)"

# 2. shot: the whole window (Qt, pyqtgraph, the theme, the icon and the bundled scenario) to a PNG
"$EXE" shot --size 1280x720 --out "$WORKDIR/out/window.png" > shot.out 2> shot.err || fail "shot exited: $(cat shot.err)"
python_png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }
[[ "$(head -c 8 out/window.png | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] || fail "shot: not a PNG"
[[ "$(python_png_size out/window.png)" == "1280x720" ]] || fail "shot: size $(python_png_size out/window.png), wanted 1280x720"
(( $(stat -c %s out/window.png 2>/dev/null || stat -f %z out/window.png) > 20000 )) || fail "shot: the PNG is nearly empty"

# 3. run: the shipped demo script (resources inside the bundle), and a bad script gives one line and exit 2
"$EXE" run "$BUNDLE/_internal/resources/scripts/flash-crash-demo.toml" > run.json 2> run.err || fail "run: $(cat run.err)"
grep -q '"liquidations"' run.json || fail "run: no report"
printf 'seed = 1\n[[steps]]\nat_s = 1\naction = "order"\nqty = "100"\nside = "buy"\n' > bad.toml
set +e; "$EXE" run bad.toml > /dev/null 2> bad.err; rc=$?; set -e
[[ $rc == 2 && $(wc -l < bad.err) == 1 ]] && grep -q "bad.toml:5: qty" bad.err || fail "bad script: rc=$rc $(cat bad.err)"

echo "smoke.sh: OK — calc, shot ($(python_png_size out/window.png)), run and a refused script, from $WORKDIR with $EXE"
