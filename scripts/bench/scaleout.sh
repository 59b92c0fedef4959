#!/usr/bin/env bash
# The scale-out benchmark (issue 16, docs/SCALEOUT.md): the same batch ingest and
# processing against the embedded default (`rondone serve` on a fresh data directory)
# and against the deployment — PostgreSQL (durable: fsync and synchronous_commit on) and
# moto as S3 — with one `rondone api` node and 1, 2 or 3 `rondone metricd` processes, on
# this one machine; the CPU each process spends per measure; a table printed and written
# between the markers of docs/BENCHMARKS.md's scale-out section (which says what each
# figure is).
#
# Each run of a configuration, on a fresh data directory, or a fresh PostgreSQL schema
# (`rondone upgrade`) and a fresh moto process and bucket:
#   1. METRICS metrics in `high` (untimed), the backlog empty;
#   2. batch ingest through the one API node: `POST /v1/batch/metrics/measures`, 10
#      metrics × 100 measures a request, with wrk (scripts/bench/compare.lua) for DURATION
#      → ingest = measures acknowledged / s;
#   3. processing = measures acknowledged / (ingest start → /v1/status backlog 0);
#   4. CPU of every process (utime + stime from /proc/<pid>/stat, children reaped
#      included) from just before the ingest to the empty backlog: rondone serve / api,
#      each metricd, all of PostgreSQL's processes, moto's, and wrk's; and the S3
#      requests moto answered in that time, by method.
# Configurations run interleaved (embedded, 1, 2, 3, embedded, 1, …) REPEAT times; the
# table gives the median of each figure. Before each run the script waits (at most
# LOAD_WAIT s) for the 1-minute load average to fall under MAX_LOAD, and records it.
#
# Env: DURATION (10 s), CONNECTIONS (8), THREADS (2 wrk threads), METRICS (1000),
#      CONFIGS ("embedded 1 2 3": `embedded`, or a number of metricd processes),
#      REPEAT (3), PROCESS_TIMEOUT (600 s: after that the processing figure is what was
#      processed so far, marked partial), MAX_LOAD (2.0), LOAD_WAIT (120 s), PORT (8170),
#      SKIP_BUILD=1, RONDONE_BIN (.build-release/release/rondone), QUICK=1 (tiny
#      parameters to check the script, ~2 minutes; the doc is not written), WRITE_DOC (1;
#      0 in QUICK), OUT (.build-release/bench-scaleout).
# Needs wrk, /usr/bin/time, psql; PostgreSQL (scripts/postgresql-test-server.sh installs
# Debian's) and moto (scripts/s3-test-server.sh installs it into .moto.venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COMMAND_LINE="$*"

if [ "${QUICK:-0}" = 1 ]; then
    : "${DURATION:=3}" "${METRICS:=200}" "${REPEAT:=1}" "${PROCESS_TIMEOUT:=120}" "${WRITE_DOC:=0}"
    : "${LOAD_WAIT:=0}"
fi
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-8} THREADS=${THREADS:-2}
METRICS=${METRICS:-1000} CONFIGS=${CONFIGS:-embedded 1 2 3} REPEAT=${REPEAT:-3}
PROCESS_TIMEOUT=${PROCESS_TIMEOUT:-600} MAX_LOAD=${MAX_LOAD:-2.0} LOAD_WAIT=${LOAD_WAIT:-120}
PORT=${PORT:-8170} WRITE_DOC=${WRITE_DOC:-1}
OUT=${OUT:-$ROOT/.build-release/bench-scaleout}
RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build-release/release/rondone}

