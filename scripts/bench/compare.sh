#!/usr/bin/env bash
# One benchmark command: Rondone (release build, fresh data directories) and, with
# GNOCCHI=1, the real Gnocchi 4.7.1 (../shared/peer, installed into $PEER_DIR if missing),
# the same workloads with the same client (wrk + scripts/bench/compare.lua), one system at
# a time, then one table — figure, Rondone, Gnocchi, ratio, aim, met? — printed and
# written between the markers of docs/BENCHMARKS.md (docs/BENCHMARKS.md says what each
# figure is).
#
# Phases, each on a fresh data directory (Gnocchi: start.sh wipes its database and files):
#   main   READ_METRICS metrics with a day at 1 minute (the read set), then the ingest set
#          in `high`: for each N of METRICS (the scale curve, metrics added as N grows):
#          batch ingest (10 metrics × 100 measures) for DURATION → ingest and processing
#          (ingest start → backlog 0), reads of one metric and /v1/aggregates over the read
#          set; at the first N also single-metric POSTs of 1 000 and of 1 measure.
#   disk   DISK_METRICS metrics × DISK_POINTS points one second apart (a full day) in a
#          policy keeping a day at 1 s, 1 min and 1 h; bytes of the whole data directory
#          per stored point.
#   sparse SPARSE_METRICS metrics in `high` with SPARSE_POINTS points each; bytes per
#          metric and per stored point.
# Memory: peak RSS (and PSS) summed over every process each system runs, sampled every
# second through all phases (Gnocchi: uwsgi API processes, metricd processes, PostgreSQL).
#
# Env: DURATION (10 s per wrk run), CONNECTIONS (8), THREADS (2 wrk threads),
#      METRICS ("1000 10000 100000"), GNOCCHI_METRICS ("1000 10000": Gnocchi creates metrics
#      at ~4 ms each and processes a first batch of a new metric at tens per second, so
#      100 000 takes it far beyond the default run; add it to measure it),
#      READ_METRICS (100), DISK_METRICS (20), DISK_POINTS (86400), SPARSE_METRICS (100000),
#      GNOCCHI_SPARSE_METRICS (2000; bytes per metric do not depend on the count in
#      Gnocchi's file driver), SPARSE_POINTS (10, 10 minutes apart), PROCESS_TIMEOUT (120 s:
#      after that the processing rate is what was processed so far, marked partial),
#      GNOCCHI=1, GNOCCHI_METRICD_WORKERS (nproc, Gnocchi's default), PEER_DIR
#      (/var/tmp/gnocchi-peer), PORT (8160), SKIP_BUILD=1, QUICK=1 (a ~2-minute check of
#      the script with tiny parameters; the doc is not written), WRITE_DOC (1; 0 in QUICK),
#      OUT (.build-release/bench-compare), PHASES ("main disk sparse": any of them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COMMAND_LINE="$*"

if [ "${QUICK:-0}" = 1 ]; then
    : "${DURATION:=3}" "${METRICS:=1000 3000}" "${GNOCCHI_METRICS:=1000}" "${READ_METRICS:=10}"
    : "${DISK_METRICS:=2}" "${DISK_POINTS:=3600}" "${SPARSE_METRICS:=2000}" "${GNOCCHI_SPARSE_METRICS:=200}"
    : "${PROCESS_TIMEOUT:=60}" "${WRITE_DOC:=0}"
fi
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-8} THREADS=${THREADS:-2}
METRICS=${METRICS:-1000 10000 100000} GNOCCHI_METRICS=${GNOCCHI_METRICS:-1000 10000}
READ_METRICS=${READ_METRICS:-100} DISK_METRICS=${DISK_METRICS:-20} DISK_POINTS=${DISK_POINTS:-86400}
SPARSE_METRICS=${SPARSE_METRICS:-100000} GNOCCHI_SPARSE_METRICS=${GNOCCHI_SPARSE_METRICS:-2000}
SPARSE_POINTS=${SPARSE_POINTS:-10} PROCESS_TIMEOUT=${PROCESS_TIMEOUT:-120}
GNOCCHI=${GNOCCHI:-0} GNOCCHI_METRICD_WORKERS=${GNOCCHI_METRICD_WORKERS:-$(nproc)}
PEER_DIR=${PEER_DIR:-/var/tmp/gnocchi-peer} PEER_SCRIPTS=${PEER_SCRIPTS:-$ROOT/../shared/peer}
PORT=${PORT:-8160} WRITE_DOC=${WRITE_DOC:-1} PHASES=${PHASES:-main disk sparse}
OUT=${OUT:-$ROOT/.build-release/bench-compare}
RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build-release/release/rondone}
GNOCCHI_PORT=8041
export PEER_DIR

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 2; }
if [ "$GNOCCHI" = 1 ] && curl -s -o /dev/null "http://127.0.0.1:$GNOCCHI_PORT/"; then
    echo "something already answers on :$GNOCCHI_PORT (someone's Gnocchi peer?): not touching it" >&2
    exit 2
