# Shared by the scripts/clients/*.sh checks (sourced, not run; the runner scripts/clients.sh
# runs only *.sh): Debian installs that start no service, a Rondone server on a temporary
# data dir, cleanup of everything started, and the `ok`/`FAIL` lines with their count.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

# apt_install PACKAGE...: installs those of the Debian packages not installed yet, without
# recommends and without starting their services (a container has no init to start them
# with, and a test leaves no daemon behind): while it runs, a policy-rc.d denies every start
# unless the machine already has one. `apt-get update` only when the install needs it.
apt_install() {
    local need=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
    [ ${#need[@]} -eq 0 ] && return 0
    local policy=/usr/sbin/policy-rc.d placed=
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null && $SUDO chmod 755 $policy && placed=1
    fi
    local rc=0
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
        || { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; } \
        || rc=$?
    [ -n "$placed" ] && $SUDO rm -f $policy
    return $rc
}

# Everything a script starts goes into PIDS and is stopped on exit; TMP is removed.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rondone-client.XXXXXX")
PIDS=()
# Stopped last-started first (a client before the server it flushes to), each given 10 s.
cleanup() {
    local i p _
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        p=${PIDS[i]}
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    [ -n "${CLIENTS_KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_rondone PORT [ARG...]: `rondone serve` on loopback with a fresh data dir, logging
# every request (debug) to $TMP/rondone-PORT.log; waits for /healthcheck.
start_rondone() {
    local port=$1; shift
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is already in use" >&2; return 1; fi
    "$BIN" serve --data-dir "$TMP/data-$port" --host 127.0.0.1 --port "$port" --log-level debug "$@" \
        >"$TMP/rondone-$port.log" 2>&1 &
    PIDS+=($!)
    local _
    for _ in $(seq 1 200); do
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        curl -s -o /dev/null "http://127.0.0.1:$port/healthcheck" && return 0
        sleep 0.05
    done
    echo "rondone did not start on port $port:" >&2; cat "$TMP/rondone-$port.log" >&2; return 1
}

# api PORT PATH: GET as admin (basic auth), the body on stdout.
api() { curl -s -u admin: "http://127.0.0.1:$1$2"; }

# json EXPR: evaluates a Python expression over the JSON document on stdin (`d`); prints it.
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# wait_for SECONDS COMMAND...: retries COMMAND (quiet) every 0.5 s until it succeeds or the
# bound passes; a bound, not an assertion: the check after it says what was wrong.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.5
    done
}

passed=0; failed=0
# check NAME EXPECTED-REGEX COMMAND...: one `ok`/`FAIL` line; COMMAND's output must match.
check() {
    local name=$1 expected=$2; shift 2
    local out
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -Eq -- "$expected"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: expected /$expected/, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}

# no_server_errors PORT: no request Rondone answered with a 5xx (the debug log has each one).
no_server_errors() {
    check "no 5xx in rondone's log (port $1)" '^0$' grep -c 'status=5[0-9][0-9]' "$TMP/rondone-$1.log"
}

# summary: the closing `N passed, M failed` line and the exit status.
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
