#!/usr/bin/env bash
# Drives a real `rondone serve` with the real `gnocchi` CLI (pip package gnocchiclient):
# archive policies, rules, metrics, resource types, resources (search, aggregation) and measures,
# as an operator would; then the stock `influxdb` client against /v1/influxdb. Prints one line
# per check and ends with `N passed, M failed`; exits non-zero if any check failed.
#
#   scripts/gnocchi-cli.sh            (RONDONE_BIN, default .build/debug/rondone; CLI_PORT, default 8053)
#
# With CLI_INDEXER_URL and CLI_STORAGE_URL (scripts/scaleout-gnocchi-cli.sh sets them), the
# server is a `rondone api` node and a `rondone metricd` on that PostgreSQL + S3 deployment.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
PORT=${CLI_PORT:-8053}
VENV=${GNOCCHI_CLI_VENV:-$ROOT/.cli-venv}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
if [ ! -x "$VENV/bin/gnocchi" ] || ! "$VENV/bin/python" -c 'import oslo_utils, influxdb' 2>/dev/null; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check 'gnocchiclient==7.2.0' 'oslo.utils' 'influxdb==5.3.2' >&2 \
        || { echo "cannot install gnocchiclient and influxdb" >&2; exit 2; }
fi
DATA=$(mktemp -d "${TMPDIR:-/tmp}/rondone-cli.XXXXXX")
if [ -n "${CLI_INDEXER_URL:-}" ]; then
    URLS=(--indexer-url "$CLI_INDEXER_URL" --storage-url "${CLI_STORAGE_URL:?}")
    "$BIN" metricd "${URLS[@]}" --workers 1 >"$DATA/metricd.log" 2>&1 &
    METRICD=$!
    "$BIN" api "${URLS[@]}" --port "$PORT" --log-level warning >"$DATA/log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER $METRICD 2>/dev/null; wait $SERVER $METRICD 2>/dev/null; rm -rf "$DATA"' EXIT
else
    "$BIN" serve --data-dir "$DATA/data" --port "$PORT" --log-level warning >"$DATA/log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
fi
for _ in $(seq 1 400); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.05; done

g() { "$VENV/bin/gnocchi" --endpoint "http://127.0.0.1:$PORT" --os-auth-type gnocchi-basic --user admin "$@"; }
passed=0; failed=0
check_quiet() { # check_quiet NAME COMMAND...: succeeds and prints nothing
    local name=$1; shift
    local out
    if out=$("$@" 2>&1) && [ -z "$out" ]; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: expected success and no output, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}
check() { # check NAME EXPECTED-REGEX COMMAND...
    local name=$1 expected=$2; shift 2
    local out
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -Eq -- "$expected"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: expected /$expected/, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}

