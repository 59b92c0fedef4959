#!/usr/bin/env bash
# Rondone's Prometheus query API against a real Prometheus (issue 18). Debian's
# `prometheus` (2.42) and `rondone serve --prometheus-keep-labels` run on loopback, each on
# a temporary directory; Rondone gets an archive policy of 15 s, method `last`, and a rule
# `*` to it. Then:
#   * differential: one hour of seeded samples (scripts/promql/samples.py) remote-written
#     identically to both, and every query of scripts/promql/queries.txt asked of both,
#     instant and range, the answers compared (scripts/promql/differential.py): the same
#     label sets once Rondone's own labels are removed, the same timestamps, values within
#     1e-9 relative. Each difference is printed with its query, then `N identical of M`;
#     scripts/promql/expected-differences.tsv lists the accepted ones with a reason;
#   * Grafana 12's calls replayed in its order (scripts/promql/grafana.py), under /api/v1;
#   * promtool query instant|range|series|labels against Rondone's /prometheus, on values
#     stored through the Gnocchi REST API and through the statsd listener.
# One line per check, then `N passed, M failed`; non-zero exit when any failed.
#
#   scripts/promql-test.sh   (RONDONE_BIN, default .build/debug/rondone; PROMQL_PORT, default
#                             8140: Rondone's HTTP port, Prometheus on the next one, Rondone's
#                             statsd (UDP) on the one after; PROMQL_CANDIDATE=prometheus
#                             checks the harness itself: Prometheus against itself, no Rondone)
set -uo pipefail
source "$(dirname "$0")/clients/_lib.bash"
HERE=$ROOT/scripts/promql
PORT=${PROMQL_PORT:-8140}
PROM=$((PORT + 1)) STATSD=$((PORT + 2))
CANDIDATE=${PROMQL_CANDIDATE:-rondone}
STATSD_RESOURCE=0d4b1e2a-5c1f-4e8e-9a57-2f3c4d5e6f70
REST_RESOURCE=promql-rest-host
PROMETHEUS_URL=http://127.0.0.1:$PROM
# promtool takes the root its API paths hang under; Go sends the URL's user as basic auth.
ROOT_URL=http://127.0.0.1:$PORT
PROMTOOL_URL=http://admin:@127.0.0.1:$PORT/prometheus

apt_install prometheus || { echo "cannot install prometheus" >&2; exit 2; }
start=$SECONDS

# The sample interval is 15 s; the last sample is on the grid, 15 to 30 s ago.
END=$(( $(date +%s) / 15 * 15 - 15 ))

if curl -s -o /dev/null "$PROMETHEUS_URL/"; then echo "port $PROM is already in use" >&2; exit 1; fi
printf 'global:\n  scrape_interval: 1m\n' >"$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$PROM" --web.enable-remote-write-receiver \
    >"$TMP/prometheus.log" 2>&1 &
PIDS+=($!)
wait_for 30 curl -sf "$PROMETHEUS_URL/-/ready" || { echo "prometheus did not start:" >&2; cat "$TMP/prometheus.log" >&2; exit 1; }

# post PATH JSON: POST as admin; prints the HTTP status.
post() { curl -s -o "$TMP/post.out" -w '%{http_code}' -u admin: -H 'Content-Type: application/json' -d "$2" "$ROOT_URL$1"; }
# backlog_empty: metricd has processed every measure received so far.
backlog_empty() { api "$PORT" /v1/status | json 'd["storage"]["summary"]["measures"]' | grep -qx 0; }
# tally COMMAND...: runs a helper that prints its own `ok`/`FAIL` lines, adds them up (a
# helper failing without a FAIL line counts as one).
tally() {
    local out rc
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out"
    passed=$((passed + $(grep -c '^ok ' <<<"$out")))
    failed=$((failed + $(grep -c '^FAIL ' <<<"$out")))
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then failed=$((failed + 1)); echo "FAIL $1 $2: exit $rc"; fi
}

if [ "$CANDIDATE" = prometheus ]; then
    CANDIDATE_URL=$PROMETHEUS_URL GRAFANA_URL=$PROMETHEUS_URL WRITE_URLS=("$PROMETHEUS_URL/api/v1/write") RONDONE_FLAG=
else
    start_rondone "$PORT" --prometheus-keep-labels --no-default-archive-policies --statsd-host 127.0.0.1 \
        --statsd-port "$STATSD" --statsd-resource-id "$STATSD_RESOURCE" --statsd-flush-delay 1 || exit 1
    CANDIDATE_URL=$ROOT_URL/prometheus GRAFANA_URL=$ROOT_URL RONDONE_FLAG=--rondone
    WRITE_URLS=("$PROMETHEUS_URL/api/v1/write" "$ROOT_URL/v1/prometheus/write")
    check "archive policy promql-15s (15 s, last, 1 day)" '^201$' post /v1/archive_policy \
        '{"name": "promql-15s", "back_window": 0, "aggregation_methods": ["last"], "definition": [{"granularity": "15s", "timespan": "1 day"}]}'
    check "archive policy rule * → promql-15s" '^201$' post /v1/archive_policy_rule \
        '{"name": "promql-all", "metric_pattern": "*", "archive_policy_name": "promql-15s"}'
fi

check "the same samples remote-written to each server" "^wrote [0-9]+ samples to each of ${#WRITE_URLS[@]} servers$" \
    python3 "$HERE/samples.py" --end "$END" "${WRITE_URLS[@]}"
