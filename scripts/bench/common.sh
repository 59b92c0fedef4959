# The measuring functions the HTTP benchmarks share (scripts/bench/compare.sh and
# scripts/bench/scaleout.sh source this file): logging, the results file, wrk with
# scripts/bench/compare.lua, and batch ingest with the processing rate behind it.
#
# The sourcing script sets ROOT, OUT, RESULTS, SYSTEM (the label of its results lines),
# URL, THREADS, CONNECTIONS, PROCESS_TIMEOUT, PER_UNIT (measures per batch of
# /v1/status's backlog), BASE (epoch seconds of the first ingest run's time stamps) and
# defines server_cpu (CPU seconds of the servers' processes, printed).

INGEST_RUN=0                # each ingest run starts 10 days after the previous one
POLLER=

log() { echo "[$(date -u +%T)] $*" >&2; }
helper() { python3 "$ROOT/scripts/bench/compare_setup.py" "$@"; }
record() { echo "$SYSTEM $1 $2" >> "$RESULTS"; log "$SYSTEM $1 = $2"; }
calc() { awk "BEGIN { printf \"%.${2:-0}f\", $1 }"; }   # calc EXPRESSION [DECIMALS]

# run_wrk KEY DURATION, with MODE IDS POINTS BATCH_METRICS START exported: sets REQUESTS
# (answered 2xx), SECONDS_TAKEN, WRK_STARTED and WRK_ENDED (epoch seconds), touches
# $OUT/wrk-ended when wrk ends; records the client's and the server's CPU (percent of one
# core).
run_wrk() {
    local key=$1 duration=$2 cpu0 cpu1 line errors client
    cpu0=$(server_cpu)
    WRK_STARTED=$(date +%s.%N)
    THREADS=$THREADS /usr/bin/time -f "%U %S" -o "$OUT/$SYSTEM-$key.time" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${duration}s" --timeout 60s \
        -s "$ROOT/scripts/bench/compare.lua" "$URL" > "$OUT/$SYSTEM-$key.wrk"
    WRK_ENDED=$(date +%s.%N)
    touch "$OUT/wrk-ended"
    cpu1=$(server_cpu)
    line=$(grep '^WRK ' "$OUT/$SYSTEM-$key.wrk")
    REQUESTS=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<< "$line")
    SECONDS_TAKEN=$(calc "$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<< "$line") / 1e6" 6)
    errors=$(awk '{s=0; for (i=4;i<=8;i++) {split($i,a,"="); s+=a[2]}; print s}' <<< "$line")
    if [ "$errors" != 0 ]; then
        record "errors.$key" "$errors"
        log "$SYSTEM $key: $line (see $OUT/$SYSTEM-$key.wrk)"
        # wrk counts a non-2xx answer as a request: acknowledged are the others
        REQUESTS=$((REQUESTS - $(sed 's/.*status_errors=\([0-9]*\).*/\1/' <<< "$line")))
    fi
    client=$(tail -1 "$OUT/$SYSTEM-$key.time" | awk '{print $1 + $2}')
    record "cpu.$key" "$(calc "$client / $SECONDS_TAKEN * 100") $(calc "($cpu1 - $cpu0) / $SECONDS_TAKEN * 100")"
}

drain() { # the backlog left by set-up or the previous run, untimed
    helper wait "$URL" --timeout "$PROCESS_TIMEOUT" > /dev/null
}

# ingest KEY MODE IDS BATCH_METRICS POINTS DURATION [process]: sets ACKED (measures
# acknowledged); with `process`, the processing rate too: ACKED / (ingest start → backlog
# 0), the backlog polled from before the ingest ends (a poller already running, waiting
# for wrk-ended), and sets PROCESSED_AT (epoch seconds of the empty backlog).
ingest() {
    local key=$1 duration=$6 done_at left
    export MODE=$2 IDS=$3 BATCH_METRICS=$4 POINTS=$5
    INGEST_RUN=$((INGEST_RUN + 1))
    export START=$((BASE + INGEST_RUN * 864000))
    drain
    rm -f "$OUT/wrk-ended"
    if [ "${7:-}" = process ]; then
        python3 "$ROOT/scripts/bench/compare_setup.py" wait "$URL" --after "$OUT/wrk-ended" \
            --per-unit "$PER_UNIT" --timeout "$PROCESS_TIMEOUT" > "$OUT/$SYSTEM-$key.processed" &
        POLLER=$!
    fi
    run_wrk "$key" "$duration"
    ACKED=$((REQUESTS * BATCH_METRICS * POINTS))
    record "ingest.$key" "$(calc "$ACKED / $SECONDS_TAKEN")"
    if [ -n "${POLLER:-}" ]; then
        wait "$POLLER"
        POLLER=
        read -r done_at left < "$OUT/$SYSTEM-$key.processed"
        PROCESSED_AT=$done_at
        [ "$left" -le "$ACKED" ] || left=$ACKED
        record "processing.$key" "$(calc "($ACKED - $left) / ($done_at - $WRK_STARTED)")"
        [ "$left" = 0 ] || record "partial.processing.$key" "$left"
    fi
}
