#!/usr/bin/env bash
# Cross-resource aggregation over HTTP, Rondone (release) and, with GNOCCHI=1, the real
# Gnocchi 4.7.1 (../shared/peer) on the same data, one after the other: `/v1/aggregates`
# mean of `cpu` over RESOURCES resources grouped by `project_id` (GROUP_COUNT groups), and
# the same through `/v1/aggregation/resource`. Timed as the median of REPEAT sequential
# requests (each takes seconds: the client is not the limit); prints requests/s, median
# latency and the ratios.
#
# Env: RESOURCES (10000), GROUP_COUNT (100), POINTS (60 one-minute points per metric),
#      REPEAT (5), GNOCCHI=1, PEER_DIR (/var/tmp/gnocchi-peer), SKIP_BUILD=1, PORT (8095),
#      RONDONE_BIN (default .build/release/rondone).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RESOURCES=${RESOURCES:-10000} GROUP_COUNT=${GROUP_COUNT:-100} POINTS=${POINTS:-60} REPEAT=${REPEAT:-5}
PORT=${PORT:-8095}
OUT=${OUT:-$ROOT/.build/bench-aggregates}
mkdir -p "$OUT"
RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build/release/rondone}
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product rondone >&2

AGGREGATES_BODY='{"resource_type": "generic", "search": {}, "operations": "(aggregate mean (metric cpu mean))"}'
time_queries() { # time_queries NAME URL
    local name=$1 url=$2
    python3 scripts/bench/aggregates_load.py "$url" --resources "$RESOURCES" --groups "$GROUP_COUNT" --points "$POINTS" \
        | sed "s/^/$name load: /" >&2
    # One answer of each, checked: GROUP_COUNT groups.
    for query in aggregates resource; do
        if [ $query = aggregates ]; then path="/v1/aggregates?groupby=project_id"; body=$AGGREGATES_BODY
        else path="/v1/aggregation/resource/generic/metric/cpu?groupby=project_id"; body='{}'; fi
        curl -s -X POST -H 'Authorization: basic YWRtaW46' -H 'Content-Type: application/json' \
            -d "$body" "$url$path" > "$OUT/$name-$query.json"
        groups=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$OUT/$name-$query.json")
        # Each request is heavy (seconds on Gnocchi), so the client's cost is nil: time
        # REPEAT sequential requests with curl and report their median.
        for _ in $(seq 1 "$REPEAT"); do
            curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Authorization: basic YWRtaW46' \
                -H 'Content-Type: application/json' -d "$body" "$url$path"
        done > "$OUT/$name-$query.times"
        latency=$(sort -n "$OUT/$name-$query.times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        rps=$(awk -v l="$latency" 'BEGIN {printf "%.3f", 1/l}')
        latency="${latency}s"
        echo "$name $query $rps $latency $groups"
    done
}

results=$OUT/results.txt
: > "$results"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-bench-aggregates.XXXXXX")
"$RONDONE_BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning \
    > "$DATA/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done
time_queries rondone "http://127.0.0.1:$PORT" | tee -a "$results"
kill $SERVER; wait $SERVER 2>/dev/null || true

if [ "${GNOCCHI:-0}" = 1 ]; then
    export PEER_DIR=${PEER_DIR:-/var/tmp/gnocchi-peer}
    # A max_limit above the resource count: Gnocchi's /v1/aggregation/resource reads only
    # the first page of its search (max_limit resources), and the comparison wants all.
    GNOCCHI_MAX_LIMIT=$((RESOURCES * 2)) GNOCCHI_PORT=8041 "$ROOT/../shared/peer/start.sh" >&2
    time_queries gnocchi "http://127.0.0.1:8041" | tee -a "$results"
    "$ROOT/../shared/peer/stop.sh" >&2 || true
fi

python3 - "$results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    system, query, rps, latency, groups = line.split()
    rows[(system, query)] = (float(rps), latency, groups)
print("| query | Rondone req/s (median latency) | Gnocchi req/s (median latency) | ratio |")
print("| --- | --- | --- | --- |")
names = {"aggregates": "`/v1/aggregates` mean of cpu, groupby project_id",
         "resource": "`/v1/aggregation/resource` mean of cpu, groupby project_id"}
for query in ("aggregates", "resource"):
    r = rows.get(("rondone", query))
    g = rows.get(("gnocchi", query))
    cell = lambda x: "%.2f (%s, %s groups)" % (x[0], x[1], x[2]) if x else "-"
    ratio = "%.1f×" % (r[0] / g[0]) if r and g and g[0] else "-"
    print("| %s | %s | %s | %s |" % (names[query], cell(r), cell(g), ratio))
PY
