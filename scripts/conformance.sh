#!/usr/bin/env bash
# Runs Gnocchi's own functional tests (../shared/conformance) against Rondone.
#
#   scripts/conformance.sh [PATTERN ...]     (no pattern: every gabbit file)
#
# Before each gabbit file the server is restarted on an empty data directory with the
# settings the gabbits expect (conformance README): max_limit 7, no default archive
# policies, CORS for http://foobar.com, proxy headers honoured. Prints the runner's
# report; the last line is `N passed, M failed`. With CONFORMANCE_FLOOR_FILE set, fails
# when the passed count is below the number in that file.
#
# Env: RONDONE_BIN (default .build/debug/rondone), CONFORMANCE_PORT (default 8051),
#      SHARED (default ../shared), CONFORMANCE_BACKEND (`embedded`, the default: `rondone
#      serve` on a data directory; `scaleout`: a `rondone api` node and a `rondone
#      metricd` on PostgreSQL + S3, a new schema and bucket per file — it needs
#      RONDONE_TEST_POSTGRESQL_URL and RONDONE_TEST_S3_URL, see scripts/scaleout-conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
export RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
export CONFORMANCE_PORT=${CONFORMANCE_PORT:-8051}
export CONFORMANCE_DIR=${CONFORMANCE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rondone-conformance.XXXXXX")}
export CONFORMANCE_VENV=${CONFORMANCE_VENV:-$ROOT/.conformance-venv}
[ -x "$RONDONE_BIN" ] || { echo "no rondone binary at $RONDONE_BIN (swift build first)" >&2; exit 2; }
[ -d "$SHARED/conformance" ] || { echo "no $SHARED/conformance" >&2; exit 2; }

# With no patterns the runner takes every gabbit file (all 669 of Gnocchi's functional
# tests), so the floor guards everything that passes, not only the files of one issue.

reset="$ROOT/scripts/conformance-reset.sh"
[ "${CONFORMANCE_BACKEND:-embedded}" = scaleout ] && reset="$ROOT/scripts/conformance-reset-scaleout.sh"
cleanup() { "$reset" stop || true; rm -rf "$CONFORMANCE_DIR"; }
trap cleanup EXIT

export RESET_CMD="$reset"
out="$CONFORMANCE_DIR/report.txt"
CONFORMANCE_EXIT_ZERO=1 "$SHARED/conformance/run.sh" "http://127.0.0.1:$CONFORMANCE_PORT" "$@" | tee "$out"

passed=$(tail -n 1 "$out" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
if [ -n "${CONFORMANCE_FLOOR_FILE:-}" ]; then
    floor=$(tr -dc '0-9' < "$CONFORMANCE_FLOOR_FILE")
    if [ -z "$passed" ] || [ "$passed" -lt "$floor" ]; then
        echo "conformance: ${passed:-no} tests passed, below the floor of $floor ($CONFORMANCE_FLOOR_FILE)" >&2
        exit 1
    fi
    echo "conformance: $passed passed (floor $floor)"
fi
