#!/usr/bin/env bash
# Who sees what (docs/SECURITY.md): every user (admin, owner, same project, other project,
# anonymous, wrong password) × every operation × each way the server can run (basic,
# keystone headers, --web-config, each with and without --strict-isolation), against
# real `rondone serve` processes; each cell compared with scripts/isolation/expected.tsv.
#
#   scripts/isolation-test.sh            check (exit 1 on any cell that differs)
#   WRITE=1 scripts/isolation-test.sh    rewrite expected.tsv from what the server answers
#                                        (then read the diff: every change is a behaviour change)
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-isolation.XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
EXPECTED=$ROOT/scripts/isolation/expected.tsv

hash() { printf '%s' "$1" | "$BIN" hash-password --cost 4; }
{
    printf 'basic_auth_users:\n'
    for user in admin owner peer other; do printf '  %s: %s\n' "$user" "$(hash "$user-pw")"; done
    printf 'admins: [admin]\n'
} > "$WORK/web.yml"

: > "$WORK/results.tsv"
for mode in basic basic-strict keystone keystone-strict web-config web-config-strict; do
    args=(--auth-mode basic)
    case $mode in keystone*) args=(--auth-mode keystone) ;; web-config*) args+=(--web-config "$WORK/web.yml") ;; esac
    case $mode in *-strict) args+=(--strict-isolation) ;; esac
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$BIN" serve --data-dir "$WORK/$mode" --host 127.0.0.1 --port "$PORT" --log-level error "${args[@]}" \
        >"$WORK/$mode.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.1; done
    python3 scripts/isolation/matrix.py run --url "http://127.0.0.1:$PORT" --mode "$mode" >> "$WORK/results.tsv"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    SERVER=
done

if [ "${WRITE:-0}" = 1 ]; then
    { echo "# mode	operation	user	answer (written by WRITE=1 scripts/isolation-test.sh; review every change)"; cat "$WORK/results.tsv"; } > "$EXPECTED"
    echo "wrote $EXPECTED ($(wc -l < "$WORK/results.tsv") cells)"
    exit 0
fi
if diff <(grep -v '^#' "$EXPECTED") "$WORK/results.tsv" > "$WORK/diff"; then
    echo "isolation matrix: $(wc -l < "$WORK/results.tsv") cells as expected"
else
    echo "isolation matrix: cells differ from $EXPECTED (< expected, > answered):"
    cat "$WORK/diff"
    exit 1
fi
