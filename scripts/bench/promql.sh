#!/usr/bin/env bash
# PromQL query API side by side with a real Prometheus (issue 18, docs/BENCHMARKS.md
# "PromQL against Prometheus"). Debian's `prometheus` (2.42, --web.enable-remote-write-
# receiver) and a release `rondone serve --prometheus-keep-labels` run on loopback, each on
# its own temporary directory; Rondone gets an archive policy of 1 min, method `last`
# (2 days), and a rule `*` to it, through the Gnocchi REST API as `admin:`. The same
# samples are remote-written to both (scripts/bench/promql_load.py, in time order), the
# answers to every benchmarked query are compared (label sets, timestamps, values), then
# each query is timed with wrk at a fixed URL (--latency), Prometheus then Rondone:
#   1. query_range over one day at 60 s steps of 100 series with a sample a minute:
#      `bench_day` and `rate(bench_day[5m])`;
#   2. `sum by (instance) (bench_wide)` over 10 000 series: instant, and range over 1 h;
#   3. then 90 000 more series (100 100 in all): `label/__name__/values` and
#      `label/instance/values`: the first call once the new series exist, the first call
#      after 1.5 s idle (COLD_CALLS times, with curl) and wrk's steady state; and the
#      instant `sum by` of 2. again, now among 100 100 series.
# Every wrk run records requests/s, p50, p99, the server's CPU (/proc/<pid>/stat) and
# wrk's (/usr/bin/time), in percent of one core, and the load average before it.
# Results: $OUT/results.tsv and the markdown table (scripts/bench/promql_table.py) on
# stdout; wrk's outputs stay in $OUT. Processes and temporary directories go on exit.
#
# Env: PORT (8184; Prometheus on PORT+1), DURATION (20 s per wrk run), CONNECTIONS (4),
#      THREADS (2), COLD_CALLS (5), RONDONE_BIN (default .build/release/rondone, built with
#      `swift build -c release --product rondone` unless SKIP_BUILD=1), OUT
#      (default .build/bench-promql), PROMETHEUS (default prometheus on PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PORT=${PORT:-8184}
PROM_PORT=$((PORT + 1))
DURATION=${DURATION:-20} CONNECTIONS=${CONNECTIONS:-4} THREADS=${THREADS:-2} COLD_CALLS=${COLD_CALLS:-5}
RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build/release/rondone}
PROMETHEUS=${PROMETHEUS:-prometheus}
OUT=${OUT:-$ROOT/.build/bench-promql}
AUTH='Authorization: Basic YWRtaW46'
RONDONE=http://127.0.0.1:$PORT
PROM=http://127.0.0.1:$PROM_PORT
for tool in wrk curl "$PROMETHEUS"; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install wrk prometheus)" >&2; exit 2; }
done
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product rondone >&2
for p in "$PORT" "$PROM_PORT"; do
    if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is already in use" >&2; exit 1; fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rondone-bench-promql.XXXXXX")
PIDS=()
cleanup() {
    local i p _
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        p=${PIDS[i]}
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: > "$RESULTS"
log() { echo "[$(date -u +%T)] $*" >&2; }
load() { cut -d' ' -f1 /proc/loadavg; }
# cpu PID: CPU seconds (user + system) of a process so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.5
    done
}

# The last sample of every series is on the minute grid, a minute ago.
END=$(( $(date +%s) / 60 * 60 - 60 ))

printf 'global:\n  scrape_interval: 1m\n' > "$TMP/prometheus.yml"
"$PROMETHEUS" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver \
    > "$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
PIDS+=("$PROM_PID")
"$RONDONE_BIN" serve --data-dir "$TMP/rondone" --host 127.0.0.1 --port "$PORT" --log-level warning \
    --prometheus-keep-labels --no-default-archive-policies > "$TMP/rondone.log" 2>&1 &