fi
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path .build-release --product rondone >&2
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: > "$RESULTS"

BASE=1767225600             # 2026-01-01T00:00:00Z: the read set's day
DAY_STOP=$((BASE + 86400))
SAMPLER= SERVER= SYSTEM= LEFTOVERS=()

. "$ROOT/scripts/bench/common.sh"

# ------------------------------------------------------------------ the two systems
start_rondone() {
    DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-bench-compare.XXXXXX")
    "$RONDONE_BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning \
        >> "$OUT/rondone-serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 400); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done
    URL=http://127.0.0.1:$PORT
    PROCS=(--tree "$SERVER")
    DATA_DIR=$DATA/data
    PER_UNIT=$1     # its backlog counts batches, as Gnocchi's does
}
stop_rondone() {
    [ -n "${SERVER:-}" ] || return 0
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
    # Removed at the very end: deleting a few hundred thousand files takes minutes of disk
    # time that would weigh on the next phase's figures.
    LEFTOVERS+=("$DATA")
}

start_gnocchi() {
    [ -x "$PEER_DIR/venv/bin/gnocchi-api" ] || "$PEER_SCRIPTS/install.sh" >&2
    GNOCCHI_PORT=$GNOCCHI_PORT GNOCCHI_DEFAULT_POLICIES=1 GNOCCHI_MAX_LIMIT=1000 \
        "$PEER_SCRIPTS/start.sh" >&2
    # start.sh runs one metricd worker; Gnocchi's default is one per core.
    local metricd
    metricd=$(cat "$PEER_DIR/run/gnocchi-metricd.pid")
    kill -TERM -- "-$metricd" 2>/dev/null || true
    for _ in $(seq 1 80); do pgrep -g "$metricd" >/dev/null || break; sleep 0.25; done
    sed -i "s/^workers = .*/workers = $GNOCCHI_METRICD_WORKERS/" "$PEER_DIR/etc/gnocchi.conf"
    setsid "$PEER_DIR/venv/bin/gnocchi-metricd" --config-file "$PEER_DIR/etc/gnocchi.conf" \
        >> "$PEER_DIR/log/gnocchi-metricd.log" 2>&1 < /dev/null &
    echo $! > "$PEER_DIR/run/gnocchi-metricd.pid"
    disown   # the next start.sh kills it by its pid file: no job notice
    URL=http://127.0.0.1:$GNOCCHI_PORT
    PROCS=(--pgid "$(cat "$PEER_DIR/run/gnocchi-api.pid")" --pgid "$(cat "$PEER_DIR/run/gnocchi-metricd.pid")"
        --tree "$(cat "$PEER_DIR/run/postgres.pid")")
    DATA_DIR=$PEER_DIR/data
    PER_UNIT=$1     # /v1/status counts batches (one per metric and request), not measures
}
stop_gnocchi() { "$PEER_SCRIPTS/stop.sh" >&2 || true; }

start_system() { # start_system PER_UNIT
    if [ "$SYSTEM" = rondone ]; then start_rondone "$1"; else start_gnocchi "$1"; fi
    # python itself in the background (not a function: its subshell would leave python
    # running when killed)
    python3 "$ROOT/scripts/bench/compare_setup.py" sample "$OUT/$SYSTEM-memory-$PHASE.json" "${PROCS[@]}" &
    SAMPLER=$!
}
stop_system() {
    kill "$SAMPLER" 2>/dev/null || true
    wait "$SAMPLER" 2>/dev/null || true
    if [ "$SYSTEM" = rondone ]; then stop_rondone; fi   # Gnocchi: the next start.sh wipes it
}

# ------------------------------------------------------------------ measuring
# (run_wrk, drain and ingest are in scripts/bench/common.sh)
server_cpu() { helper procs "${PROCS[@]}" | awk '{print $1}'; }

