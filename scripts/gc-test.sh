#!/usr/bin/env bash
# `rondone gc` (docs/OPERATIONS.md, "gc") on a data directory made through the API:
# `rondone serve` on an ephemeral port; two archive policies; six metrics with 5 hours of
# measures each (processed with ?refresh=true); two deleted; one policy's 1 s timespan
# shortened from 4 h to 1 h (PATCH); the server stopped; one metric's index row removed
# with sqlite3 (what a metricd commit landing after the janitor's purge leaves). Then:
#   * `rondone gc --dry-run` changes no byte of the directory and lists the deleted
#     metrics, the unknown one and the shortened metric's expired split packs;
#   * `rondone gc` removes exactly what the dry run listed, frees bytes, and a second dry
#     run finds nothing;
#   * after a restart every live metric reads exactly as before, the deleted ones are 404;
#   * a bad --history-retention is refused; a directory in use is not touched in process.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
API="python3 $ROOT/scripts/gc/api.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-gc.XXXXXX")
DATA=$WORK/data
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -20; }
check() { # NAME COMMAND...: passes when the command succeeds
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}
start() {
    "$BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" --log-level warning >>"$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "$URL/healthcheck" && return 0; sleep 0.1; done
    echo "the server did not start" >&2; tail -20 "$WORK/serve.log" >&2; exit 2
}
stop() { kill -INT "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=; }
# Every file's checksum: a dry run must leave them all as they were.
# The index by content (SQLite may rewrite its header and checkpoint its WAL on any open).
fingerprint() {
    (cd "$DATA" && find . -type f ! -name LOCK ! -name 'index.sqlite*' -print0 | sort -z | xargs -0 sha256sum)
    python3 -c "import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).iterdump(), sep='\n')" "$DATA/index.sqlite" | sha256sum
}
# The report's item lines (ids, packs, counts), without the verb.
items() { grep -E '^(  |deleted|metrics unknown|expired|resource history)' "$1" | sed -e 's/would remove/REMOVE/' -e 's/removed/REMOVE/'; }

start
$API populate "$URL" "$WORK/metrics.json" || { echo "populate failed" >&2; exit 2; }
$API dump "$URL" "$WORK/metrics.json" "$WORK/before.json" >/dev/null
id() { python3 -c "import json,sys; print(json.load(open('$WORK/metrics.json'))['$1'])"; }

check "gc --dry-run runs inside the server that owns the directory (control socket)" \
    bash -c "'$BIN' gc --data-dir '$DATA' --dry-run | grep -q 'gc: dry run, nothing is changed'"
stop

# What a metricd commit after the janitor's purge leaves: aggregates, no index row.
python3 - "$DATA/index.sqlite" "$(id unknown)" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM metric WHERE id = ?", (uuid.UUID(sys.argv[2]).bytes,))
db.commit()
PY

check "a bad --history-retention is refused" \
    bash -c "'$BIN' gc --data-dir '$DATA' --history-retention 'soon' 2>&1 | grep -q 'history-retention'"

SIZE_BEFORE=$(du -sb "$DATA" | cut -f1)
fingerprint >"$WORK/fingerprint.before"
"$BIN" gc --data-dir "$DATA" --dry-run >"$WORK/dry.txt" 2>"$WORK/dry.err"
DRY_STATUS=$?
cat "$WORK/dry.txt"
fingerprint >"$WORK/fingerprint.after"
check "the dry run succeeds" test "$DRY_STATUS" -eq 0
check "the dry run changes no file" diff "$WORK/fingerprint.before" "$WORK/fingerprint.after"
# The server's janitor may have purged the deleted metrics already (every 10 s); those
# still in the index (status 'delete') must be listed, the others must not be stored.
PENDING=$(python3 - "$DATA/index.sqlite" "$(id deleted1)" "$(id deleted2)" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
for text in sys.argv[2:]:
    if db.execute("SELECT 1 FROM metric WHERE id = ? AND status = 'delete'", (uuid.UUID(text).bytes,)).fetchone():
        print(text)
PY
)
PENDING=$(echo $PENDING)
check "the dry run lists the deleted metrics the janitor has not purged ($(echo $PENDING | wc -w) of 2)" \
    bash -c "grep -q '^deleted metrics: would remove $(echo $PENDING | wc -w) metrics' '$WORK/dry.txt' && for m in $PENDING; do grep -q \"^  \$m \" '$WORK/dry.txt' || exit 1; done"
check "the dry run lists the metric unknown to the index" \
    bash -c "grep -q '^metrics unknown to the index: would remove 1 metrics' '$WORK/dry.txt' && grep -q '^  $(id unknown) ' '$WORK/dry.txt'"
check "the dry run lists the shortened metric's two expired 1 s split packs" \
    bash -c "grep -q '^expired splits: would remove 2 split packs of 1 metrics' '$WORK/dry.txt' && [ \$(grep -c '^  $(id shortened) 1.0s ' '$WORK/dry.txt') -eq 2 ]"
check "no live metric is listed" \
    bash -c "! grep -Eq '$(id live1)|$(id live2)' '$WORK/dry.txt'"

"$BIN" gc --data-dir "$DATA" >"$WORK/gc.txt" 2>"$WORK/gc.err"
GC_STATUS=$?
cat "$WORK/gc.txt"
SIZE_AFTER=$(du -sb "$DATA" | cut -f1)
check "gc succeeds" test "$GC_STATUS" -eq 0
items "$WORK/dry.txt" >"$WORK/dry.items"
items "$WORK/gc.txt" >"$WORK/gc.items"
check "gc removed exactly what the dry run listed" diff "$WORK/dry.items" "$WORK/gc.items"
check "gc freed bytes of the aggregate log and the directory shrank" \
    bash -c "grep -Eq '^aggregate log: compacted, [0-9]+ → [0-9]+ bytes \(freed [1-9][0-9]*\)' '$WORK/gc.txt' && [ $SIZE_AFTER -lt $SIZE_BEFORE ]"
"$BIN" gc --data-dir "$DATA" --dry-run >"$WORK/again.txt" 2>&1
check "a second dry run finds nothing to remove" \
    bash -c "grep -q '^deleted metrics: would remove 0 metrics' '$WORK/again.txt' && grep -q '^metrics unknown to the index: would remove 0 metrics' '$WORK/again.txt' && grep -q '^expired splits: would remove 0 split packs' '$WORK/again.txt'"
"$BIN" gc --data-dir "$DATA" --dry-run --history-retention 90d >"$WORK/history.txt" 2>&1
check "--history-retention 90d is parsed and counts revisions" \
    grep -Eq '^resource history: would remove [0-9]+ revisions of ended resources' "$WORK/history.txt"

start
$API dump "$URL" "$WORK/metrics.json" "$WORK/after.json" >/dev/null
stop
check "every metric reads the same through the API after gc" $API compare "$WORK/before.json" "$WORK/after.json"
check "the deleted metrics are 404 (and were before)" \
    python3 -c "import json,sys; d=json.load(open('$WORK/after.json')); sys.exit(0 if d['deleted1'] == 404 and d['deleted2'] == 404 else 1)"

echo "directory: $SIZE_BEFORE → $SIZE_AFTER bytes; $(grep '^total:' "$WORK/gc.txt"); gc $(grep '^took' "$WORK/gc.txt"), dry run $(grep '^took' "$WORK/dry.txt")"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
