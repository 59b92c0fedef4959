#!/usr/bin/env bash
# `rondone backup` and `rondone restore` of a PostgreSQL + S3 deployment (docs/OPERATIONS.md,
# "Backing up a deployment"), on PostgreSQL and moto (S3, signatures checked):
#   1. `rondone api` + `rondone metricd` on the deployment; scripts/migrate/data.py populate
#      (policies, a rule, a changed custom type, resources with history, metrics, measures);
#      then 4 writers post batches to 8 metrics without a pause (scripts/backup/load.py),
#      each 202 recorded with its time, while metricd processes them;
#   2. `rondone backup --indexer-url … --storage-url … DEST` runs while they write; the
#      writers stop once it is done;
#   3. `rondone serve --data-dir DEST` holds every measure acknowledged before the backup
#      started (?refresh=true), and reads the same as the deployment for everything else
#      (data.py dump/compare, the written metrics' aggregates left out: they went on);
#   4. `rondone restore DEST` into a second, empty deployment (a new PostgreSQL schema and
#      bucket), served by `rondone api` + `rondone metricd`: reads the same as DEST served,
#      the written metrics included;
#   5. a deployment whose index, waiting measures and coordination are in databases of
#      their own (schemas here) is backed up from three snapshots, and reads the same.
# A backup into a non-empty DEST and a restore into a deployment holding data are refused.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-backup-shared.XXXXXX")
DATA="python3 $ROOT/scripts/migrate/data.py"
LOAD="python3 $ROOT/scripts/backup/load.py"
export RONDONE_S3_TEST_STATE=$WORK/s3
PIDS=()
WRITERS=

log() { echo "backup-shared-test: $*" >&2; }

cleanup() {
    local status=$?
    [ -n "$WRITERS" ] && { touch "$WORK/stop"; wait "$WRITERS" 2>/dev/null; }
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ $status -ne 0 ]; then
        for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f (last 20 lines)" >&2; tail -n 20 "$f" >&2; }; done
    fi
    s3_test_server_stop || true
    [ -n "${RONDONE_TEST_POSTGRESQL_DIR:-}" ] && scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR" || true
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT

passed=0; failed=0
check() { # check NAME EXPECTED-REGEX COMMAND...
    local name=$1 expected=$2; shift 2
    local out
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -Eq -- "$expected"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: expected /$expected/, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # port
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$1/healthcheck" && return 0
        sleep 0.1
    done
    log "nothing answers on port $1"
    exit 1
}
start() { # log-name port command...: SERVER is its pid
    local name=$1 port=$2
    shift 2
    "$@" >>"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    SERVER=$!
    [ "$port" = - ] || wait_http "$port"
}
stop() { # pid
    kill -INT "$1"
    wait "$1" 2>/dev/null || true
}

eval "$(scripts/postgresql-test-server.sh start)"
. scripts/s3-test-server.sh
s3_test_server_start
URLS=(--indexer-url "$RONDONE_TEST_POSTGRESQL_URL" --storage-url "$RONDONE_TEST_S3_URL")
# The second deployment: a schema of its own in the same server, a bucket of its own.
PSQL=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)/psql
[ -x "$PSQL" ] || PSQL=psql
"$PSQL" -X -q -v ON_ERROR_STOP=1 "${RONDONE_TEST_POSTGRESQL_URL%%\?*}" -c "CREATE SCHEMA restored" >/dev/null
case $RONDONE_TEST_POSTGRESQL_URL in
    *\?*) RESTORED_INDEXER="$RONDONE_TEST_POSTGRESQL_URL&options=-c%20search_path%3Drestored" ;;
    *) RESTORED_INDEXER="$RONDONE_TEST_POSTGRESQL_URL?options=-c%20search_path%3Drestored" ;;
esac
RESTORED_URLS=(--indexer-url "$RESTORED_INDEXER" --storage-url "${RONDONE_TEST_S3_URL/rondone-test/rondone-restored}")

# 1. The deployment, populated, then written to without a pause.
"$BIN" upgrade "${URLS[@]}" >"$WORK/upgrade.log" 2>&1 || { log "upgrade failed"; exit 1; }
API_PORT=$(free_port)
start api "$API_PORT" "$BIN" api "${URLS[@]}" --host 127.0.0.1 --port "$API_PORT" --log-level warning
API=$SERVER
start metricd - "$BIN" metricd "${URLS[@]}" --workers 2
METRICD=$SERVER
DEPLOYMENT=http://127.0.0.1:$API_PORT
$DATA populate "$DEPLOYMENT"
$LOAD setup "$DEPLOYMENT" "$WORK/state"
$LOAD write "$DEPLOYMENT" "$WORK/state" "$WORK/stop" &
WRITERS=$!
sleep 3
log "deployment populated; writers running"

# 2. The backup, while they write and metricd processes.
BEFORE=$(python3 -c 'import time; print(time.time())')
"$BIN" backup "${URLS[@]}" "$WORK/backup" >"$WORK/backup.out" 2>&1
check "backup of the deployment while it is written to and processed" \
    '^consistent point: one PostgreSQL snapshot' cat "$WORK/backup.out"