reads() { # reads SUFFIX: one metric at a time, then /v1/aggregates over the read set
    export IDS=$OUT/$SYSTEM-read.ids READ_START=$BASE READ_STOP=$DAY_STOP AGGREGATES_BODY=$OUT/$SYSTEM-aggregates.json
    MODE=read run_wrk "read_metric.$1" "$DURATION"
    record "read_metric.$1" "$(calc "$REQUESTS / $SECONDS_TAKEN" 1)"
    MODE=aggregates run_wrk "aggregates.$1" "$DURATION"
    record "aggregates.$1" "$(calc "$REQUESTS / $SECONDS_TAKEN" 1)"
}

disk_usage() { # prints allocated and apparent bytes of the whole data directory (+ index DB)
    local allocated apparent database=0
    sync
    allocated=$(du -s -B1 "$DATA_DIR" | cut -f1)
    apparent=$(du -s -b "$DATA_DIR" | cut -f1)
    (cd "$DATA_DIR" && du -s -B1 -- * | sort -rn | head -6 | awk '{printf "%s %s, ", $2, $1}') > "$OUT/$SYSTEM-$PHASE.du"
    if [ "$SYSTEM" = gnocchi ]; then
        database=$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qAt \
            -c "SELECT pg_database_size('gnocchi')")
    fi
    echo "$((allocated + database)) $((apparent + database)) $database"
}

# ------------------------------------------------------------------ the phases
phase_main() {
    PHASE=main
    start_system 100
    local first=1 have=0 n ids=$OUT/$SYSTEM-ingest.ids
    : > "$OUT/$SYSTEM-read.ids"
    : > "$ids"
    log "$SYSTEM: read set, $READ_METRICS metrics × a day at 1 minute"
    helper metrics "$URL" high "$READ_METRICS" "$OUT/$SYSTEM-read.ids"
    helper post "$URL" "$OUT/$SYSTEM-read.ids" --points 1440 --step 60 --start "$BASE"
    python3 - "$OUT/$SYSTEM-read.ids" > "$OUT/$SYSTEM-aggregates.json" <<'PY'
import json, sys
ids = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print(json.dumps({"operations": "(aggregate mean (metric %s))" % " ".join("(%s mean)" % i for i in ids)}))
PY
    drain
    # One answer of each read, kept to compare the two systems' values.
    helper read "$URL" "/v1/metric/$(head -1 "$OUT/$SYSTEM-read.ids")/measures?granularity=60&start=$BASE&stop=$DAY_STOP" \
        > "$OUT/$SYSTEM-answer-metric.json"
    helper read "$URL" "/v1/aggregates?granularity=60&start=$BASE&stop=$DAY_STOP" "$(cat "$OUT/$SYSTEM-aggregates.json")" \
        > "$OUT/$SYSTEM-answer-aggregates.json"
    for n in $1; do
        log "$SYSTEM: $n metrics in the ingest set"
        helper metrics "$URL" high $((n - have)) "$ids"
        have=$n
        head -n "$n" "$ids" > "$ids.$n"
        drain
        ingest "batch.$n" batch "$ids.$n" 10 100 "$DURATION" process
        if [ $first = 1 ]; then
            ingest single1000 single "$ids.$n" 1 1000 "$DURATION"
            ingest single1 single "$ids.$n" 1 1 "$DURATION"
            first=0
        fi
        drain
        reads "$n"
    done
    stop_system
}

phase_disk() {
    PHASE=disk
    start_system 20000
    local ids=$OUT/$SYSTEM-disk.ids points usage
    : > "$ids"
    helper policy "$URL" bench-day '[{"granularity": 1, "points": 86400}, {"granularity": 60, "points": 1440}, {"granularity": 3600, "points": 24}]'
    helper metrics "$URL" bench-day "$DISK_METRICS" "$ids"
    log "$SYSTEM: $DISK_METRICS metrics × $DISK_POINTS points, 1 s apart"
    helper post "$URL" "$ids" --points "$DISK_POINTS" --step 1 --start "$BASE" --threads 2
    helper wait "$URL" --timeout $((PROCESS_TIMEOUT * 5)) > /dev/null
    sleep 2
    points=$(( $(helper count "$URL" "$(head -1 "$ids")") * DISK_METRICS ))
    read -r allocated apparent database <<< "$(disk_usage)"
    record disk.full.points "$points"
    record disk.full.bytes "$allocated"
    record disk.full.index_bytes "$database"
    record disk.full.bpp "$(calc "$allocated / $points" 2)"
    record disk.full.bpp_apparent "$(calc "$apparent / $points" 2)"
    stop_system
}

