#!/usr/bin/env bash
# Operations commands on the real binary (docs/OPERATIONS.md). fsck: a data directory is
# made through the API of `rondone serve` (measures posted, processed with ?refresh=true,
# the server stopped and restarted so the aggregate log has three segments, measures left
# waiting), then copies of it are damaged one way each and `rondone fsck` must report the
# damage (kind and path) with exit code 1; the undamaged copy exits 0 with no problem.
#   * a flipped byte in an incoming segment, in an aggregate log buffer record, in a live
#     buffer and in a split (records resealed, so only the codec's CRC catches them);
#   * a truncated segment (a torn tail: --repair --dry-run changes nothing, --repair cuts
#     it and saves the bytes under lost+found/), a deleted segment, data of no metric
#     (repaired), an index row left without data (noted);
#   * a damaged split is never served: the API answers a 500 naming the metric.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
DAMAGE="python3 $ROOT/scripts/ops/damage.py"
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-ops.XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # check NAME EXPECTED-REGEX COMMAND...: the output matches
    local name=$1 expected=$2; shift 2
    local out
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -Eq -- "$expected"; then
        pass "$name"
    else
        fail "$name: expected /$expected/, got:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
    fi
}
FSCK_OUT=
fsck() { # fsck EXPECTED-EXIT DIR [options...]: runs fsck, keeps its output in FSCK_OUT
    local expected=$1 dir=$2; shift 2
    FSCK_OUT=$("$BIN" fsck --data-dir "$dir" "$@" 2>&1)
    local code=$?
    [ "$code" -eq "$expected" ] || { FSCK_OUT="exit code $code, expected $expected"$'\n'"$FSCK_OUT"; return 1; }
}
check_fsck() { # check_fsck NAME EXPECTED-EXIT EXPECTED-REGEX DIR [options...]
    local name=$1 expected=$2 regex=$3; shift 3
    if fsck "$expected" "$@" && printf '%s' "$FSCK_OUT" | grep -Eq -- "$regex"; then
        pass "$name"
    else
        fail "$name: expected exit $expected and /$regex/, got:"; printf '%s\n' "$FSCK_OUT" | sed 's/^/     /' | head -20
    fi
}

