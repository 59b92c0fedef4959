#!/usr/bin/env bash
# schemathesis (PyPI) against a live `rondone serve`, driven by the server's own
# /v1/openapi.json, once per auth mode: basic (admin), keystone identity headers (admin
# role), and --web-config bcrypt users (alice, an admin). Checks: no 5xx, responses
# conform to the description (status code, content type, headers, body schema). Prints
# per mode the operations tried, the
# examples run, the server errors and the schema violations; exits non-zero on any
# failure not listed in scripts/schemathesis-exceptions.txt (each line with its reason).
#
#   scripts/schemathesis.sh   (RONDONE_BIN, default .build/debug/rondone;
#                              SCHEMATHESIS_SECONDS, default 240: the wall-clock budget of
#                              all three modes together; SCHEMATHESIS_EXAMPLES, default 20:
#                              --max-examples per operation; SCHEMATHESIS_SEED, default 1;
#                              SCHEMATHESIS_SCHEMA: a description file to use instead of the
#                              server's /v1/openapi.json, to try an edit without rebuilding)
#
# docs/OPENAPI.md explains the description, this run and the exceptions.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
VENV=${SCHEMATHESIS_VENV:-$ROOT/.schemathesis-venv}
BUDGET=${SCHEMATHESIS_SECONDS:-240}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-20}
SEED=${SCHEMATHESIS_SEED:-1}
EXCEPTIONS=$ROOT/scripts/schemathesis-exceptions.txt
VERSION=4.32.5
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $VERSION\$"; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" >&2 \
        || { echo "cannot install schemathesis $VERSION" >&2; exit 2; }
fi
total_failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-schemathesis.XXXXXX")
SERVER=
stop_server() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=; fi
}
# The work directory (servers' logs, schemathesis' output and reports) stays when a mode failed.
trap 'stop_server; if [ "$total_failed" -eq 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi' EXIT