phase_sparse() { # phase_sparse METRICS
    PHASE=sparse
    start_system 10
    local ids=$OUT/$SYSTEM-sparse.ids points usage
    : > "$ids"
    log "$SYSTEM: $1 metrics × $SPARSE_POINTS points, 10 minutes apart"
    helper metrics "$URL" high "$1" "$ids"
    helper post "$URL" "$ids" --points "$SPARSE_POINTS" --step 600 --start "$BASE"
    helper wait "$URL" --timeout $((PROCESS_TIMEOUT * 5)) > /dev/null
    sleep 2
    points=$(( $(helper count "$URL" "$(head -1 "$ids")") * $1 ))
    read -r allocated apparent database <<< "$(disk_usage)"
    record disk.sparse.metrics "$1"
    record disk.sparse.bytes "$allocated"
    record disk.sparse.index_bytes "$database"
    record disk.sparse.bytes_per_metric "$(calc "$allocated / $1")"
    record disk.sparse.bpp "$(calc "$allocated / $points" 2)"
    stop_system
}

memory() {
    python3 - "$OUT"/"$SYSTEM"-memory-*.json <<'PY' | while read -r key value; do record "$key" "$value"; done
import json, sys
peaks = [json.load(open(p)) for p in sys.argv[1:]]
top = max(peaks, key=lambda p: p["rss"])
print("memory.rss_mb", round(top["rss"] / 1024))
print("memory.pss_mb", round(max(p["pss"] for p in peaks) / 1024))
print("memory.processes", top["processes"])
PY
}

run_system() { # run_system NAME METRICS SPARSE_METRICS
    SYSTEM=$1
    rm -f "$OUT/$SYSTEM"-memory-*.json
    record load.start "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
    case " $PHASES " in *" main "*) phase_main "$2" ;; esac
    case " $PHASES " in *" disk "*) phase_disk ;; esac
    case " $PHASES " in *" sparse "*) phase_sparse "$3" ;; esac
    memory
    record load.end "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
}

cleanup() {
    [ -z "${POLLER:-}" ] || kill "$POLLER" 2>/dev/null || true
    stop_system 2>/dev/null || true
    if [ "${SYSTEM:-}" = gnocchi ]; then stop_gnocchi; fi
    [ ${#LEFTOVERS[@]} = 0 ] || rm -rf "${LEFTOVERS[@]}"
}
trap cleanup EXIT

# Gnocchi's peer started by an earlier run of this script would compete for the CPU.
[ "$GNOCCHI" = 1 ] && stop_gnocchi
run_system rondone "$METRICS" "$SPARSE_METRICS"
if [ "$GNOCCHI" = 1 ]; then
    run_system gnocchi "$GNOCCHI_METRICS" "$GNOCCHI_SPARSE_METRICS"
    stop_gnocchi
fi
SYSTEM=

PARAMS="PHASES=\"$PHASES\" DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS METRICS=\"$METRICS\" GNOCCHI_METRICS=\"$GNOCCHI_METRICS\" READ_METRICS=$READ_METRICS DISK_METRICS=$DISK_METRICS DISK_POINTS=$DISK_POINTS SPARSE_METRICS=$SPARSE_METRICS GNOCCHI_SPARSE_METRICS=$GNOCCHI_SPARSE_METRICS SPARSE_POINTS=$SPARSE_POINTS PROCESS_TIMEOUT=$PROCESS_TIMEOUT GNOCCHI_METRICD_WORKERS=$GNOCCHI_METRICD_WORKERS"
command="$(env | { grep -E '^(GNOCCHI|GNOCCHI_METRICS|GNOCCHI_SPARSE_METRICS|GNOCCHI_METRICD_WORKERS|QUICK|PHASES|DURATION|CONNECTIONS|THREADS|METRICS|READ_METRICS|DISK_METRICS|DISK_POINTS|SPARSE_METRICS|SPARSE_POINTS|PROCESS_TIMEOUT)=' || true; } | sort | tr '\n' ' ')scripts/bench/compare.sh $COMMAND_LINE"
doc_args=()
[ "$WRITE_DOC" = 1 ] && doc_args=(--doc "$ROOT/docs/BENCHMARKS.md")
python3 "$ROOT/scripts/bench/compare_table.py" "$RESULTS" --out "$OUT" --command "$command" --params "$PARAMS" \
    "${doc_args[@]}"