start() { # start DIR: rondone serve on DIR (no workers: measures wait for ?refresh=true)
    "$BIN" serve --data-dir "$1" --host 127.0.0.1 --port "$PORT" --workers 0 --log-level warning >>"$WORK/log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "$URL/healthcheck" && return 0; sleep 0.1; done
    echo "server did not start" >&2; cat "$WORK/log" >&2; exit 2
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=; }
api() { curl -s -u admin: -H 'Content-Type: application/json' "$@"; }
metric() { api -X POST "$URL/v1/metric" -d '{"archive_policy_name": "low"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
post() { # post METRIC FIRST-HOUR COUNT
    local points
    points=$(python3 -c "import json; print(json.dumps([{'timestamp': 1767225600 + 3600 * h, 'value': h} for h in range($2, $2 + $3)]))")
    api -o /dev/null -w '%{http_code}' -X POST "$URL/v1/metric/$1/measures" -d "$points" | grep -q 202 || { echo "post failed" >&2; exit 2; }
}
refresh() { api -o /dev/null "$URL/v1/metric/$1/measures?refresh=true"; }

# The data directory: segment 1 holds A and B, segment 2 A again and D (D's only data),
# segment 3 B again; C's two batches wait in the incoming store.
DATA=$WORK/data
start "$DATA"
A=$(metric); B=$(metric); C=$(metric); D=$(metric)
post "$A" 0 3; post "$B" 0 3; refresh "$A"; refresh "$B"
stop; start "$DATA"
post "$A" 3 3; post "$D" 0 3; refresh "$A"; refresh "$D"
stop; start "$DATA"
post "$B" 3 3; refresh "$B"; post "$C" 0 2; post "$C" 2 2
check "the API answers A's measures" '"2026-01-01T05:00:00\+00:00"' api "$URL/v1/metric/$A/measures"
check "fsck --repair is refused while the server runs" 'stop the server first' "$BIN" fsck --data-dir "$DATA" --repair
out=$("$BIN" fsck --data-dir "$DATA" 2>&1)
if printf '%s' "$out" | grep -q 'summary: no problems found'; then
    pass "fsck runs inside the running server"
else
    fail "fsck inside the running server:"; printf '%s\n' "$out" | sed 's/^/     /' | head -20
fi
stop
LOG=aggregates/log
SEG1=$LOG/0000000000000001.agl; SEG2=$LOG/0000000000000002.agl; SEG3=$LOG/0000000000000003.agl
copy() { rm -rf "$WORK/$1"; cp -a "$DATA" "$WORK/$1"; echo "$WORK/$1"; }

dir=$(copy clean)
check_fsck "undamaged: exit 0, nothing reported" 0 'summary: no problems found' "$dir"
check_fsck "undamaged: counts of what was checked" 0 'aggregates: 3 segments, [0-9]+ bytes, [0-9]+ records in [0-9]+ commits; 3 metrics with data' "$dir"
check_fsck "undamaged: incoming counted" 0 '2 measures records \(4 measures\)' "$dir"

dir=$(copy incoming)
segment=$(cd "$dir" && find incoming -name '*.log' -size +0 | head -1)
$DAMAGE flip "$dir/$segment" 40
check_fsck "flipped byte in an incoming segment" 1 "^damaged-record $dir/$segment offset 0 metric $C:" "$dir"

dir=$(copy buffer-record)
offset=$($DAMAGE record "$dir/$SEG2" 1 "$A" first)
check_fsck "flipped byte in an aggregate log buffer record" 1 "^damaged-record $dir/$SEG2 offset $offset metric $A:" "$dir"

dir=$(copy buffer-blob)
offset=$($DAMAGE record "$dir/$SEG2" 1 "$A" last reseal)
check_fsck "flipped byte in a live buffer (record resealed)" 1 "^damaged-buffer $dir/$SEG2 offset $offset metric $A:" "$dir"

dir=$(copy pack-header)
offset=$($DAMAGE record "$dir/$SEG3" 2 "$B" 9 reseal)
check_fsck "flipped byte in a split pack's header (resealed)" 1 "^damaged-pack $dir/$SEG3 offset $offset metric $B:" "$dir"

dir=$(copy split)
offset=$($DAMAGE record "$dir/$SEG3" 2 "$B" last reseal)
check_fsck "flipped byte in a split (resealed)" 1 "^damaged-split $dir/$SEG3 offset $offset metric $B:" "$dir"
start "$dir"
served() { # what each method of B's policy answers
    for method in count max mean min std sum; do
        curl -s -u admin: -H 'Accept: application/json' -w '%{http_code} ' -o "$WORK/body" "$URL/v1/metric/$B/measures?aggregation=$method"
        cat "$WORK/body"; echo
    done
}
check "a damaged split is never served: 500 naming the metric" "^500 .*$B.*damaged.*rondone fsck" served
stop

dir=$(copy truncated)
size=$(stat -c %s "$dir/$SEG3")
truncate -s $((size - 20)) "$dir/$SEG3"
check_fsck "truncated segment: a torn tail" 1 "^torn-tail $dir/$SEG3 offset [0-9]+: .*--repair: truncate" "$dir"
check_fsck "--repair --dry-run says what it would do" 1 "^would truncate $dir/$SEG3 to [0-9]+ bytes" "$dir" --repair --dry-run
check "--repair --dry-run changes nothing" "^$((size - 20))\$" stat -c %s "$dir/$SEG3"
check_fsck "--repair cuts the torn tail" 0 "^repaired: truncate $dir/$SEG3" "$dir" --repair
check "--repair saved the bytes it cut" "aggregates_log_0000000000000003.agl" ls "$dir/lost+found"
check_fsck "after --repair: nothing reported" 0 'summary: no problems found' "$dir"

dir=$(copy deleted)
rm "$dir/$SEG2"
check_fsck "deleted segment" 1 "^missing-segment $dir/$SEG2: " "$dir"
check_fsck "the index row left without data is noted" 1 "^note: 1 active metrics hold no data .*$D" "$dir"

dir=$(copy orphan)
hex=$(printf '%s' "$A" | tr -d -)
python3 -c "import sqlite3; c = sqlite3.connect('$dir/index.sqlite'); c.execute(\"DELETE FROM metric WHERE id = x'$hex'\"); c.commit()"
check_fsck "data of no metric" 1 "^data-of-no-metric $dir/aggregates/log metric $A: .*--repair: delete the aggregates" "$dir"
check_fsck "--repair deletes data of no metric" 0 "^repaired: delete the aggregates of metric $A" "$dir" --repair
check_fsck "after --repair: nothing reported" 0 'summary: no problems found' "$dir"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
