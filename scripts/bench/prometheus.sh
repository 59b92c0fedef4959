#!/usr/bin/env bash
# Prometheus remote write ingest rate over HTTP (release build): a `rondone serve` on an
# empty data directory with one archive policy rule, one request to create the resources
# and metrics, then wrk posting the same body (TARGETS × NAMES series of SAMPLES samples,
# scripts/bench/prometheus_payload.py) for DURATION seconds on CONNECTIONS connections.
# Prints requests/s, samples (points)/s and mean latency; metricd runs in the same process
# as in a default deployment (SERVE_FLAGS="--workers 0" leaves it out). KEEP_LABELS=1 runs
# with --prometheus-keep-labels.
#
# Env: TARGETS (10), NAMES (200), SAMPLES (1), DURATION (10), CONNECTIONS (8), THREADS (2),
#      PORT (8096), SKIP_BUILD=1, RONDONE_BIN (default .build-release/release/rondone),
#      PYTHON (a Python with cramjam; default the Gnocchi peer venv's).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGETS=${TARGETS:-10} NAMES=${NAMES:-200} SAMPLES=${SAMPLES:-1} DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8} THREADS=${THREADS:-2} PORT=${PORT:-8096}
PYTHON=${PYTHON:-/var/tmp/gnocchi-peer/venv/bin/python}
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
RONDONE_BIN=${RONDONE_BIN:-$ROOT/.build-release/release/rondone}
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path .build-release --product rondone >&2

DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-bench-prometheus.XXXXXX")
export PAYLOAD=$DATA/payload.bin
"$PYTHON" scripts/bench/prometheus_payload.py "$PAYLOAD" --targets "$TARGETS" --names "$NAMES" --samples "$SAMPLES"
flags=(${SERVE_FLAGS:-})
[ "${KEEP_LABELS:-0}" = 1 ] && flags+=(--prometheus-keep-labels)
"$RONDONE_BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning "${flags[@]}" \
    > "$DATA/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT/v1/prometheus/write
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: basic YWRtaW46' \
    -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' --data-binary "@$PAYLOAD" "$URL")
[ "$status" = 202 ] || { echo "first write answered $status" >&2; cat "$DATA/log" >&2; exit 1; }
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s scripts/bench/prometheus.lua "$URL" > "$DATA/wrk.txt"
non2xx=$(awk '/Non-2xx/ {print $5}' "$DATA/wrk.txt")
[ -z "$non2xx" ] || { echo "wrk saw $non2xx non-2xx answers" >&2; cat "$DATA/wrk.txt" >&2; exit 1; }
rps=$(awk '/Requests\/sec/ {print $2}' "$DATA/wrk.txt")
latency=$(awk '/Latency/ {print $2; exit}' "$DATA/wrk.txt")
points=$(python3 -c "print(round($rps * $TARGETS * $NAMES * $SAMPLES))")
echo "prometheus remote write: $((TARGETS * NAMES * SAMPLES)) samples/request, $rps requests/s, $points samples/s, mean latency $latency ($CONNECTIONS connections)"
