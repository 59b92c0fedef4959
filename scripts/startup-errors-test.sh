#!/usr/bin/env bash
# Start-up errors a person understands (docs/OPERATIONS.md "Start-up errors"): each
# failure below stops `rondone` with exit code 1 and one sentence naming what is wrong
# (and, for a busy port, how to choose another), no usage text, no stack trace, no
# Swift error dump, and never a "serving" line before the port is bound:
#   a busy API port, a busy statsd port (serve and the standalone statsd), a file where
#   the data directory should be, a data directory under a file, a data directory the
#   user may not write (when run as root: checked as `nobody` with setpriv), a malformed
#   or unsupported URL, a missing --config, --web-config, TLS certificate or key.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-startup.XXXXXX")
chmod 755 "$WORK"
HOLDER=
trap '[ -n "$HOLDER" ] && kill $HOLDER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
UUID=5a301761-f78b-46e2-8900-8b4f6fe6675a

passed=0; failed=0
# expect NAME REGEX COMMAND...: exit code 1, output matching REGEX, no dump, no "serving".
expect() {
    local name=$1 expected=$2; shift 2
    local out code
    out=$(timeout 30 "$@" 2>&1 </dev/null)
    code=$?
    local problems=""
    [ "$code" -eq 1 ] || problems+=" exit code $code (expected 1);"
    printf '%s' "$out" | grep -Eq -- "$expected" || problems+=" no /$expected/;"
    printf '%s' "$out" | grep -Eq 'Usage:|Fatal error|Stack dump|Swift runtime|errno: 98|bind\(descriptor|\bPOSIXError|NSError|Error Domain' \
        && problems+=" a usage text, an error dump or a system call's name;"
    printf '%s' "$out" | grep -Eqi 'serving |API node on ' && problems+=" a serving line;"
    if [ -z "$problems" ]; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name:$problems got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -12
    fi
}

# A busy TCP port: a Python socket holds it.
PORT=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(); time.sleep(120)" &
HOLDER=$!
sleep 0.5
expect "serve: a busy port names host:port and --port" \
    "127\.0\.0\.1:$PORT.*already in use.*--port.*RONDONE_PORT" \
    "$BIN" serve --data-dir "$WORK/d1" --host 127.0.0.1 --port "$PORT"
kill $HOLDER; wait $HOLDER 2>/dev/null; HOLDER=

# A busy UDP port for statsd.
UPORT=$(free_port)
python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $UPORT)); time.sleep(120)" &
HOLDER=$!
sleep 0.5
expect "serve: a busy statsd port names it and --statsd-port" \
    "UDP 127\.0\.0\.1:$UPORT.*already in use.*--statsd-port" \
    "$BIN" serve --data-dir "$WORK/d2" --host 127.0.0.1 --port "$(free_port)" \
    --statsd-host 127.0.0.1 --statsd-port "$UPORT" --statsd-resource-id "$UUID"
expect "statsd: a busy port names it and --statsd-port" \
    "UDP 127\.0\.0\.1:$UPORT.*already in use.*--statsd-port" \
    "$BIN" statsd --url http://127.0.0.1:1 --statsd-host 127.0.0.1 --statsd-port "$UPORT" --statsd-resource-id "$UUID"
kill $HOLDER; wait $HOLDER 2>/dev/null; HOLDER=

# Data directories.
touch "$WORK/a-file"
expect "a file where the data directory should be" \
    "data directory $WORK/a-file is a file, not a directory.*--data-dir" \
    "$BIN" serve --data-dir "$WORK/a-file" --port "$(free_port)"
expect "a data directory under a file" \
    "data directory $WORK/a-file/data cannot be created: $WORK/a-file is a file" \
    "$BIN" serve --data-dir "$WORK/a-file/data" --port "$(free_port)"
mkdir -p "$WORK/locked"; chmod 700 "$WORK/locked"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    expect "a data directory the user may not use (as nobody)" \
        "data directory $WORK/locked cannot be used: permission denied" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" serve --data-dir "$WORK/locked" --port "$(free_port)"
elif [ "$(id -u)" -ne 0 ]; then
    chmod 000 "$WORK/locked"
    expect "a data directory the user may not use" \
        "data directory $WORK/locked cannot be used: permission denied" \
        "$BIN" serve --data-dir "$WORK/locked" --port "$(free_port)"
    chmod 700 "$WORK/locked"
else
    echo "skip a data directory the user may not use (root without setpriv)"
fi

# URLs.
expect "an unsupported indexer URL scheme" \
    "--indexer-url: .*postgresql://" \
    "$BIN" serve --indexer-url mysql://db/rondone --storage-url s3://bucket --port "$(free_port)"
expect "a malformed storage URL" \
    "not a valid|cannot be parsed|malformed|invalid" \
    "$BIN" serve --indexer-url postgresql://db/rondone --storage-url 'ht tp://[bad' --port "$(free_port)"

# Files.
expect "a missing --config file" \
    "the file $WORK/missing.conf given to --config does not exist" \
    "$BIN" serve --config "$WORK/missing.conf"
expect "a missing --web-config file" \
    "the file $WORK/missing.yml given to --web-config does not exist" \
    "$BIN" serve --data-dir "$WORK/d3" --port "$(free_port)" --web-config "$WORK/missing.yml"
printf 'tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n' >"$WORK/tls.yml"
expect "a missing TLS certificate" \
    "missing\.crt" \
    "$BIN" serve --data-dir "$WORK/d4" --port "$(free_port)" --web-config "$WORK/tls.yml"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/k.key" -out "$WORK/c.crt" -days 1 -subj /CN=x 2>/dev/null
printf 'tls_server_config:\n  cert_file: c.crt\n  key_file: missing.key\n' >"$WORK/tls2.yml"
expect "a missing TLS key" \
    "missing\.key" \
    "$BIN" serve --data-dir "$WORK/d5" --port "$(free_port)" --web-config "$WORK/tls2.yml"

# The serving line comes once the port is bound, with the port really bound (0 → picked).
"$BIN" serve --data-dir "$WORK/d6" --host 127.0.0.1 --port 0 >"$WORK/log" 2>&1 &
SERVE=$!
for _ in $(seq 1 100); do grep -q 'serving ' "$WORK/log" && break; sleep 0.1; done
BOUND=$(grep -o 'serving .* on http://127.0.0.1:[0-9]*' "$WORK/log" | grep -o '[0-9]*$')
if [ -n "$BOUND" ] && [ "$BOUND" != 0 ] && curl -s -o /dev/null "http://127.0.0.1:$BOUND/healthcheck"; then
    passed=$((passed + 1)); echo "ok   the serving line names the bound port ($BOUND), which answers"
else
    failed=$((failed + 1)); echo "FAIL the serving line names the bound port:"; sed 's/^/     /' "$WORK/log" | head
fi
kill $SERVE; wait $SERVE 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
