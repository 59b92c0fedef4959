#!/usr/bin/env bash
# statsd ingest rate of a release `rondone serve --statsd-port`: a C blaster
# (scripts/bench/statsd_blast.c, one prebuilt datagram of many lines sent in a loop) floods
# the listener for SECONDS; the rate is the growth of the server's own
# rondone_statsd_lines_total over that time (lines the listener decoded and accumulated;
# datagrams the kernel dropped because the listener was behind are not counted).
#
#   scripts/bench/statsd.sh [SECONDS] [METRICS] [BYTES]   (RONDONE_BIN, default
#   .build-release/release/rondone; STATSD_BENCH_PORT, default 8115 HTTP, +1 UDP)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RONDONE_BIN:-.build-release/release/rondone}
SECONDS_=${1:-10}
METRICS=${2:-1000}
BYTES=${3:-8192}
PORT=${STATSD_BENCH_PORT:-8115}
UDP=$((PORT + 1))
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-statsd-bench.XXXXXX")
cc -O2 -o "$DATA/blast" scripts/bench/statsd_blast.c
"$BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level error --statsd-host 127.0.0.1 \
    --statsd-port "$UDP" --statsd-resource-id 7d3b5f0e-6f7e-4c59-9a39-2f0fb0d0e0a1 --statsd-flush-delay 1 \
    >"$DATA/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done
lines() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "rondone_statsd_lines_total" { print $2 }'; }
datagrams() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "rondone_statsd_datagrams_total" { print $2 }'; }
"$DATA/blast" "$UDP" 1 "$METRICS" "$BYTES" >/dev/null   # warm-up: creates the metrics
sleep 2
before=$(lines); before_datagrams=$(datagrams); start=$(date +%s.%N)
sent=$("$DATA/blast" "$UDP" "$SECONDS_" "$METRICS" "$BYTES")
sleep 0.5   # what the socket buffer still holds
after=$(lines); after_datagrams=$(datagrams); end=$(date +%s.%N)
echo "blaster: $sent"
echo "received: $((after_datagrams - before_datagrams)) datagrams, $((after - before)) lines"
awk -v lines=$((after - before)) -v start="$start" -v end="$end" \
    'BEGIN { printf "ingest rate: %.0f lines/s over %.2f s\n", lines / (end - start), end - start }'
