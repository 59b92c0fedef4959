#!/usr/bin/env bash
# The migration test (issue 16, docs/SCALEOUT.md "Moving a data directory in"): a data
# directory made through the API of `rondone serve` is moved with `rondone migrate` into
# PostgreSQL + S3 (moto, signatures checked), and everything reads the same through a
# `rondone api` + `rondone metricd` of the deployment as through `rondone serve` on a
# copy of the directory: policies, rules, types, every resource revision, metrics, and
# every aggregate of every metric, measures that were still waiting included.
#
#   1. `serve` on DIR: scripts/migrate/data.py populate (processed), then `serve
#      --workers 0` on DIR: data.py waiting (measures left waiting); DIR copied to REF.
#   2. `migrate --dry-run` prints the counts the reference shows.
#   3. `migrate` is killed (SIGKILL) part way, run again to the end, and once more
#      (nothing left to move).
#   4. `serve` on REF and the deployment are dumped (data.py dump: the backlog drained
#      first) and compared (data.py compare); then a moved resource is changed through
#      the deployment (data.py revise).
#
# Env: RONDONE_BIN (default .build/debug/rondone), KILL_AFTER (s, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-migrate.XXXXXX")
DATA="python3 $ROOT/scripts/migrate/data.py"
export RONDONE_S3_TEST_STATE=$WORK/s3
PIDS=()

log() { echo "migrate-test: $*" >&2; }

cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ $status -ne 0 ]; then
        for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f (last 30 lines)" >&2; tail -n 30 "$f" >&2; }; done
    fi
    s3_test_server_stop || true
    [ -n "${RONDONE_TEST_POSTGRESQL_DIR:-}" ] && scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR" || true
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # port
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$1/healthcheck" && return 0
        sleep 0.1
    done
    log "nothing answers on port $1"
    return 1
}
start() { # log-name port command...
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

# 1. The data directory, and its reference copy.
PORT=$(free_port)
start serve "$PORT" "$BIN" serve --data-dir "$WORK/dir" --host 127.0.0.1 --port "$PORT" --log-level warning
$DATA populate "http://127.0.0.1:$PORT"
stop "$SERVER"
start serve-waiting "$PORT" "$BIN" serve --data-dir "$WORK/dir" --host 127.0.0.1 --port "$PORT" --workers 0 \
    --log-level warning
$DATA waiting "http://127.0.0.1:$PORT"
stop "$SERVER"
cp -a "$WORK/dir" "$WORK/ref"
log "data directory made"

# 2. The dry run counts what the API shows.
"$BIN" migrate --from-data-dir "$WORK/dir" "${URLS[@]}" --dry-run | tee "$WORK/dry-run.txt"

# 3. Interrupted, resumed, and once more.
"$BIN" migrate --from-data-dir "$WORK/dir" "${URLS[@]}" >"$WORK/migrate-killed.log" 2>&1 &
MIGRATE=$!
sleep "${KILL_AFTER:-3}"
if kill -9 "$MIGRATE" 2>/dev/null; then
    log "migrate killed after ${KILL_AFTER:-3} s"
else
    log "migrate finished within ${KILL_AFTER:-3} s: not interrupted"
fi
wait "$MIGRATE" 2>/dev/null || true
"$BIN" migrate --from-data-dir "$WORK/dir" "${URLS[@]}" | tee "$WORK/migrate.txt"
"$BIN" migrate --from-data-dir "$WORK/dir" "${URLS[@]}" | tee "$WORK/migrate-again.txt"
grep -q "^  resources: 0 " "$WORK/migrate-again.txt" && grep -q "^  metrics: 0$" "$WORK/migrate-again.txt" &&
    grep -q "^  waiting measures: 0$" "$WORK/migrate-again.txt" ||
    { log "a third run still moved something"; exit 1; }

# 4. Both read the same.
start serve-ref "$PORT" "$BIN" serve --data-dir "$WORK/ref" --host 127.0.0.1 --port "$PORT" --log-level warning
$DATA dump "http://127.0.0.1:$PORT" "$WORK/ref.json"
stop "$SERVER"
API_PORT=$(free_port)
start api "$API_PORT" "$BIN" api "${URLS[@]}" --host 127.0.0.1 --port "$API_PORT" --log-level warning
start metricd - "$BIN" metricd "${URLS[@]}" --workers 1
$DATA dump "http://127.0.0.1:$API_PORT" "$WORK/deployment.json"
$DATA compare "$WORK/ref.json" "$WORK/deployment.json"

for kind in resources revisions metrics; do
    expected=$($DATA count "$WORK/ref.json" "$kind")
    case $kind in
        resources) grep -q "^  resources: $expected (" "$WORK/dry-run.txt" ;;
        revisions) grep -q "($expected revisions)" "$WORK/dry-run.txt" ;;
        metrics) grep -q "^  metrics: $expected\b" "$WORK/dry-run.txt" ;;
    esac || { log "the dry run does not count $expected $kind"; exit 1; }
done

# The deployment goes on from there: a new revision of a moved resource takes a number
# after every moved one.
$DATA revise "http://127.0.0.1:$API_PORT"
log "passed: the deployment reads the same as the data directory"
