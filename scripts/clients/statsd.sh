#!/usr/bin/env bash
# Drives the statsd listener of a real `rondone serve --statsd-port` with real clients on
# loopback: the PyPI `statsd` package (counters with sample rates, gauges incl. +N/-N deltas,
# timers, a pipeline) and a raw UDP sender (python socket) mixing malformed and unsupported
# lines with valid ones; then `rondone statsd --url` forwarding to that same server. Every
# check reads the stored values back through the REST API. Prints one line per check, ends
# with `N passed, M failed`, exits non-zero if any check failed.
#
#   scripts/clients/statsd.sh   (RONDONE_BIN, default .build/debug/rondone; STATSD_CLIENT_PORT,
#                                default 8111 for HTTP; the listener takes the port after it,
#                                the forwarder the one after that)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
PORT=${STATSD_CLIENT_PORT:-8111}
UDP=$((PORT + 1))
FORWARD_UDP=$((PORT + 2))
VENV=${STATSD_CLIENT_VENV:-$ROOT/.statsd-venv}
RESOURCE=5a301761-f78b-46e2-8900-8b4f6fe6675a
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
if ! "$VENV/bin/python" -c 'import statsd' 2>/dev/null; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check 'statsd==4.0.1' >&2 \
        || { echo "cannot install the statsd package" >&2; exit 2; }
fi
PY=$VENV/bin/python
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-statsd.XXXXXX")
# A flush delay longer than the test: the one flush is the one SIGTERM makes before the
# server stops, so every metric gets exactly one measure and the values are deterministic.
"$BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning --statsd-host 127.0.0.1 \
    --statsd-port "$UDP" --statsd-resource-id "$RESOURCE" --statsd-creator statsd-test \
    --statsd-flush-delay 3600 >"$DATA/log" 2>&1 &
SERVER=$!
FORWARDER=
trap 'kill $SERVER $FORWARDER 2>/dev/null; wait $SERVER $FORWARDER 2>/dev/null; rm -rf "$DATA"' EXIT
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done; }
wait_http

passed=0; failed=0
check() { # check NAME EXPECTED-REGEX COMMAND...: retried while a flush may still be on its way
    local name=$1 expected=$2; shift 2
    local out ok=
    for _ in $(seq 1 50); do
        out=$("$@" 2>&1)
        if printf '%s' "$out" | grep -Eq -- "$expected"; then ok=1; break; fi
        sleep 0.2
    done
    if [ -n "$ok" ]; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: expected /$expected/, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}
api() { curl -s -u admin: "http://127.0.0.1:$PORT$1"; }
# As gnocchi-statsd, the listener creates its resource when it starts.
check "the resource exists before the first datagram" '"metrics": \{\}' api "/v1/resource/generic/$RESOURCE"
# The stored values of a metric of the statsd resource (name URL-encoded by the caller).
measures() { api "/v1/resource/generic/$RESOURCE/metric/$1/measures?refresh=true&aggregation=${2:-mean}"; }
counter() { api /metrics | awk -v name="$1" '$1 == name { print $2 }'; }
# Waits until the listener has read N lines (the checks then wait for their flush).
wait_lines() {
    for _ in $(seq 1 300); do
        [ "$(counter rondone_statsd_lines_total | cut -d. -f1)" -ge "$1" ] 2>/dev/null && break
        sleep 0.05
    done
}

# 1. The statsd package: one flush period's worth of every type.
"$PY" - "$UDP" <<'PYTHON'
import random, sys, statsd
client = statsd.StatsClient("127.0.0.1", int(sys.argv[1]))
random.seed(1)  # the package samples on the client side: with this seed it sends
client.incr("app.requests")              # app.requests:1|c
client.incr("app.requests", 4)           # app.requests:4|c
client.incr("app.sampled", 3, rate=0.5)  # app.sampled:3|c|@0.5 -> 6
client.gauge("app.queue", 10)            # app.queue:10|g
client.gauge("app.queue", 3, delta=True) # app.queue:+3|g -> 3 as Gnocchi stores it
client.gauge("app.temp", -5)             # app.temp:0|g then app.temp:-5|g -> -5
client.timing("app.latency", 320)        # app.latency:320|ms
client.timing("app.latency", 125.5)      # last value wins
with client.pipeline() as pipe:          # one datagram of several lines
    pipe.incr("app.piped", 2)
    pipe.decr("app.piped", 1)
    pipe.gauge("app.level", 7.25)