RONDONE_PID=$!
PIDS+=("$RONDONE_PID")
wait_for 60 curl -sf "$PROM/-/ready" || { echo "prometheus did not start:" >&2; cat "$TMP/prometheus.log" >&2; exit 1; }
wait_for 60 curl -sf "$RONDONE/healthcheck" || { echo "rondone did not start:" >&2; cat "$TMP/rondone.log" >&2; exit 1; }

post() { # post PATH JSON: as admin, expects 201
    local status
    status=$(curl -s -o "$TMP/post.out" -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' -d "$2" "$RONDONE$1")
    [ "$status" = 201 ] || { echo "POST $1 answered $status: $(cat "$TMP/post.out")" >&2; exit 1; }
}
post /v1/archive_policy '{"name": "promql-1m", "back_window": 0, "aggregation_methods": ["last"], "definition": [{"granularity": "1m", "timespan": "2 days"}]}'
post /v1/archive_policy_rule '{"name": "promql-all", "metric_pattern": "*", "archive_policy_name": "promql-1m"}'

backlog_empty() {
    curl -s -H "$AUTH" "$RONDONE/v1/status" | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["storage"]["summary"]["measures"] != 0)'
}
# Prometheus compacts its head into 2-hour blocks while it spans more than 3 hours: wait
# for that to end, so that no compaction runs while it is timed.
head_compacted() {
    curl -s "$PROM/metrics" | awk '/^prometheus_tsdb_head_min_time / {min = $2} /^prometheus_tsdb_head_max_time / {max = $2}
        END { exit !(max - min <= 3 * 3600 * 1000) }'
}
load_set() { # load_set SET
    local t0=$SECONDS
    python3 scripts/bench/promql_load.py write --end "$END" --set "$1" "$PROM/api/v1/write" "$RONDONE/v1/prometheus/write" >&2
    wait_for 900 backlog_empty || { echo "rondone's backlog is not empty after 900 s" >&2; exit 1; }
    wait_for 300 head_compacted || log "prometheus still compacting its head"
    sleep 2
    log "set $1 written to both and processed in $((SECONDS - t0)) s"
}

