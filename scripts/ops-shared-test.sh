#!/usr/bin/env bash
# `rondone gc` and `rondone fsck` on a PostgreSQL + S3 deployment (docs/OPERATIONS.md):
# PostgreSQL (scripts/postgresql-test-server.sh, amcheck installed and granted) and moto
# (signatures checked); `rondone serve --indexer-url … --storage-url …` populated through
# the API as scripts/gc-test.sh does (two deleted metrics, a policy's timespan shortened),
# then one metric's index row removed with psql. Then:
#   * gc --dry-run changes no object and no row and lists the deleted metrics, the unknown
#     one and the shortened metric's expired splits; gc removes exactly that; a second dry
#     run finds nothing; every live metric reads the same through the API;
#   * fsck on the sound deployment: exit 0, amcheck ran; then damaged one way each (an
#     orphan object, a flipped byte in a split, a deleted buffer object, an index row
#     without data, a waiting batch whose payload is cut, one in the wrong sack): each
#     reported, exit 1; --repair --dry-run changes nothing; --repair (with the API
#     serving) fixes the repairable ones and nothing else; the damaged split reads as an
#     error naming the metric, never as data;
#   * the API's ?dry_run=true (scripts/ops/dry_run.py) on the PostgreSQL index.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
API="python3 $ROOT/scripts/gc/api.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-ops-shared.XXXXXX")
export RONDONE_S3_TEST_STATE=$WORK/s3
SERVER=