check "default policies listed" 'high' g archive-policy list -f value -c name
check "archive-policy create" '"name": "cli-ap"' g archive-policy create cli-ap -d granularity:1s,points:60 -d granularity:1m,timespan:1h -m mean -m max -f json
check "archive-policy show" '0:01:00' g archive-policy show cli-ap -f json
check "archive-policy update" '"points": 120' g archive-policy update cli-ap -d granularity:1s,points:120 -d granularity:1m,timespan:1h -f json
check "archive-policy-rule create" '"metric_pattern": "cli.\*"' g archive-policy-rule create cli-rule -a cli-ap -m 'cli.*' -f json
check "archive-policy-rule list" 'cli-rule' g archive-policy-rule list -f value -c name
check "archive-policy-rule show" 'cli-ap' g archive-policy-rule show cli-rule -f json
check "archive-policy-rule rename" 'cli-rule2' g archive-policy-rule update cli-rule -n cli-rule2 -f json
metric=$(g metric create cli.cpu -f value -c id 2>&1)
check "metric create by rule" '"archive_policy/name": "cli-ap"|"archive_policy_name": "cli-ap"|cli-ap' g metric show "$metric" -f json
check "metric list" "$metric" g metric list -f value -c id
check_quiet "measures add" g measures add -m 2024-01-01T00:00:00@10 -m 2024-01-01T00:00:01@20 -m 2024-01-01T00:00:59@30 "$metric"
check "measures show (refresh, mean)" '2024-01-01T00:00:00\+00:00 +\| +60\.0 +\| +20\.0' g measures show --refresh "$metric" --granularity 60
check "measures show (max, 1 s)" '2024-01-01T00:00:59\+00:00.*30\.0' g measures show "$metric" --aggregation max --granularity 1
check "resource create" '"original_resource_id": "cli-host"' g resource create cli-host -a user_id:u1 -n cpu:cli-ap -m "load:$metric" -f json
check "resource show" '"user_id": "u1"' g resource show cli-host -f json
check "resource update" '"user_id": "u2"' g resource update cli-host -a user_id:u2 -f json
check "resource history" 'u1' g resource history cli-host -f value -c user_id
check "resource list" 'cli-host' g resource list -f value -c original_resource_id
check_quiet "measures add by resource" g measures add -r cli-host -m 2024-01-01T00:00:00@5 cpu
check "measures show by resource" '2024-01-01T00:00:00\+00:00.*5\.0' g measures show --refresh -r cli-host cpu --granularity 1
check_quiet "resource delete" g resource delete cli-host
check "resource gone" 'not found|Not Found|does not exist' g resource show cli-host
check "resource's metrics deleted" 'not found|Not Found|does not exist' g metric show "$metric"
# Resource types, resources of a custom type, search and aggregation across resources.
check "resource-type create" '"name": "cli_host"' g resource-type create cli_host -a host:string:true:max_length=64 -a cores:number:false:min=1 -f json
check "resource-type show" 'max_length.*64' g resource-type show cli_host -f json
check "custom resource create" '"host": "web-1"' g resource create --type cli_host -a host:web-1 -a cores:4 -n cpu:cli-ap web-1 -f json
check "resource-type update (add with fill, remove)" 'rack' g resource-type update cli_host -a rack:string:true:fill=r1 -r cores -f json
check "resource-type list" 'cli_host' g resource-type list -f value -c name
check "custom resource create (2)" '"host": "web-2"' g resource create --type cli_host -a host:web-2 -a rack:r2 -n cpu:cli-ap web-2 -f json
check "custom resource filled attribute" '"rack": "r1"' g resource show --type cli_host web-1 -f json
check "custom resource update" '"host": "web-1b"' g resource update --type cli_host -a host:web-1b web-1 -f json
check "resource search (string filter)" '^web-2$' g resource search --type cli_host "rack = 'r2' and host like 'web%'" -f value -c original_resource_id
check_quiet "resource search (no match)" g resource search --type cli_host "rack = 'r3'" -f value -c original_resource_id
check_quiet "measures add (web-1)" g measures add -r web-1 -m 2024-01-01T00:00:00@10 cpu
check_quiet "measures add (web-2)" g measures add -r web-2 -m 2024-01-01T00:00:00@30 cpu
check "measures aggregation --query" '2024-01-01T00:00:00\+00:00 +\| +1\.0 +\| +20\.0' g measures aggregation --refresh -m cpu --resource-type cli_host --query "host like 'web%'" --granularity 1
check "resource-type in use" 'still in use' g resource-type delete cli_host
check_quiet "custom resource delete (web-1)" g resource delete web-1
check_quiet "custom resource delete (web-2)" g resource delete web-2
check_quiet "resource-type delete" g resource-type delete cli_host
check "resource-type gone" 'does not exist|Not Found|not found' g resource-type show cli_host
# Ceilometer's own resource type bootstrap (ceilometer-upgrade), twice in a row: the
# second run re-reads every type, compares the schema and sends no-op patches.
CEILOMETER=${CEILOMETER_DIR:-$ROOT/.cli-venv/ceilometer}
if [ ! -f "$CEILOMETER/ceilometer/gnocchi_client.py" ]; then
    mkdir -p "$CEILOMETER" && "$VENV/bin/pip" download -q --no-deps 'ceilometer==27.0.0' -d "$CEILOMETER" >&2 \
        && (cd "$CEILOMETER" && "$VENV/bin/python" -m zipfile -e ceilometer-27.0.0-py3-none-any.whl .)
fi
upgrade() { "$VENV/bin/python" scripts/clients/ceilometer_upgrade.py "http://127.0.0.1:$PORT" "$CEILOMETER"; }
check "ceilometer-upgrade" '^instance .*flavor_name' upgrade
check "ceilometer-upgrade again" '^volume .*volume_type' upgrade
check_quiet "archive-policy-rule delete" g archive-policy-rule delete cli-rule2
# The policy stays in use until the janitor has removed the deleted metric's data
# (Gnocchi: until metricd expunges it); wait for that, as an operator would.
for _ in $(seq 1 150); do g archive-policy delete cli-ap >/dev/null 2>&1 && break; sleep 0.2; done
check "archive-policy gone" 'does not exist|Not Found|not found' g archive-policy show cli-ap

# The InfluxDB endpoint with the stock `influxdb` client (PyPI), unchanged: every field
# type, escaped tags, explicit times in several precisions; values checked through REST.
check "influxdb client" 'influxdb client: all checks passed' "$VENV/bin/python" scripts/clients/influxdb_client.py "http://127.0.0.1:$PORT"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
