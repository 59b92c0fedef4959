#!/usr/bin/env bash
# RESET_CMD for the conformance runner against a scaled-out deployment
# (scripts/conformance.sh with CONFORMANCE_BACKEND=scaleout): stops the `rondone api`
# and `rondone metricd` started last time, then starts them again on a new, empty
# PostgreSQL schema and a new S3 bucket with the gabbits' settings, and waits until the
# API node answers. `conformance-reset-scaleout.sh stop` only stops them.
#
# Needs RONDONE_TEST_POSTGRESQL_URL and RONDONE_TEST_S3_URL (+ AWS_* credentials), as
# scripts/postgresql-test-server.sh and scripts/s3-test-server.sh export them.
set -euo pipefail
: "${RONDONE_BIN:?}" "${CONFORMANCE_PORT:?}" "${CONFORMANCE_DIR:?}"
: "${RONDONE_TEST_POSTGRESQL_URL:?}" "${RONDONE_TEST_S3_URL:?}"
for name in api metricd; do
    pidfile=$CONFORMANCE_DIR/$name.pid
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
done
[ "${1:-}" = stop ] && exit 0

counter_file=$CONFORMANCE_DIR/resets
count=$(( $(cat "$counter_file" 2>/dev/null || echo 0) + 1 ))
echo $count >"$counter_file"
schema="conformance_$count"
psql -X -q -v ON_ERROR_STOP=1 "${RONDONE_TEST_POSTGRESQL_URL}" -c "CREATE SCHEMA $schema" >/dev/null
case "$RONDONE_TEST_POSTGRESQL_URL" in
    *\?*) indexer_url="$RONDONE_TEST_POSTGRESQL_URL&options=-c%20search_path%3D$schema" ;;
    *) indexer_url="$RONDONE_TEST_POSTGRESQL_URL?options=-c%20search_path%3D$schema" ;;
esac
bucket_query=${RONDONE_TEST_S3_URL#s3://*\?}
storage_url="s3://rondone-conformance-$count?$bucket_query"
urls=(--indexer-url "$indexer_url" --storage-url "$storage_url")

"$RONDONE_BIN" api "${urls[@]}" --host 127.0.0.1 --port "$CONFORMANCE_PORT" \
    --max-limit 7 --no-default-archive-policies --cors-allowed-origin http://foobar.com --proxy-headers \
    >>"$CONFORMANCE_DIR/rondone-api.log" 2>&1 &
echo $! >"$CONFORMANCE_DIR/api.pid"
"$RONDONE_BIN" metricd "${urls[@]}" --workers 1 --no-default-archive-policies \
    >>"$CONFORMANCE_DIR/rondone-metricd.log" 2>&1 &
echo $! >"$CONFORMANCE_DIR/metricd.pid"
for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$CONFORMANCE_PORT/healthcheck"; then exit 0; fi
    kill -0 "$(cat "$CONFORMANCE_DIR/api.pid")" 2>/dev/null || {
        echo "rondone api exited; see $CONFORMANCE_DIR/rondone-api.log" >&2
        tail -n 20 "$CONFORMANCE_DIR/rondone-api.log" >&2
        exit 1
    }
    sleep 0.05
done
echo "rondone api did not answer on port $CONFORMANCE_PORT" >&2
exit 1