cleanup() {
    [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
    s3_test_server_stop >/dev/null 2>&1 || true
    [ -n "${RONDONE_TEST_POSTGRESQL_DIR:-}" ] && scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

eval "$(scripts/postgresql-test-server.sh start)" || exit 2
. scripts/s3-test-server.sh
s3_test_server_start || exit 2
S3="$ROOT/.moto.venv/bin/python $ROOT/scripts/ops/s3.py"
URLS=(--indexer-url "$RONDONE_TEST_POSTGRESQL_URL" --storage-url "$RONDONE_TEST_S3_URL")
PSQL_BIN=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
[ -n "$PSQL_BIN" ] || PSQL_BIN=$(command -v psql)
sql() { "$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -d "$RONDONE_TEST_POSTGRESQL_URL" -c "$1"; }
superuser_sql() { # as PostgreSQL's superuser, over the server's socket
    local port=${RONDONE_TEST_POSTGRESQL_URL##*@127.0.0.1:}
    port=${port%%/*}
    local command=("$PSQL_BIN" -X -q -At -v ON_ERROR_STOP=1 -h "$RONDONE_TEST_POSTGRESQL_DIR" -p "$port" -U postgres -d rondone_test -c "$1")
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "${command[@]}"; else "${command[@]}"; fi
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -30; }
check() { # NAME COMMAND...: passes when the command succeeds
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}
start() { # [serve options]
    "$BIN" serve "${URLS[@]}" "$@" --host 127.0.0.1 --port "$PORT" --log-level warning >>"$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "$URL/healthcheck" && return 0; sleep 0.1; done
    echo "the server did not start" >&2; tail -20 "$WORK/serve.log" >&2; exit 2
}
stop() { kill -INT "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=; }
# What a dry run must leave as it was: every object and every row gc or fsck could touch.
fingerprint() {
    $S3 keys
    sql "SELECT metric, aggregation, granularity, key, object FROM rondone_aggregate ORDER BY 1, 2, 3, 4"
    sql "SELECT object FROM rondone_aggregate_garbage ORDER BY 1"
    sql "SELECT id, status FROM metric ORDER BY 1"
    sql "SELECT id, sack, metric, points, md5(payload) FROM rondone_incoming ORDER BY 1"
}
items() { grep -E '^(  |deleted|metrics unknown|expired|orphan|resource history)' "$1" | sed -e 's/would remove/REMOVE/' -e 's/removed/REMOVE/' -e 's/ ([0-9]* deleted)//'; }
id() { python3 -c "import json,sys; print(json.load(open('$WORK/metrics.json'))['$1'])"; }

superuser_sql "CREATE EXTENSION IF NOT EXISTS amcheck; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO rondone" ||
    { echo "cannot install amcheck" >&2; exit 2; }

# 1. gc.
start
$API populate "$URL" "$WORK/metrics.json" || { echo "populate failed" >&2; exit 2; }
$API dump "$URL" "$WORK/metrics.json" "$WORK/before.json" >/dev/null
stop
# What a metricd commit after the janitor's purge leaves: aggregates, no index row.
sql "DELETE FROM metric WHERE id = '$(id unknown)'"

check "gc without both URLs is refused" \
    bash -c "'$BIN' gc --indexer-url '$RONDONE_TEST_POSTGRESQL_URL' 2>&1 | grep -q 'go together'"
fingerprint >"$WORK/fingerprint.before"
"$BIN" gc "${URLS[@]}" --dry-run >"$WORK/dry.txt" 2>"$WORK/dry.err"
DRY_STATUS=$?
cat "$WORK/dry.txt"
fingerprint >"$WORK/fingerprint.after"
check "the dry run succeeds" test "$DRY_STATUS" -eq 0
check "the dry run changes no object and no row" diff "$WORK/fingerprint.before" "$WORK/fingerprint.after"
PENDING=$(sql "SELECT id FROM metric WHERE status = 'delete' ORDER BY 1")
PENDING=$(echo $PENDING)
check "the dry run lists the deleted metrics the janitor has not purged ($(echo $PENDING | wc -w) of 2)" \
    bash -c "grep -q '^deleted metrics: would remove $(echo $PENDING | wc -w) metrics' '$WORK/dry.txt' && for m in $PENDING; do grep -q \"^  \$m \" '$WORK/dry.txt' || exit 1; done"
check "the dry run lists the metric unknown to the index" \
    bash -c "grep -q '^metrics unknown to the index: would remove 1 metrics' '$WORK/dry.txt' && grep -q '^  $(id unknown) ' '$WORK/dry.txt'"
check "the dry run lists the shortened metric's expired 1 s splits (2 keys × mean and max)" \
    bash -c "grep -q '^expired splits: would remove 4 splits of 1 metrics' '$WORK/dry.txt' && [ \$(grep -c '^  $(id shortened) [a-z]* 1.0s ' '$WORK/dry.txt') -eq 4 ]"
check "no live metric is listed" bash -c "! grep -Eq '$(id live1)|$(id live2)' '$WORK/dry.txt'"
OBJECTS_BEFORE=$($S3 keys | wc -l)
UNKNOWN_OBJECTS=$(sql "SELECT object FROM rondone_aggregate WHERE metric = '$(id unknown)'")

"$BIN" gc "${URLS[@]}" >"$WORK/gc.txt" 2>"$WORK/gc.err"
GC_STATUS=$?
cat "$WORK/gc.txt"
check "gc succeeds" test "$GC_STATUS" -eq 0
items "$WORK/dry.txt" | grep -v '^orphan' >"$WORK/dry.items"
items "$WORK/gc.txt" | grep -v '^orphan' >"$WORK/gc.items"
check "gc removed exactly what the dry run listed" diff "$WORK/dry.items" "$WORK/gc.items"
check "the unknown metric's pointers and current objects are gone" \
    bash -c "[ \$(echo '$UNKNOWN_OBJECTS' | wc -w) -gt 0 ] && [ $(sql "SELECT count(*) FROM rondone_aggregate WHERE metric = '$(id unknown)'") -eq 0 ] && ! $S3 keys | grep -qF '$(echo $UNKNOWN_OBJECTS | cut -d' ' -f1)'"
check "the expired splits' pointers are gone (their objects wait out the grace in the garbage)" \
    test "$(sql "SELECT count(*) FROM rondone_aggregate WHERE metric = '$(id shortened)' AND granularity = 1000000000")" \
    -lt "$(grep -c '^  ' "$WORK/dry.txt")"
check "the tables were vacuumed" grep -Eq '^database: vacuumed [0-9]+ tables' "$WORK/gc.txt"
"$BIN" gc "${URLS[@]}" --dry-run >"$WORK/again.txt" 2>&1
check "a second dry run finds nothing to remove" \
    bash -c "grep -q '^deleted metrics: would remove 0 metrics' '$WORK/again.txt' && grep -q '^metrics unknown to the index: would remove 0 metrics' '$WORK/again.txt' && grep -q '^expired splits: would remove 0 splits' '$WORK/again.txt' && grep -q '^orphan objects: would remove 0' '$WORK/again.txt'"
"$BIN" gc "${URLS[@]}" --dry-run --history-retention 90d >"$WORK/history.txt" 2>&1
check "--history-retention 90d counts revisions of ended resources" \
    grep -Eq '^resource history: would remove [0-9]+ revisions of ended resources' "$WORK/history.txt"

start
$API dump "$URL" "$WORK/metrics.json" "$WORK/after.json" >/dev/null
check "every metric reads the same through the API after gc" $API compare "$WORK/before.json" "$WORK/after.json"
check "the deleted metrics are 404 (and were before)" \
    python3 -c "import json,sys; d=json.load(open('$WORK/after.json')); sys.exit(0 if d['deleted1'] == 404 and d['deleted2'] == 404 else 1)"

# The API's dry runs, on the PostgreSQL index.
python3 scripts/ops/dry_run.py "$URL" >"$WORK/dry-run.txt" 2>&1
DRY_RUN_STATUS=$?
cat "$WORK/dry-run.txt"
check "the API's ?dry_run=true on the PostgreSQL index: $(grep -c '^ok' "$WORK/dry-run.txt") checks, each the real call's answer" \
    test "$DRY_RUN_STATUS" -eq 0

# 2. fsck, the server running.
"$BIN" fsck "${URLS[@]}" >"$WORK/fsck-clean.txt" 2>&1
CLEAN_STATUS=$?
cat "$WORK/fsck-clean.txt"
check "fsck of the sound deployment: exit 0, no problems" \
    bash -c "[ $CLEAN_STATUS -eq 0 ] && grep -q '^summary: no problems found' '$WORK/fsck-clean.txt'"
check "fsck read back and decoded every current object, compared with its ETag's MD5" \
    grep -Eq '[1-9][0-9]* buffers and [1-9][0-9]* splits read back and decoded, [1-9][0-9]* compared' "$WORK/fsck-clean.txt"
check "fsck ran amcheck over the index's indexes and tables" \
    grep -Eq 'amcheck: [1-9][0-9]* indexes and [0-9]+ tables verified' "$WORK/fsck-clean.txt"

LIVE1=$(id live1); LIVE2=$(id live2)
# An index row without data.
NODATA=$(curl -s -X POST -u admin: -H 'Content-Type: application/json' -d '{"archive_policy_name": "low"}' "$URL/v1/metric" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
stop  # so that no processing claims the batches below before fsck sees them
SPLIT=$(sql "SELECT object FROM rondone_aggregate WHERE metric = '$LIVE1' AND aggregation = 'mean' ORDER BY granularity, key LIMIT 1")
BUFFER=$(sql "SELECT object FROM rondone_aggregate WHERE metric = '$LIVE2' AND aggregation = ''")
$S3 flip "$SPLIT"
$S3 delete "$BUFFER"
ORPHAN=$($S3 put-orphan "$LIVE1")
GHOST=$(python3 -c 'import uuid; print(uuid.uuid4())')
SACKS=$(sql "SELECT sacks FROM rondone_incoming_settings")
own_sack() { python3 -c "import uuid; print(uuid.UUID('$1').int % $SACKS)"; }
OWN_SACK=$(own_sack "$LIVE1")
# A batch whose payload was cut (3 points, 20 bytes); one in the wrong sack; measures of
# a metric the index does not know.
sql "INSERT INTO rondone_incoming (sack, metric, points, payload) VALUES ($(own_sack "$LIVE2"), '$LIVE2', 3, decode(repeat('00', 20), 'hex'))"
WRONG_ID=$(sql "INSERT INTO rondone_incoming (sack, metric, points, payload) VALUES ($(( (OWN_SACK + 1) % SACKS )), '$LIVE1', 0, ''::bytea) RETURNING id")
sql "INSERT INTO rondone_incoming (sack, metric, points, payload) VALUES ($(own_sack "$GHOST"), '$GHOST', 1, decode(repeat('00', 16), 'hex'))"

"$BIN" fsck "${URLS[@]}" >"$WORK/fsck.txt" 2>&1
STATUS=$?
cat "$WORK/fsck.txt"
check "fsck exits 1 on the damaged deployment" test "$STATUS" -eq 1
check "the flipped byte in a split is reported (damaged-split, its metric)" \
    grep -Eq "^damaged-split s3://[^ ]*/$SPLIT metric $LIVE1" "$WORK/fsck.txt"
check "the deleted buffer object is reported (missing-object, its metric)" \
    grep -Eq "^missing-object s3://[^ ]*/$BUFFER metric $LIVE2" "$WORK/fsck.txt"
check "the orphan object is reported, repairable" \
    grep -Eq "^orphan-object s3://[^ ]*/$ORPHAN: .*\[--repair: delete orphan object" "$WORK/fsck.txt"
check "the cut payload is reported (damaged-record, its sack blocked)" \
    grep -Eq "^damaged-record .*rondone_incoming id [0-9]+ metric $LIVE2: .*20 payload bytes" "$WORK/fsck.txt"
check "the batch in the wrong sack is reported, repairable" \
    grep -Eq "^wrong-sack .*rondone_incoming id $WRONG_ID metric $LIVE1: .*\[--repair: move" "$WORK/fsck.txt"
check "the measures of no metric are reported (data-of-no-metric)" \
    grep -Eq "^data-of-no-metric .* metric $GHOST: measures wait" "$WORK/fsck.txt"
check "the metric without data is noted, not counted" grep -q "^note: .*$NODATA" "$WORK/fsck.txt"
check "the summary counts them" \
    grep -Eq '^summary: 6 problems \(1 damaged-record, 1 damaged-split, 1 data-of-no-metric, 1 missing-object, 1 orphan-object, 1 wrong-sack\); 3 repairable' "$WORK/fsck.txt"

fingerprint >"$WORK/fingerprint.before"
"$BIN" fsck "${URLS[@]}" --repair --dry-run >"$WORK/repair-dry.txt" 2>&1
fingerprint >"$WORK/fingerprint.after"
check "--repair --dry-run says what it would do and changes nothing" \
    bash -c "[ \$(grep -c '^would ' '$WORK/repair-dry.txt') -eq 3 ] && diff '$WORK/fingerprint.before' '$WORK/fingerprint.after'"

start --workers 0  # the API serving; no processing, so the batches stay where they are
"$BIN" fsck "${URLS[@]}" --repair >"$WORK/repair.txt" 2>&1
REPAIR_STATUS=$?
cat "$WORK/repair.txt"
check "--repair with the server running repairs the 3 repairable problems, exit 1 for the rest" \
    bash -c "[ $REPAIR_STATUS -eq 1 ] && [ \$(grep -c '^repaired: ' '$WORK/repair.txt') -eq 3 ] && ! grep -q '^repair failed' '$WORK/repair.txt'"
check "the orphan object is gone, every other object stays" \
    bash -c "! $S3 keys | grep -q '$ORPHAN' && $S3 keys | grep -q '$SPLIT'"
check "the batch is in its metric's sack now" \
    test "$(sql "SELECT sack FROM rondone_incoming WHERE id = $WRONG_ID")" = "$OWN_SACK"
STATUS=$(curl -s -u admin: -o "$WORK/read.json" -w '%{http_code}' "$URL/v1/metric/$LIVE1/measures?aggregation=mean&granularity=1")
check "the damaged split reads as a 500 naming the metric, not as data" \
    bash -c "[ $STATUS -eq 500 ] && grep -q '$LIVE1' '$WORK/read.json' || { echo $STATUS; cat '$WORK/read.json'; exit 1; }"
"$BIN" fsck "${URLS[@]}" >"$WORK/after-repair.txt" 2>&1
check "fsck after the repair: only what fsck cannot repair is left" \
    grep -Eq '^summary: 3 problems \(1 damaged-record, 1 damaged-split, 1 missing-object\); 0 repairable' "$WORK/after-repair.txt"
stop

echo "gc $(grep '^took' "$WORK/gc.txt"), dry run $(grep '^took' "$WORK/dry.txt"); objects $OBJECTS_BEFORE → $($S3 keys | wc -l)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
