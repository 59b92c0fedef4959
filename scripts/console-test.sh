#!/usr/bin/env bash
# The web console (/ui) in headless Chromium: Debian's chromium and chromium-driver (no
# browser download) driven by selenium (PyPI, pinned, in .console-venv) against a real
# `rondone serve` on a temporary data directory, with data stored through the REST API.
# Every page loads with no browser console error, a chart of a metric with N stored points
# draws N points, a search narrows the resource list, a bad query shows its error, 10 000
# series are listed and charted; a screenshot of each page is taken (into the temporary
# directory, or CONSOLE_SHOTS: CONSOLE_SHOTS=docs/console refreshes the committed ones). Prints one
# line per check and ends with `N passed, M failed`; exits non-zero if any check failed.
#
#   scripts/console-test.sh   (RONDONE_BIN, default .build/debug/rondone; CONSOLE_PORT, default 8180;
#                              CONSOLE_SERIES, default 10000; CONSOLE_SHOTS, a directory)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
PORT=${CONSOLE_PORT:-8180}
VENV=${CONSOLE_VENV:-$ROOT/.console-venv}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2 \
        || { echo "cannot install chromium and chromium-driver" >&2; exit 2; }
fi
if ! "$VENV/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check 'selenium==4.27.1' >&2 \
        || { echo "cannot install selenium" >&2; exit 2; }
fi
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-console.XXXXXX")
"$BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning >"$DATA/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 400); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done
# selenium must not fetch a driver or send statistics: the system chromedriver is named.
SE_AVOID_STATS=true "$VENV/bin/python" scripts/console/console_test.py \
    --url "http://127.0.0.1:$PORT" --series "${CONSOLE_SERIES:-10000}" --shots "${CONSOLE_SHOTS:-$DATA/shots}"
status=$?
if [ $status -ne 0 ]; then echo "--- server log (last 30 lines)"; tail -30 "$DATA/log"; fi
exit $status