for tool in wrk psql; do
    command -v $tool >/dev/null || { echo "$tool is needed (apt-get install $tool / postgresql-client)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 2; }
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path .build-release --product rondone >&2
[ -x "$RONDONE_BIN" ] || { echo "no rondone binary at $RONDONE_BIN" >&2; exit 2; }
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: > "$RESULTS"

BASE=1767225600             # 2026-01-01T00:00:00Z
PER_UNIT=100                # /v1/status counts batches: one per metric and request, 100 measures
URL=http://127.0.0.1:$PORT
SYSTEM= DATA= PROCS=() NAMED=() RONDONE_PIDS=()
. "$ROOT/scripts/bench/common.sh"

# ------------------------------------------------------------------ PostgreSQL and moto
# One durable PostgreSQL server for the whole run (a schema per deployment run); moto is
# started again for each deployment run (it keeps every object in its memory).
log "starting PostgreSQL (durable)"
eval "$(RONDONE_TEST_POSTGRESQL_DURABLE=1 scripts/postgresql-test-server.sh start)"
PG_DIR=$RONDONE_TEST_POSTGRESQL_DIR PG_URL=$RONDONE_TEST_POSTGRESQL_URL
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
PG_PORT=$(sed -n 4p "$PG_DIR/data/postmaster.pid")
pg_admin() { # SQL as the superuser, over the server's own socket
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -c "$1" >/dev/null
}
export RONDONE_S3_TEST_STATE=$OUT/s3
. "$ROOT/scripts/s3-test-server.sh"
MOTO_RUNNING=0

# ------------------------------------------------------------------ the configurations
wait_http() {
    for _ in $(seq 1 600); do curl -s -o /dev/null "$URL/healthcheck" && return 0; sleep 0.05; done
    log "nothing answers on $URL"; return 1
}

start_embedded() {
    DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-bench-scaleout.XXXXXX")
    "$RONDONE_BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning \
        >> "$OUT/$SYSTEM-serve.log" 2>&1 &
    RONDONE_PIDS=($!)
    NAMED=("serve=$!")
    wait_http
}

start_deployment() { # start_deployment METRICD_COUNT
    local schema=bench_${SYSTEM//[^a-z0-9]/_} i indexer_url storage_url members=0
    s3_test_server_start
    MOTO_RUNNING=1
    psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE SCHEMA $schema" >/dev/null
    indexer_url="$PG_URL&options=-c%20search_path%3D$schema"
    storage_url="s3://rondone-bench?${RONDONE_TEST_S3_URL#s3://*\?}"   # straight to moto, no fault proxy
    URLS=(--indexer-url "$indexer_url" --storage-url "$storage_url")
    SCHEMA=$schema
    "$RONDONE_BIN" upgrade "${URLS[@]}" >> "$OUT/$SYSTEM-upgrade.log" 2>&1
    "$RONDONE_BIN" api "${URLS[@]}" --host 127.0.0.1 --port "$PORT" --log-level warning \
        >> "$OUT/$SYSTEM-api.log" 2>&1 &
    RONDONE_PIDS=($!)
    NAMED=("api=$!")
    for i in $(seq 1 "$1"); do
        "$RONDONE_BIN" metricd "${URLS[@]}" >> "$OUT/$SYSTEM-metricd$i.log" 2>&1 &
        RONDONE_PIDS+=($!)
        NAMED+=("metricd$i=$!")
    done
    NAMED+=("postgresql=$PG_PID" "moto=$(cat "$RONDONE_S3_TEST_STATE/moto.pid")")
    wait_http
    for _ in $(seq 1 200); do   # every metricd has joined
        members=$(curl -s -u admin: "$URL/v1/status" | python3 -c \
            'import json, sys; print(len(json.load(sys.stdin)["metricd"]["processors"] or []))')
        [ "$members" = "$1" ] && break
        sleep 0.1
    done
    [ "$members" = "$1" ] || { log "/v1/status lists $members metricd processors, not $1"; return 1; }
}

stop_config() {
    local pid
    for pid in "${RONDONE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${RONDONE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    RONDONE_PIDS=()
    [ -z "$DATA" ] || rm -rf "$DATA"
    DATA=
    if [ "$MOTO_RUNNING" = 1 ]; then s3_test_server_stop; MOTO_RUNNING=0; fi
    if [ -n "${SCHEMA:-}" ]; then
        psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" -c "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1 || true
        SCHEMA=
    fi
}

# The servers' CPU during wrk (common.sh's run_wrk): every process of the configuration.
server_cpu() { helper cpus "${NAMED[@]}" | awk '{s += $2} END {printf "%.2f", s}'; }

# Lines of moto's log: one per request answered (werkzeug's access log), 0 without moto.
moto_lines() {
    if [ "$MOTO_RUNNING" = 1 ]; then wc -l < "$RONDONE_S3_TEST_STATE/moto.log"; else echo 0; fi
}

load1() { cut -d' ' -f1 /proc/loadavg; }
wait_for_quiet() {
    local waited=0
    while awk "BEGIN { exit !($(load1) > $MAX_LOAD) }" && [ "$waited" -lt "$LOAD_WAIT" ]; do
        [ $waited = 0 ] && log "load average $(load1) > $MAX_LOAD: waiting (at most ${LOAD_WAIT}s)"
        sleep 5
        waited=$((waited + 5))
    done
}

run_config() { # run_config CONFIG REPETITION
    local config=$1 name before after s3_lines0 s3_lines1
    if [ "$config" = embedded ]; then name=embedded; else name=metricd$config; fi
    SYSTEM=$name.r$2
    log "$SYSTEM: starting"
    if [ "$config" = embedded ]; then start_embedded; else start_deployment "$config"; fi
    helper metrics "$URL" high "$METRICS" "$OUT/$SYSTEM.ids" --threads 2
    drain
    # Nothing of the set-up or the previous run left to write: PostgreSQL's checkpoint
    # and the page cache's dirty pages would otherwise land inside this run.
    pg_admin CHECKPOINT
    sync
    wait_for_quiet
    record load.start "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
    before=$(helper cpus "${NAMED[@]}")
    s3_lines0=$(moto_lines)
    ingest batch batch "$OUT/$SYSTEM.ids" 10 100 "$DURATION" process
    after=$(helper cpus "${NAMED[@]}")
    s3_lines1=$(moto_lines)
    record load.end "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
    record acked "$ACKED"
    record window "$(calc "$PROCESSED_AT - $WRK_STARTED" 3)"
    # CPU seconds of each process over the run (wrk's from /usr/bin/time)
    join <(sort <<< "$before") <(sort <<< "$after") | while read -r process c0 c1; do
        record "cpu_s.$process" "$(calc "$c1 - $c0" 2)"
    done
    record cpu_s.wrk "$(tail -1 "$OUT/$SYSTEM-batch.time" | awk '{printf "%.2f", $1 + $2}')"
    if [ "$config" != embedded ]; then   # the S3 requests moto answered in the run, by method
        sed -n "$((s3_lines0 + 1)),${s3_lines1}p" "$RONDONE_S3_TEST_STATE/moto.log" \
            | awk '$6 ~ /^"[A-Z]+$/ {n[substr($6, 2)]++} END {for (m in n) print m, n[m]}' \
            | while read -r method count; do record "s3.$method" "$count"; done
        cp "$RONDONE_S3_TEST_STATE/moto.log" "$OUT/$SYSTEM-moto.log"
    fi
    stop_config
}

cleanup() {
    [ -z "${POLLER:-}" ] || kill "$POLLER" 2>/dev/null || true
    stop_config 2>/dev/null || true
    s3_test_server_stop || true
    scripts/postgresql-test-server.sh stop "$PG_DIR" || true
}
trap cleanup EXIT

for repetition in $(seq 1 "$REPEAT"); do
    for config in $CONFIGS; do run_config "$config" "$repetition"; done
done
SYSTEM=

PARAMS="DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS METRICS=$METRICS CONFIGS=\"$CONFIGS\" REPEAT=$REPEAT PROCESS_TIMEOUT=$PROCESS_TIMEOUT MAX_LOAD=$MAX_LOAD"
command="$(env | { grep -E '^(QUICK|DURATION|CONNECTIONS|THREADS|METRICS|CONFIGS|REPEAT|PROCESS_TIMEOUT|MAX_LOAD|LOAD_WAIT)=' || true; } | sort | tr '\n' ' ')scripts/bench/scaleout.sh $COMMAND_LINE"
doc_args=()
[ "$WRITE_DOC" = 1 ] && doc_args=(--doc "$ROOT/docs/BENCHMARKS.md")
python3 "$ROOT/scripts/bench/scaleout_table.py" "$RESULTS" --command "$command" --params "$PARAMS" \
    --commit "$(git rev-parse --short HEAD)" "${doc_args[@]}"
