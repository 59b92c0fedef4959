#!/usr/bin/env bash
# Two readers of every file of a data directory (docs/STORAGE.md, "Reading a data
# directory"): `rondone dump` (the real stores and codecs) and tools/read_data_directory.py
# (Python standard library only) must print the same content, value for value.
#   * the Python readers' unit tests on hand-made bytes (tools/test_readers.py);
#   * a data directory made through the API of `rondone serve`: two archive policies with
#     percentiles and rate: methods (pack entries spelled out), three rounds of measures
#     processed in turn (superseded log records, splits dropped by retention), a deleted
#     metric; then `serve --workers 0`: measures left waiting, a refresh
#     (a consumed record) with measures after it;
#   * the server stopped, both readers run and compared (counts printed), byte for byte.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-readers.XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DIR=$WORK/data
DATA="python3 $ROOT/scripts/readers/data.py"

passed=0; failed=0
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
serve() { # extra serve arguments...
    "$BIN" serve --data-dir "$DIR" --host 127.0.0.1 --port "$PORT" --log-level warning "$@" >>"$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && return 0; sleep 0.1; done
    echo "the server did not start:" >&2; tail -20 "$WORK/serve.log" >&2; exit 1
}
stop() {
    kill -INT "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
}
log_kinds() { # the aggregate log's record counts by kind, as JSON
    python3 -c 'import sys; sys.path.insert(0, "tools"); import read_aggregate_log as r
stats = {}; r.load(sys.argv[1], stats); print(stats["kinds"])' "$DIR/aggregates"
}

check "python readers: unit tests on hand-made bytes" '^OK' python3 -m unittest tools/test_readers.py

serve --sacks 4
$DATA populate "http://127.0.0.1:$PORT" "$WORK/state.json" 4 || exit 1
# The janitor deletes the deleted metric's aggregates within its 10 s period.
for _ in $(seq 1 150); do log_kinds | grep -q "metric deleted" && break; sleep 0.1; done
stop
serve --workers 0 --sacks 4
$DATA waiting "http://127.0.0.1:$PORT" "$WORK/state.json" || exit 1
stop
DELETED=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["deleted"])' "$WORK/state.json")

python3 tools/read_data_directory.py "$DIR" --json >"$WORK/python.jsonl"
check "rondone dump runs on the stopped server's directory" '^dumped$' \
    sh -c "'$BIN' dump --data-dir '$DIR' >'$WORK/swift.jsonl' && echo dumped"
check "both readers read every value the same" '^equal$' \
    python3 tools/read_data_directory.py "$DIR" --compare "$WORK/swift.jsonl"
python3 tools/read_data_directory.py "$DIR" --compare "$WORK/swift.jsonl" | grep -v '^equal$' | sed 's/^/     /'
check "both readers print the same bytes" '^same$' sh -c "cmp '$WORK/python.jsonl' '$WORK/swift.jsonl' && echo same"
check "12 metrics (13 with a companion), none damaged" '^directory: 1[23] metrics, .* 0 damaged$' \
    python3 tools/read_data_directory.py "$DIR" --compare "$WORK/swift.jsonl"
check "measures wait in incoming for 7 or 8 metrics" '^[78] waiting$' python3 -c 'import json, sys
print(sum(1 for l in map(json.loads, open(sys.argv[1])) if l["incoming"] and l["incoming"]["timestamps"]), "waiting")' \
    "$WORK/swift.jsonl"
check "a consumed record voids what the refresh processed" '"kind": "consumed"' \
    python3 tools/read_incoming.py "$DIR/incoming" --records
check "the metric processed by the refresh waits only for the later measures" '^20 1$' \
    python3 -c 'import json, sys
state = json.load(open(sys.argv[1])); m = state["metrics"][7]
line = [l for l in map(json.loads, open(sys.argv[2])) if l["metric"] == m][0]
print(len(line["incoming"]["timestamps"]), line["incoming"]["batches"])' "$WORK/state.json" "$WORK/swift.jsonl"
check "spelled-out and rate: methods are in the packs" '95pct.*rate:95pct|rate:95pct.*95pct' \
    sh -c "grep -o '\"method\":\"[a-z:0-9]*pct\"' '$WORK/swift.jsonl' | sort -u | tr '\n' ' '"
check "several splits of a metric at one granularity" '^[2-9] ' \
    python3 -c 'import json, sys
m = json.load(open(sys.argv[2]))["metrics"][0]
line = [l for l in map(json.loads, open(sys.argv[1])) if l["metric"] == m][0]
print(len({s["key"] for s in line["splits"] if s["granularity"] == 10**9}), "splits")' "$WORK/swift.jsonl" "$WORK/state.json"
check "the log holds superseded records" '^superseded [1-9]' \
    python3 -c 'import sys; sys.path.insert(0, "tools"); import read_aggregate_log as r
stats = {}; r.contents(sys.argv[1], stats)
print("superseded", stats["records"] - stats["commits"] - stats["live"], stats)' "$DIR/aggregates"
check "the deleted metric: a metric-deleted record, in neither reader" '^absent$' \
    sh -c "log_kinds() { python3 -c 'import sys; sys.path.insert(0, \"tools\"); import read_aggregate_log as r
stats = {}; r.load(sys.argv[1], stats); print(stats[\"kinds\"])' '$DIR/aggregates'; }
log_kinds | grep -q 'metric deleted' && ! grep -q '$DELETED' '$WORK/python.jsonl' '$WORK/swift.jsonl' && echo absent"
check "dump refuses an unknown directory" 'no Rondone data directory' "$BIN" dump --data-dir "$WORK/none"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