if [ "$CANDIDATE" != prometheus ]; then
    wait_for 90 backlog_empty
    check "metricd processed every measure (backlog empty)" '^0$' \
        sh -c "curl -s -u admin: $ROOT_URL/v1/status | python3 -c 'import json, sys; print(json.load(sys.stdin)[\"storage\"][\"summary\"][\"measures\"])'"
fi

# The differential: its mismatches on their own lines, then one check line.
python3 "$HERE/differential.py" --reference "$PROMETHEUS_URL" --candidate "$CANDIDATE_URL" --end "$END" \
    >"$TMP/differential.out" 2>&1
rc=$?
grep -v ' identical of ' "$TMP/differential.out"
IDENTICAL=$(grep -E '^[0-9]+ identical of [0-9]+$' "$TMP/differential.out")
check "differential against Prometheus: ${IDENTICAL:-no result}" '^0$' echo "$rc"

tally python3 "$HERE/grafana.py" --candidate "$GRAFANA_URL" --reference "$PROMETHEUS_URL" --end "$END" $RONDONE_FLAG

if [ "$CANDIDATE" != prometheus ]; then
    # Values stored through the Gnocchi REST API: a resource with one metric, three measures.
    check "REST: a resource with a metric named rest.temperature" '^201$' post /v1/resource/generic \
        "{\"id\": \"$REST_RESOURCE\", \"metrics\": {\"rest.temperature\": {\"archive_policy_name\": \"promql-15s\"}}}"
    check "REST: three measures posted" '^202$' post "/v1/resource/generic/$REST_RESOURCE/metric/rest.temperature/measures" \
        "[{\"timestamp\": $((END - 30)), \"value\": 1.5}, {\"timestamp\": $((END - 15)), \"value\": -2.25}, {\"timestamp\": $END, \"value\": 40}]"
    # Values stored through statsd: one datagram, a gauge and a counter twice (one flush: 3 + 4).
    # As gnocchi-statsd, the metric's name is the statsd name, `|` and the type.
    printf 'promql.statsd.gauge:42|g\npromql.statsd.hits:3|c\npromql.statsd.hits:4|c\n' >/dev/udp/127.0.0.1/"$STATSD"
    statsd_stored() {
        api "$PORT" "/v1/resource/generic/$STATSD_RESOURCE" | json 'len(d["metrics"])' | grep -qx 2 && backlog_empty
    }
    wait_for 30 statsd_stored
    wait_for 30 backlog_empty

    check "promtool query instant: the REST metric's last value at its time" \
        "^rest_temperature\{.*gnocchi_name=\"rest.temperature\".*\} => 40 @\[$END\]$" \
        promtool query instant --time="$END" "$PROMTOOL_URL" rest_temperature
    check "promtool query range: the REST metric's three values" \
        "^rest_temperature\{.*\} => 1.5 @\[$((END - 30))\] -2.25 @\[$((END - 15))\] 40 @\[$END\] $" \
        sh -c "promtool query range --start=$((END - 30)) --end=$END --step=15s '$PROMTOOL_URL' rest_temperature | tr '\n' ' '"
    check "promtool query range: arithmetic over the REST metric" \
        "^\{.*\} => 3 @\[$((END - 30))\] -4.5 @\[$((END - 15))\] 80 @\[$END\] $" \
        sh -c "promtool query range --start=$((END - 30)) --end=$END --step=15s '$PROMTOOL_URL' 'rest_temperature * 2' | tr '\n' ' '"
    check "promtool query series: the REST metric with its resource's labels" \
        "^\{__name__=\"rest_temperature\", .*resource_id=\"$REST_RESOURCE\", resource_type=\"generic\".*\}$" \
        promtool query series --match=rest_temperature "$PROMTOOL_URL"
    check "promtool query instant: the statsd gauge" '^promql_statsd_gauge_g\{.*gnocchi_name="promql.statsd.gauge\|g".*\} => 42 @' \
        promtool query instant "$PROMTOOL_URL" promql_statsd_gauge_g
    check "promtool query instant: the statsd counter (3 + 4 in one flush)" '^promql_statsd_hits_c\{.*\} => 7 @' \
        promtool query instant "$PROMTOOL_URL" promql_statsd_hits_c
    check "promtool query series: the statsd metrics on their resource" \
        "^(\{__name__=\"promql_statsd_(gauge_g|hits_c)\", .*resource_id=\"$STATSD_RESOURCE\".*\} ){2}$" \
        sh -c "promtool query series --match='{__name__=~\"promql_statsd_.*\"}' '$PROMTOOL_URL' | tr '\n' ' '"
    check "promtool query labels __name__: remote-written, REST and statsd names" \
        '^app:requests:ratio app_errors_total .* node_temperature_celsius promql_statsd_gauge_g promql_statsd_hits_c rest_temperature $' \
        sh -c "promtool query labels '$PROMTOOL_URL' __name__ | tr '\n' ' '"
    check "promtool query labels resource_type" '^generic prometheus $' \
        sh -c "promtool query labels '$PROMTOOL_URL' resource_type | tr '\n' ' '"
    check "promtool query labels job (resource attribute of the prometheus type)" '^app batch node $' \
        sh -c "promtool query labels '$PROMTOOL_URL' job | tr '\n' ' '"
    check "no 5xx but the 501s in rondone's log" '^0$' \
        sh -c "grep 'status=5[0-9][0-9]' '$TMP/rondone-$PORT.log' | grep -vc 'status=501'"
fi
check "prometheus logged no error" '^0$' sh -c "grep -c 'level=error' '$TMP/prometheus.log'"
echo "info $((SECONDS - start)) s"
summary
