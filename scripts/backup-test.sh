#!/usr/bin/env bash
# `rondone backup` under load and `rondone restore` (docs/OPERATIONS.md, "backup and
# restore", "Running maintenance while serving"):
#   * `rondone serve` on DIR; 4 writers post batches to 8 metrics continuously, each 202
#     recorded with its time (scripts/backup/load.py); `rondone backup --data-dir DIR
#     DEST` runs through the server's control socket (mode 0600) while they write;
#   * the server stopped, `rondone serve --data-dir DEST` holds every measure acknowledged
#     before the backup started (read with ?refresh=true), DIR still holds every measure
#     acknowledged at all;
#   * `rondone restore DEST --data-dir NEW`, served: the same; restore and backup into a
#     non-empty or used directory are refused with one sentence; `backup` of a directory
#     no server owns runs in process; the socket is gone after shutdown;
#   * `rondone fsck` finds nothing: on DIR while serving and writing (through the socket),
#     on the backup, on the restored directory.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-backup.XXXXXX")
LOAD="python3 $ROOT/scripts/backup/load.py"
SERVER=
WRITERS=
cleanup() {
    [ -n "$WRITERS" ] && { touch "$WORK/stop"; wait "$WRITERS" 2>/dev/null; }
    [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

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
serve() { # dir: starts `rondone serve` on a new port (URL, SERVER)
    PORT=$(free_port)
    URL=http://127.0.0.1:$PORT
    "$BIN" serve --data-dir "$1" --host 127.0.0.1 --port "$PORT" --log-level info >>"$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "$URL/healthcheck" && return 0; sleep 0.1; done
    echo "nothing answers on $URL" >&2; tail -20 "$WORK/serve.log" >&2; exit 1
}
stop_server() { kill -INT "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=; }

# 1. Backup under load, through the control socket.
serve "$WORK/data"
check "the control socket is there, mode 0600" '^srw-------$' stat -c '%A' "$WORK/data/control.sock"
$LOAD setup "$URL" "$WORK/state"
$LOAD write "$URL" "$WORK/state" "$WORK/stop" &
WRITERS=$!
sleep 3
BEFORE=$(python3 -c 'import time; print(time.time())')
"$BIN" backup --data-dir "$WORK/data" "$WORK/backup" >"$WORK/backup.out" 2>&1
check "backup while serving and writing (through the control socket)" \
    'writes paused: aggregate commits [0-9.]+ ms, measure appends [0-9.]+ ms' cat "$WORK/backup.out"
sed 's/^/     /' "$WORK/backup.out"
check "the server ran it" 'control socket: running `backup`' cat "$WORK/serve.log"
sleep 1
touch "$WORK/stop"; wait "$WRITERS"; WRITERS=
ACKS=$(wc -l <"$WORK/state.acks")
check "writers were acknowledged during the run ($ACKS batches)" '^[0-9]*[1-9][0-9]*$' echo "$ACKS"
check "writes acknowledged after the backup started too" '^[1-9]' \
    python3 -c "import json,sys; print(sum(1 for l in open('$WORK/state.acks') if json.loads(l)[3] > $BEFORE))"
check "fsck while serving and writing (through the control socket)" 'summary: no problems found' \
    "$BIN" fsck --data-dir "$WORK/data"
check "a refused command over the socket: serve" 'does not run through the control socket' \
    python3 -c "
import socket, json
s = socket.socket(socket.AF_UNIX); s.connect('$WORK/data/control.sock')
s.sendall(json.dumps({'arguments': ['serve'], 'workingDirectory': '/'}).encode() + b'\n')
print(s.makefile().read())"
check "backup into a non-empty directory is refused" 'is not empty; a backup goes into a new or empty directory' \
    "$BIN" backup --data-dir "$WORK/data" "$WORK/backup"
stop_server
check "the control socket is removed at shutdown" '^gone$' sh -c "[ -e '$WORK/data/control.sock' ] && echo there || echo gone"

# 2. The backup, checked, then served as it is.
check "the backup passes fsck" 'summary: no problems found' "$BIN" fsck --data-dir "$WORK/backup"
serve "$WORK/backup"
check "the backup holds every measure acknowledged before it started" ' 0 missing$' \
    $LOAD check "$URL" "$WORK/state" "$BEFORE"
stop_server
serve "$WORK/data"
check "the original directory holds every measure acknowledged" ' 0 missing$' $LOAD check "$URL" "$WORK/state" all
check "restore into a directory in use is refused" "is in use by process $SERVER; restore only into a directory no one uses" \
    "$BIN" restore "$WORK/backup" --data-dir "$WORK/data"
stop_server

# 3. Restore, and what is refused.
check "restore of the backup into a new directory" 'opens: index and stores read back' \
    "$BIN" restore "$WORK/backup" --data-dir "$WORK/restored"
check "the restored directory passes fsck" 'summary: no problems found' "$BIN" fsck --data-dir "$WORK/restored"
mkdir -p "$WORK/full" && touch "$WORK/full/x"
check "restore into a non-empty directory is refused" 'is not empty; restore only into a new or empty directory' \
    "$BIN" restore "$WORK/backup" --data-dir "$WORK/full"
check "restore from something that is not a backup is refused" 'holds no Rondone backup' \
    "$BIN" restore "$WORK/full" --data-dir "$WORK/other"
serve "$WORK/restored"
check "the restored directory holds every measure acknowledged before the backup" ' 0 missing$' \
    $LOAD check "$URL" "$WORK/state" "$BEFORE"
stop_server
check "backup of a directory no server owns runs in process" 'backup written to' \
    "$BIN" backup --data-dir "$WORK/data" "$WORK/backup2"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