# settle PID: waits (at most 60 s) until the process is idle (under 5 % of a core over
# 0.5 s): a server goes on computing the answers in flight when wrk stops.
settle() {
    local a b _
    for _ in $(seq 1 120); do
        a=$(cpu "$1"); sleep 0.5; b=$(cpu "$1")
        awk -v a="$a" -v b="$b" 'BEGIN { exit !(b - a < 0.025) }' && return 0
    done
    log "process $1 still busy"
}
# bench KEY SYSTEM PID URL: one wrk run at a fixed URL; a results line.
bench() {
    local key=$1 system=$2 pid=$3 url=$4 status c0 c1 load0 wrkout rps p50 p99 client non2xx elapsed
    status=$(curl -s -o "$TMP/warm" -w '%{http_code}' -H "$AUTH" "$url")
    [ "$status" = 200 ] || { echo "$system $key answered $status: $(head -c 300 "$TMP/warm")" >&2; exit 1; }
    load0=$(load)
    c0=$(cpu "$pid")
    wrkout=$OUT/$system-${key//[^a-zA-Z0-9_.-]/_}
    /usr/bin/time -f "%U %S %e" -o "$wrkout.time" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
        --latency --timeout 60s -H "$AUTH" "$url" > "$wrkout.wrk"
    c1=$(cpu "$pid")
    settle "$pid"
    non2xx=$(awk '/Non-2xx/ {print $5}' "$wrkout.wrk")
    [ -z "$non2xx" ] || { echo "$system $key: $non2xx non-2xx answers" >&2; cat "$wrkout.wrk" >&2; exit 1; }
    rps=$(awk '/Requests\/sec/ {print $2}' "$wrkout.wrk")
    ms() { awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.2f", v * f }' "$wrkout.wrk"; }
    p50=$(ms 50%) p99=$(ms 99%)
    read -r u s elapsed < <(tail -1 "$wrkout.time")
    client=$(awk -v u="$u" -v s="$s" -v e="$elapsed" 'BEGIN { printf "%.0f", (u + s) / e * 100 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$system" "$rps" "$p50" "$p99" \
        "$(awk -v a="$c0" -v b="$c1" -v e="$elapsed" 'BEGIN { printf "%.0f", (b - a) / e * 100 }')" "$client" "$load0" >> "$RESULTS"
    log "$system $key: $rps requests/s, p50 $p50 ms, p99 $p99 ms (load $load0)"
}
# cold KEY SYSTEM URL: COLD_CALLS single calls, each after 1.5 s idle; median and max (ms).
cold() {
    local key=$1 system=$2 url=$3 times=() i load0
    load0=$(load)
    for ((i = 0; i < COLD_CALLS; i++)); do
        sleep 1.5
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$AUTH" "$url")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v k="$key" -v s="$system" -v l="$load0" '{ t[NR] = $1 * 1000 }
        END { printf "%s\t%s\tcold\t%.2f\t%.2f\t\t\t%s\n", k, s, t[int((NR + 1) / 2)], t[NR], l }' >> "$RESULTS"
    log "$system $key cold: ${times[*]} s"
}
bench_kind() { # bench_kind KIND [SUFFIX]: every benchmarked query of a kind, on both
    local name path
    while IFS=$'\t' read -r name path; do
        bench "$name${2:-}" prometheus "$PROM_PID" "$PROM/api/v1/$path"
        bench "$name${2:-}" rondone "$RONDONE_PID" "$RONDONE/prometheus/api/v1/$path"
    done < <(python3 scripts/bench/promql_load.py urls --end "$END" "$1")
}
check() {
    python3 scripts/bench/promql_load.py check --end "$END" --reference "$PROM" --candidate "$RONDONE/prometheus" "$@" \
        | tee -a "$OUT/check.txt" >&2 || { echo "the two systems answer differently" >&2; exit 1; }
}

: > "$OUT/check.txt"
log "rondone $RONDONE_PID on $PORT, prometheus $PROM_PID on $PROM_PORT, END=$END"
load_set day
load_set wide
check day wide
bench_kind day
bench_kind wide

load_set many
# The first call once 90 000 new series exist (Rondone's catalog may have followed them
# in the background already, as Prometheus's index does).
for system in prometheus rondone; do
    if [ $system = prometheus ]; then url=$PROM/api/v1/label/__name__/values; else url=$RONDONE/prometheus/api/v1/label/__name__/values; fi
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "$AUTH" "$url")
    printf '%s\t%s\tfirst\t%.2f\t%.2f\t\t\t%s\n' "label/__name__/values, first call after 90 000 new series" \
        "$system" "$(awk -v t="$t" 'BEGIN { print t * 1000 }')" "$(awk -v t="$t" 'BEGIN { print t * 1000 }')" "$(load)" >> "$RESULTS"
    log "$system first label/__name__/values after the new series: $t s"
done
check day wide many
while IFS=$'\t' read -r name path; do
    cold "$name" prometheus "$PROM/api/v1/$path"
    cold "$name" rondone "$RONDONE/prometheus/api/v1/$path"
    bench "$name" prometheus "$PROM_PID" "$PROM/api/v1/$path"
    bench "$name" rondone "$RONDONE_PID" "$RONDONE/prometheus/api/v1/$path"
done < <(python3 scripts/bench/promql_load.py urls --end "$END" many)
while IFS=$'\t' read -r name path; do
    case $name in "instant sum"*) ;; *) continue ;; esac
    bench "$name, among 100 100 series" prometheus "$PROM_PID" "$PROM/api/v1/$path"
    bench "$name, among 100 100 series" rondone "$RONDONE_PID" "$RONDONE/prometheus/api/v1/$path"
done < <(python3 scripts/bench/promql_load.py urls --end "$END" wide)
echo "rss_kib rondone $(awk '/VmHWM/ {print $2}' "/proc/$RONDONE_PID/status") prometheus $(awk '/VmHWM/ {print $2}' "/proc/$PROM_PID/status")" >> "$OUT/check.txt"
python3 scripts/bench/promql_table.py "$RESULTS"