free_port() { "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A user for the --web-config mode (cost 4: the check runs on every new connection's
# first request, and the budget is for the API, not for bcrypt).
HASH=$(printf 'secret' | "$BIN" hash-password --cost 4) || { echo "rondone hash-password failed" >&2; exit 2; }
printf 'basic_auth_users:\n  alice: %s\nadmins: [alice]\n' "$HASH" >"$WORK/web.yml"

# Each mode gets a third of the budget for schemathesis, less what starting the server
# and schemathesis takes (about 15 s a mode on a busy machine).
PER_MODE=$(((BUDGET - 45) / 3))
[ "$PER_MODE" -ge 10 ] || PER_MODE=10
# No stateful phase: the links it infers fill path parameters from earlier responses, empty
# strings included, and `/v1/archive_policy_rule/` is then the collection (405 for PATCH),
# not the operation it meant; the examples of the description reach the seeded objects.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

run_mode() { # run_mode NAME "SERVE ARGS" SCHEMATHESIS-AUTH-ARGS...
    local name=$1 serve_args=$2; shift 2
    local port dir=$WORK/$name
    port=$(free_port)
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # serve_args is a list of flags.
    "$BIN" serve --data-dir "$dir/data" --host 127.0.0.1 --port "$port" --workers 1 --log-level warning \
        $serve_args >"$dir/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 400); do curl -s -o /dev/null "http://127.0.0.1:$port/healthcheck" && break; sleep 0.05; done
    # A resource with a metric, so that the examples of the description (its id, `cpu`)
    # reach real things and not only 404s.
    local url=http://127.0.0.1:$port/v1
    curl -s -o /dev/null -X POST "${CURL_AUTH[@]}" -H 'Content-Type: application/json' "$url/resource/generic" \
        -d '{"id": "5a301761-f78b-46e2-8900-8b4f6fe6675a", "metrics": {"cpu": {"archive_policy_name": "low"}}}'
    curl -s -o /dev/null -X POST "${CURL_AUTH[@]}" -H 'Content-Type: application/json' \
        "$url/resource/generic/5a301761-f78b-46e2-8900-8b4f6fe6675a/metric/cpu/measures" \
        -d '[{"timestamp": "2024-01-01T00:00:00", "value": 1}, {"timestamp": "2024-01-01T00:05:00", "value": 2}]'
    local started=$SECONDS
    local schema=(--url "http://127.0.0.1:$port" "${SCHEMATHESIS_SCHEMA:-}")
    [ -n "${SCHEMATHESIS_SCHEMA:-}" ] || schema=("http://127.0.0.1:$port/v1/openapi.json")
    "$VENV/bin/schemathesis" run "${schema[@]}" "$@" \
        -H 'Accept: application/json' --generation-with-security-parameters false \
        --phases examples,coverage,fuzzing --checks "$CHECKS" --max-examples "$EXAMPLES" --max-time "$PER_MODE" --seed "$SEED" \
        --request-timeout 20 --workers 1 --no-color --continue-on-failure \
        --generation-database none --suppress-health-check all \
        --report json --report-json-path "$dir/report.json" >"$dir/schemathesis.log" 2>&1
    local code=$?
    stop_server
    "$VENV/bin/python" - "$name" "$dir/report.json" "$EXCEPTIONS" "$code" "$((SECONDS - started))" <<'EOF'
import json, sys
name, path, exceptions_path, code, seconds = sys.argv[1:]
allowed = {}
for line in open(exceptions_path, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    # TYPE METHOD PATH  reason…
    check, method, route, reason = (line.split(None, 3) + [""])[:4]
    if not reason:
        sys.exit(f"{exceptions_path}: an exception without its reason: {line}")
    allowed[(check, f"{method} {route}")] = reason
try:
    report = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as error:
    print(f"{name}: no report ({error}); schemathesis exited {code}")
    sys.exit(1)
server_errors = violations = excused = 0
unexcused = []
for failure in report["failures"]:
    for operation in failure["operations"] or ["?"]:
        if (failure["type"], operation) in allowed:
            excused += failure["count"]
            continue
        if failure["type"] == "ServerError":
            server_errors += failure["count"]
        else:
            violations += failure["count"]
        unexcused.append(f"  {failure['type']} {operation}: {failure['title']} (x{failure['count']})")
errors = report["errors"]
ops, cases = report["operations"] or {}, report["test_cases"]
skipped = "".join(f" ({count} skipped: {reason})" for reason, count in (ops.get("skip_reasons") or {}).items())
print(f"{name}: {ops.get('tested', 0)} of {ops.get('total', 0)} operations tried{skipped}, "
      f"{cases['generated']} examples run in {seconds} s, {server_errors} server errors, "
      f"{violations} schema violations, {excused} excused by the exceptions file, "
      f"{sum(e['count'] for e in errors)} errors")
for line in unexcused:
    print(line)
for error in errors:
    print(f"  error: {error['title']} (x{error['count']})")
sys.exit(1 if unexcused or errors or not report["complete"] else 0)
EOF
    local verdict=$?
    if [ "$verdict" -ne 0 ]; then
        total_failed=$((total_failed + 1))
        echo "  (details: the end of schemathesis' output)"
        tail -n 60 "$dir/schemathesis.log" | sed 's/^/  | /'
        grep -v '^$' "$dir/server.log" | tail -n 20 | sed 's/^/  server | /'
    fi
}

CURL_AUTH=(-H 'Authorization: Basic YWRtaW46')
run_mode basic "" -H 'Authorization: Basic YWRtaW46'
CURL_AUTH=(-H 'X-User-Id: schemathesis' -H 'X-Project-Id: fuzz' -H 'X-Roles: admin')
run_mode keystone "--auth-mode keystone" "${CURL_AUTH[@]}"
CURL_AUTH=(-u 'alice:secret')
run_mode web-config "--web-config $WORK/web.yml" --auth 'alice:secret'
if [ "$total_failed" -ne 0 ]; then
    echo "schemathesis: $total_failed of 3 auth modes failed"
    exit 1
fi
echo "schemathesis: 3 auth modes passed"
