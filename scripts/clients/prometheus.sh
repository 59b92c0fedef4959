#!/usr/bin/env bash
# A real Prometheus server (Debian's `prometheus`) scrapes a small target on loopback every
# second (two jobs: `app` with a gauge, a counter and a counter with labels; `batch` with one
# gauge) and remote-writes everything to two `rondone serve`: one as Gnocchi does (labels
# other than job and instance dropped), one with --prometheus-keep-labels. The REST API must
# then hold the `prometheus` resources `job@instance` and metrics named after the series
# whose measures are the served values.
# One line per check, then `N passed, M failed`; non-zero exit when any failed.
#
#   scripts/clients/prometheus.sh   (RONDONE_BIN; PROMETHEUS_PORT, default 8125: that port and
#                                    the next three: Rondone, Rondone keeping labels, the
#                                    target, Prometheus' own web port)
set -uo pipefail
source "$(dirname "$0")/_lib.bash"
PORT=${PROMETHEUS_PORT:-8125}
KEEP=$((PORT + 1)) TARGET=$((PORT + 2)) WEB=$((PORT + 3))
INSTANCE=127.0.0.1:$TARGET

apt_install prometheus || { echo "cannot install prometheus" >&2; exit 2; }

start_rondone "$PORT" || exit 1
start_rondone "$KEEP" --prometheus-keep-labels || exit 1

# The scrape target: fixed exposition texts, one per job.
cat >"$TMP/target.py" <<'PY'
import http.server
import sys

PAGES = {
    "/app": b"""# HELP rondone_ci_temperature_celsius A gauge.
# TYPE rondone_ci_temperature_celsius gauge
rondone_ci_temperature_celsius 21.5
# HELP rondone_ci_events_total A counter.
# TYPE rondone_ci_events_total counter
rondone_ci_events_total 1234
# HELP rondone_ci_requests_total A counter with labels.
# TYPE rondone_ci_requests_total counter
rondone_ci_requests_total{code="200",path="/api"} 7
rondone_ci_requests_total{code="500",path="/api"} 3
""",
    "/batch": b"""# TYPE rondone_ci_last_run_seconds gauge
rondone_ci_last_run_seconds 1700000000
""",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$TMP/target.py" "$TARGET" >"$TMP/target.log" 2>&1 &
PIDS+=($!)

cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: app
    metrics_path: /app
    static_configs: [{targets: ["$INSTANCE"]}]
  - job_name: batch
    metrics_path: /batch
    static_configs: [{targets: ["$INSTANCE"]}]
remote_write:
  - url: http://127.0.0.1:$PORT/v1/prometheus/write
    basic_auth: {username: admin, password: ""}
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
  - url: http://127.0.0.1:$KEEP/v1/prometheus/write
    basic_auth: {username: admin, password: ""}
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
YML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$WEB" >"$TMP/prometheus.log" 2>&1 &
PIDS+=($!)

# values PORT JOB METRIC: the stored values (mean at the policy's granularity), one per line.
values() {
    api "$1" "/v1/resource/prometheus/$2@$INSTANCE/metric/$3/measures?refresh=true" |
        json '"\n".join(str(v) for _, _, v in d)'
}
ready() {
    [ -n "$(values "$PORT" app rondone_ci_temperature_celsius)" ] &&
        [ -n "$(values "$PORT" batch rondone_ci_last_run_seconds)" ] &&
        [ -n "$(values "$KEEP" app 'rondone_ci_requests_total@code=500,path=_api')" ]
}
wait_for 60 ready; echo "info stored after $SECONDS s"

check "resource type prometheus" '^instance job$' \
    sh -c "curl -s -u admin: http://127.0.0.1:$PORT/v1/resource_type/prometheus | python3 -c 'import json, sys; print(*sorted(json.load(sys.stdin)[\"attributes\"]))'"
check "one resource per job, job@instance with its attributes" "^app@$INSTANCE app $INSTANCE batch@$INSTANCE batch $INSTANCE$" \
    sh -c "curl -s -u admin: 'http://127.0.0.1:$PORT/v1/resource/prometheus?sort=original_resource_id:asc' | python3 -c 'import json, sys; print(*[\" \".join((r[\"original_resource_id\"], r[\"job\"], r[\"instance\"])) for r in json.load(sys.stdin)])'"
metrics() { api "$1" "/v1/resource/prometheus/$2@$INSTANCE" | json '" ".join(sorted(d["metrics"]))'; }
check "app's metrics named after the series (labels dropped)" \
    '^rondone_ci_events_total rondone_ci_requests_total rondone_ci_temperature_celsius scrape_duration_seconds .*\bup$' metrics "$PORT" app
check "the gauge's measures are the served 21.5" '^(21\.5\s*)+$' values "$PORT" app rondone_ci_temperature_celsius
check "the counter's measures are the served 1234" '^(1234\.0\s*)+$' values "$PORT" app rondone_ci_events_total
check "up is 1" '^(1\.0\s*)+$' values "$PORT" app up
check "second job's gauge is the served 1700000000" '^(1700000000\.0\s*)+$' values "$PORT" batch rondone_ci_last_run_seconds
check "labelled series share one metric (Gnocchi's way): values between 3 and 7" '^True$' \
    sh -c "curl -s -u admin: 'http://127.0.0.1:$PORT/v1/resource/prometheus/app@$INSTANCE/metric/rondone_ci_requests_total/measures?refresh=true' | python3 -c 'import json, sys; d = json.load(sys.stdin); print(bool(d) and all(3 <= v <= 7 for _, _, v in d))'"
check "keep-labels: one metric per label set, / replaced by _" \
    '^rondone_ci_events_total rondone_ci_requests_total@code=200,path=_api rondone_ci_requests_total@code=500,path=_api rondone_ci_temperature_celsius ' \
    metrics "$KEEP" app
check "keep-labels: code=200's measures are the served 7" '^(7\.0\s*)+$' values "$KEEP" app 'rondone_ci_requests_total@code=200,path=_api'
check "keep-labels: code=500's measures are the served 3" '^(3\.0\s*)+$' values "$KEEP" app 'rondone_ci_requests_total@code=500,path=_api'
check "keep-labels: the unlabelled gauge keeps its name and value" '^(21\.5\s*)+$' values "$KEEP" app rondone_ci_temperature_celsius
check "remote writes accepted (202)" '^[1-9]' grep -c 'path=/v1/prometheus/write .*status=202' "$TMP/rondone-$PORT.log"
no_server_errors "$PORT"
no_server_errors "$KEEP"
check "prometheus logged no remote write error" '^0$' sh -c "grep -c -i -E 'level=(error|warn).*remote' '$TMP/prometheus.log'"
summary
