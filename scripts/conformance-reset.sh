#!/usr/bin/env bash
# RESET_CMD for the conformance runner: stops the Rondone started last time, wipes its
# data directory, starts a fresh one with the gabbits' settings and waits until it
# answers. `conformance-reset.sh stop` only stops it.
set -euo pipefail
: "${RONDONE_BIN:?}" "${CONFORMANCE_PORT:?}" "${CONFORMANCE_DIR:?}"
pidfile=$CONFORMANCE_DIR/rondone.pid
if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
fi
[ "${1:-}" = stop ] && exit 0
rm -rf "$CONFORMANCE_DIR/data"
"$RONDONE_BIN" serve --data-dir "$CONFORMANCE_DIR/data" --host 127.0.0.1 --port "$CONFORMANCE_PORT" \
    --max-limit 7 --no-default-archive-policies --cors-allowed-origin http://foobar.com --proxy-headers \
    >>"$CONFORMANCE_DIR/rondone.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 200); do
    if curl -s -o /dev/null "http://127.0.0.1:$CONFORMANCE_PORT/healthcheck"; then exit 0; fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "rondone exited; see $CONFORMANCE_DIR/rondone.log" >&2; tail -n 20 "$CONFORMANCE_DIR/rondone.log" >&2; exit 1; }
    sleep 0.05
done
echo "rondone did not answer on port $CONFORMANCE_PORT" >&2
exit 1