sed 's/^/     /' "$WORK/backup.out"
sleep 1
touch "$WORK/stop"; wait "$WRITERS"; WRITERS=
check "writes acknowledged after the backup started too" '^[1-9]' \
    python3 -c "import json,sys; print(sum(1 for l in open('$WORK/state.acks') if json.loads(l)[3] > $BEFORE))"
check "a backup into a non-empty directory is refused" 'is not empty; a backup goes into a new or empty directory' \
    "$BIN" backup "${URLS[@]}" "$WORK/backup"
check "the deployment holds every measure acknowledged" ' 0 missing$' $LOAD check "$DEPLOYMENT" "$WORK/state" all
$DATA dump "$DEPLOYMENT" "$WORK/deployment.json" backup-test
stop "$METRICD"
stop "$API"

# 3. The backup, served as it is.
check "the backup passes fsck" 'summary: no problems found' "$BIN" fsck --data-dir "$WORK/backup"
PORT=$(free_port)
start serve "$PORT" "$BIN" serve --data-dir "$WORK/backup" --host 127.0.0.1 --port "$PORT" --log-level warning
check "the backup holds every measure acknowledged before it started" ' 0 missing$' \
    $LOAD check "http://127.0.0.1:$PORT" "$WORK/state" "$BEFORE"
$DATA dump "http://127.0.0.1:$PORT" "$WORK/backup.json" backup-test
check "the backup reads the same as the deployment" '^same$' \
    sh -c "$DATA compare '$WORK/deployment.json' '$WORK/backup.json' && echo same"
$DATA dump "http://127.0.0.1:$PORT" "$WORK/backup-all.json"
stop "$SERVER"

# 4. Restored into a second, empty deployment.
"$BIN" restore "$WORK/backup" "${RESTORED_URLS[@]}" >"$WORK/restore.out" 2>&1
check "restore of the backup into an empty deployment" '^rondone restore: .* done; this run moved:' \
    cat "$WORK/restore.out"
sed 's/^/     /' "$WORK/restore.out"
check "restore into a deployment that holds data is refused" 'already holds resources or metrics' \
    "$BIN" restore "$WORK/backup" "${URLS[@]}"
API_PORT=$(free_port)
start api-restored "$API_PORT" "$BIN" api "${RESTORED_URLS[@]}" --host 127.0.0.1 --port "$API_PORT" --log-level warning
API=$SERVER
start metricd-restored - "$BIN" metricd "${RESTORED_URLS[@]}" --workers 2
$DATA dump "http://127.0.0.1:$API_PORT" "$WORK/restored.json"
check "the restored deployment reads the same as the backup" '^same$' \
    sh -c "$DATA compare '$WORK/backup-all.json' '$WORK/restored.json' && echo same"
check "the restored deployment holds every measure acknowledged before the backup" ' 0 missing$' \
    $LOAD check "http://127.0.0.1:$API_PORT" "$WORK/state" "$BEFORE"

stop "$SERVER"
stop "$API"

# 5. Separate databases (a schema each for the index, the waiting measures and the
#    coordination): three snapshots, in order; the backup reads the same.
for schema in split_index split_incoming split_coordination; do
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "${RONDONE_TEST_POSTGRESQL_URL%%\?*}" -c "CREATE SCHEMA $schema" >/dev/null
done
SPLIT=${RESTORED_INDEXER%restored}
SPLIT_URLS=(--indexer-url "${SPLIT}split_index" --incoming-url "${SPLIT}split_incoming"
    --coordination-url "${SPLIT}split_coordination" --storage-url "${RONDONE_TEST_S3_URL/rondone-test/rondone-split}")
"$BIN" upgrade "${SPLIT_URLS[@]}" >>"$WORK/upgrade.log" 2>&1 || { log "upgrade of the split deployment failed"; exit 1; }
API_PORT=$(free_port)
start api-split "$API_PORT" "$BIN" api "${SPLIT_URLS[@]}" --host 127.0.0.1 --port "$API_PORT" --log-level warning
API=$SERVER
start metricd-split - "$BIN" metricd "${SPLIT_URLS[@]}" --workers 2
$DATA populate "http://127.0.0.1:$API_PORT"
$DATA dump "http://127.0.0.1:$API_PORT" "$WORK/split.json"
"$BIN" backup "${SPLIT_URLS[@]}" "$WORK/split-backup" >"$WORK/split-backup.out" 2>&1
check "backup of a deployment in separate databases" \
    '^consistent point: 3 PostgreSQL snapshots, in this order: index, then incoming, then pointers' \
    cat "$WORK/split-backup.out"
stop "$SERVER"
stop "$API"
PORT=$(free_port)
start serve-split "$PORT" "$BIN" serve --data-dir "$WORK/split-backup" --host 127.0.0.1 --port "$PORT" --log-level warning
$DATA dump "http://127.0.0.1:$PORT" "$WORK/split-backup.json"
check "its backup reads the same as the deployment" '^same$' \
    sh -c "$DATA compare '$WORK/split.json' '$WORK/split-backup.json' && echo same"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
