#!/usr/bin/env bash
# The multi-process scale-out test (issue 16, docs/SCALEOUT.md): PostgreSQL + moto
# (signatures checked, behind the fault proxy) + 2 `rondone api` + 2 `rondone metricd`.
# Under a load through both API nodes, one fault at a time:
#   1. one metricd is killed with SIGKILL mid-load, then started again;
#   2. the other is stopped (SIGSTOP) for longer than its lease, then continued;
#   3. PostgreSQL is restarted;
#   4. S3 answers 503 SlowDown for 10 s.
# After each: the backlog drains and every acknowledged measure is in the aggregates
# exactly once (count and sum, per metric; scripts/scaleout/load.py), and nothing
# answered a 5xx but 503.
#
# Env: RONDONE_BIN (default .build/debug/rondone), LOAD_SECONDS (default 15), KEEP_LOGS
#      (a directory the logs are copied to on failure),
#      PHASES (default "kill stop postgresql s3"), CHECK_TIMEOUT (s, default 120),
#      STUCK_HOOK (a command run when the backlog does not drain: diagnostics).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
LOAD_SECONDS=${LOAD_SECONDS:-15}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-scaleout.XXXXXX")
LOAD="python3 $ROOT/scripts/scaleout/load.py"
declare -A PIDS=()

log() { echo "scaleout: $*" >&2; }

cleanup() {
    local status=$?
    for name in "${!PIDS[@]}"; do kill -CONT "${PIDS[$name]}" 2>/dev/null || true; kill "${PIDS[$name]}" 2>/dev/null || true; done
    # Only Rondone's processes: moto and its proxy are children of this shell too.
    for name in "${!PIDS[@]}"; do wait "${PIDS[$name]}" 2>/dev/null || true; done
    if [ $status -ne 0 ]; then
        for f in "$WORK"/*.log; do echo "--- $f (last 30 lines)" >&2; tail -n 30 "$f" >&2 || true; done
        [ -n "${KEEP_LOGS:-}" ] && cp -r "$WORK" "$KEEP_LOGS"
    fi
    s3_test_server_stop || true
    [ -n "${RONDONE_TEST_POSTGRESQL_DIR:-}" ] && scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR" || true
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT

eval "$(scripts/postgresql-test-server.sh start)"
. scripts/s3-test-server.sh
s3_test_server_start
# Everything goes through the fault proxy, which forwards to moto unchanged.
PROXY_PORT=${RONDONE_TEST_S3_FAULT_PROXY##*:}
STORAGE_URL="s3://rondone-scaleout?endpoint=http://127.0.0.1:$PROXY_PORT&region=us-east-1"
INDEXER_URL=$RONDONE_TEST_POSTGRESQL_URL
URLS=(--indexer-url "$INDEXER_URL" --storage-url "$STORAGE_URL")

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$BIN" upgrade "${URLS[@]}" >"$WORK/upgrade.log" 2>&1

API1=$(free_port)
API2=$(free_port)
start_api() { # name port
    "$BIN" api "${URLS[@]}" --host 127.0.0.1 --port "$2" --log-level warning >>"$WORK/$1.log" 2>&1 &
    PIDS[$1]=$!
}
start_metricd() { # name
    stdbuf -oL "$BIN" metricd "${URLS[@]}" --workers 1 >>"$WORK/$1.log" 2>&1 &
    PIDS[$1]=$!
}
wait_http() { # port
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$1/healthcheck" && return 0
        sleep 0.1
    done
    log "nothing answers on port $1"
    return 1
}
start_api api1 "$API1"
start_api api2 "$API2"
start_metricd metricd1
start_metricd metricd2
wait_http "$API1"
wait_http "$API2"
APIS="http://127.0.0.1:$API1,http://127.0.0.1:$API2"
$LOAD setup --api "http://127.0.0.1:$API1"

# Both metricd processes are members.
for _ in $(seq 1 100); do
    members=$(curl -s -u admin: "http://127.0.0.1:$API2/v1/status" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["metricd"]["processors"] or []))')
    [ "$members" = 2 ] && break
    sleep 0.1
done
[ "$members" = 2 ] || { log "/v1/status lists $members processors, expected 2"; exit 1; }
log "2 API nodes and 2 metricd members up"

phase() { # name fault-function
    log "phase $1: load for $LOAD_SECONDS s"
    $LOAD load --apis "$APIS" --metrics 40 --seconds "$LOAD_SECONDS" --state "$WORK/$1.json" &
    local loader=$!
    sleep 3
    "$2"
    wait $loader
    $LOAD check --api "http://127.0.0.1:$API2" --state "$WORK/$1.json" --timeout "${CHECK_TIMEOUT:-120}" \
        ${STUCK_HOOK:+--stuck-hook "$STUCK_HOOK"}
}

fault_kill() {
    log "SIGKILL metricd1"
    kill -9 "${PIDS[metricd1]}"
    wait "${PIDS[metricd1]}" 2>/dev/null || true
    sleep 2
    start_metricd metricd1
}
fault_stop() {
    log "SIGSTOP metricd2 for 9 s (its lease lasts 5 s)"
    kill -STOP "${PIDS[metricd2]}"
    sleep 9
    kill -CONT "${PIDS[metricd2]}"
}
fault_postgresql() {
    log "restarting PostgreSQL"
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$bin/pg_ctl" -D "$RONDONE_TEST_POSTGRESQL_DIR/data" -m fast -w restart >"$WORK/pg-restart.log" 2>&1
    else
        "$bin/pg_ctl" -D "$RONDONE_TEST_POSTGRESQL_DIR/data" -m fast -w restart >"$WORK/pg-restart.log" 2>&1
    fi
}
fault_s3() {
    log "S3 answers 503 SlowDown for 10 s"
    curl -s -X POST "$RONDONE_TEST_S3_FAULT_PROXY/__fault/fail?seconds=10&mode=slowdown" >/dev/null
    sleep 10
}

for name in ${PHASES:-kill stop postgresql s3}; do phase "$name" "fault_$name"; done
log "passed: every acknowledged measure aggregated exactly once after each fault"