PYTHON
# Two more sampled lines from a raw sender: 6 + 6 + 4.
"$PY" -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'app.sampled:3|c|@0.5\napp.sampled:1|c|@0.25', ('127.0.0.1', int(sys.argv[1])))" "$UDP"
# 2. Raw datagrams: malformed and unsupported lines between valid ones, binary junk.
"$PY" - "$UDP" <<'PYTHON'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
address = ("127.0.0.1", int(sys.argv[1]))
s.sendto(b"raw.ok:1|c\nno pipes here\nraw.ok:2|c\nraw.set:1|s\nraw.g:5|g|@0.5\nraw.bad:abc|c\nraw.last:9|g", address)
s.sendto(b"\xff\xfe\x00\n\nraw.ok:4|c|@0.5\n", address)
s.sendto(b"", address)
s.sendto(b"raw.big:1|c\n" * 4000, address)
PYTHON
wait_lines 4023
check "malformed lines counted" '^3(\.0)?$' counter 'rondone_statsd_lines_refused_total{reason="malformed"}'
check "unknown type counted" '^1(\.0)?$' counter 'rondone_statsd_lines_refused_total{reason="unknown_type"}'
check "bad sampling counted" '^1(\.0)?$' counter 'rondone_statsd_lines_refused_total{reason="bad_sampling"}'
check "refused lines logged" 'refused' cat "$DATA/log"
check "server still serving" 'versions' api /
kill -TERM "$SERVER"; wait "$SERVER"
check "server exits 0 on SIGTERM" '^0$' echo $?
# Restarted without the listener: what is stored is what the SIGTERM flush wrote.
"$BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning >"$DATA/log2" 2>&1 &
SERVER=$!
wait_http
check "counter sums increments" ', 5\.0\]\]$' measures 'app.requests%7Cc'
check "counter divides by the sample rate" ', 16\.0\]\]$' measures 'app.sampled%7Cc'
check "gauge +N is the value N (Gnocchi)" ', 3\.0\]\]$' measures 'app.queue%7Cg'
check "negative gauge" ', -5\.0\]\]$' measures 'app.temp%7Cg'
check "timer keeps the last value" ', 125\.5\]\]$' measures 'app.latency%7Cms'
check "pipeline counter (incr then decr)" ', 1\.0\]\]$' measures 'app.piped%7Cc'
check "pipeline gauge" ', 7\.25\]\]$' measures 'app.level%7Cg'
check "resource created with the creator" '"creator": "statsd-test"' api "/v1/resource/generic/$RESOURCE"
check "valid lines around malformed ones are stored" ', 11\.0\]\]$' measures 'raw.ok%7Cc'
check "last line of a datagram with bad lines" ', 9\.0\]\]$' measures 'raw.last%7Cg'
check "large datagram (4000 lines)" ', 4000\.0\]\]$' measures 'raw.big%7Cc'
check "unsupported type not stored" 'does not exist|not found|Not Found' measures 'raw.set%7Cs'

# 3. `rondone statsd --url`: the standalone listener forwarding to this server over HTTP;
# it too creates its resource at start.
FRESH=5b0c1a2e-0f3d-4c61-9a7e-3d2f6b1c9e10
"$BIN" statsd --url "http://127.0.0.1:$PORT" --statsd-host 127.0.0.1 --statsd-port "$((PORT + 3))" \
    --statsd-resource-id "$FRESH" --statsd-creator admin >"$DATA/fresh.log" 2>&1 &
FORWARDER=$!
check "the forwarder creates its resource at start" "\"id\": \"$FRESH\"" api "/v1/resource/generic/$FRESH"
kill -TERM "$FORWARDER"; wait "$FORWARDER" 2>/dev/null
"$BIN" statsd --url "http://127.0.0.1:$PORT" --statsd-host 127.0.0.1 --statsd-port "$FORWARD_UDP" \
    --statsd-resource-id "$RESOURCE" --statsd-creator admin --statsd-flush-delay 0.5 >"$DATA/forward.log" 2>&1 &
FORWARDER=$!
for _ in $(seq 1 100); do grep -q "listening" "$DATA/forward.log" && break; sleep 0.05; done
"$PY" - "$FORWARD_UDP" <<'PYTHON'
import sys, statsd
client = statsd.StatsClient("127.0.0.1", int(sys.argv[1]))
client.incr("fwd.count", 6)
client.gauge("fwd.gauge", 42)
client.timing("fwd.time", 17)
PYTHON
check "forwarded counter" ', 6\.0\]\]$' measures 'fwd.count%7Cc'
check "forwarded gauge" ', 42\.0\]\]$' measures 'fwd.gauge%7Cg'
check "forwarded timer" ', 17\.0\]\]$' measures 'fwd.time%7Cms'
kill -TERM "$FORWARDER"; wait "$FORWARDER" 2>/dev/null
check "forwarder stops cleanly on SIGTERM" 'statsd stopped' cat "$DATA/forward.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
