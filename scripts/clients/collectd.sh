#!/usr/bin/env bash
# collectd (Debian's collectd-core) with the collectd-gnocchi write plugin (PyPI) against a
# real `rondone serve`: two daemons with one Hostname start at once and race on one
# resource through the plugin's start-up sequence (batch with create_metrics → 400 →
# create resource type `collectd` → create the resource → retry); then the REST API must
# hold the type, one resource, its metrics and their measures (a known gauge value
# dispatched by a small read plugin, memory and load from collectd's own plugins).
# One line per check, then `N passed, M failed`; non-zero exit when any failed.
#
#   scripts/clients/collectd.sh     (RONDONE_BIN; COLLECTD_PORT, default 8124)
set -uo pipefail
source "$(dirname "$0")/_lib.bash"
PORT=${COLLECTD_PORT:-8124}
HOST=rondone-ci
RID="collectd:$HOST"

apt_install collectd-core || { echo "cannot install collectd-core" >&2; exit 2; }
# The python plugin embeds the libpython it links (Debian's python3.11 on bookworm): the
# plugin and its dependencies go in a venv of that same interpreter, which the plugin
# reaches through ModulePath; the system's site-packages stay untouched.
PYVER=$(ldd /usr/lib/collectd/python.so | grep -o 'libpython3\.[0-9]*' | head -1 | sed 's/^lib//')
[ -n "$PYVER" ] || { echo "cannot tell which Python collectd's python plugin embeds" >&2; exit 2; }
# collectd-core only suggests that libpython: without it the python plugin does not load.
apt_install "lib$PYVER" || { echo "cannot install lib$PYVER" >&2; exit 2; }
"/usr/bin/$PYVER" -c 'import venv, ensurepip' 2>/dev/null || apt_install "$PYVER-venv" \
    || { echo "cannot install $PYVER-venv" >&2; exit 2; }
VENV=${COLLECTD_VENV:-$ROOT/.collectd.venv}
# Outside collectd the plugin can import all but `collectd` itself: the venv is complete.
if [[ $("$VENV/bin/python" -c 'import collectd_gnocchi' 2>&1) != *"No module named 'collectd'"* ]]; then
    # Only what the plugin imports (gnocchiclient's CLI half — cliff, cmd2, rich… — is
    # never loaded in collectd), at the versions tested, fetched in parallel: each index
    # round trip can take seconds, one after the other they took minutes.
    PKGS=(collectd-gnocchi==1.7.1 gnocchiclient==7.2.0 keystoneauth1==5.18.1 requests==2.34.2
        urllib3==2.8.0 idna==3.20 charset-normalizer==3.5.3 certifi==2026.10.19.post1
        iso8601==2.1.0 os-service-types==1.9.0 pbr==7.1.3 stevedore==5.10.0
        python-dateutil==4.0.0 tzdata==2026.6 debtcollector==3.1.0 wrapt==2.5.2 ujson==6.1.0)
    rm -rf "$VENV"
    "/usr/bin/$PYVER" -m venv "$VENV" >&2 \
        && printf '%s\n' "${PKGS[@]}" | xargs -P 8 -I{} "$VENV/bin/pip" download -q --disable-pip-version-check \
            --no-deps -d "$TMP/wheels" {} >&2 \
        && "$VENV/bin/pip" install -q --disable-pip-version-check --no-index --no-deps \
            --find-links "$TMP/wheels" "${PKGS[@]}" >&2 \
        || { rm -rf "$VENV"; echo "cannot install collectd-gnocchi" >&2; exit 2; }
fi
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

start_rondone "$PORT" || exit 1

# A read plugin with known values: `rondone@gauge-known` = 42 from both daemons, and
# `rondone@gauge-daemonN` = N from daemon N alone.
cat >"$TMP/rondone_known.py" <<'PY'
import os

import collectd

DAEMON = int(os.environ["RONDONE_CI_DAEMON"])


def read():
    collectd.Values(plugin="rondone", type="gauge", type_instance="known").dispatch(values=[42.0])
    collectd.Values(plugin="rondone", type="gauge", type_instance="daemon%d" % DAEMON).dispatch(values=[float(DAEMON)])


collectd.register_read(read)
PY

for n in 1 2; do
    dir="$TMP/collectd-$n"
    mkdir -p "$dir"
    cat >"$dir/collectd.conf" <<CONF
Hostname "$HOST"
FQDNLookup false
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$dir/collectd.log"
  Timestamp true
</Plugin>
LoadPlugin load
LoadPlugin memory
LoadPlugin cpu
<LoadPlugin python>
  Globals true
</LoadPlugin>
<Plugin python>
  ModulePath "$SITE"
  ModulePath "$TMP"
  Import "rondone_known"
  Import "collectd_gnocchi"
  <Module collectd_gnocchi>
    endpoint "http://127.0.0.1:$PORT"
    auth_mode "basic"
    user "admin"
    batchsize 10
  </Module>
</Plugin>
CONF
done
# Both at once, so that both may meet the missing resource type and resource.
for n in 1 2; do
    RONDONE_CI_DAEMON=$n collectd -f -C "$TMP/collectd-$n/collectd.conf" >"$TMP/collectd-$n/stdout" 2>&1 &
    PIDS+=($!)
done

metrics() { api "$PORT" "/v1/resource/collectd/$RID" | json '" ".join(sorted(d["metrics"]))'; }
# values METRIC: the stored values at the finest granularity, one per line (refresh: now).
values() {
    api "$PORT" "/v1/resource/collectd/$RID/metric/$1/measures?refresh=true" | json '"\n".join(str(v) for _, _, v in d)'
}
ready() {
    local m
    for m in rondone@gauge-known rondone@gauge-daemon1 rondone@gauge-daemon2 load@load-1min memory@memory-used; do
        [ -n "$(values $m 2>/dev/null)" ] || return 1
    done
}
wait_for 60 ready; echo "info stored after $SECONDS s"

check "resource type collectd with a required string host" "^string True$" \
    sh -c "curl -s -u admin: http://127.0.0.1:$PORT/v1/resource_type/collectd | python3 -c 'import json, sys; a = json.load(sys.stdin)[\"attributes\"][\"host\"]; print(a[\"type\"], a[\"required\"])'"
check "one collectd resource, for the host" "^1 $RID $HOST$" \
    sh -c "curl -s -u admin: http://127.0.0.1:$PORT/v1/resource/collectd | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d), *[(r[\"original_resource_id\"] + \" \" + r[\"host\"]) for r in d])'"
check "resource id is the uuid5 of collectd:$HOST" "^1$" \
    sh -c "curl -s -u admin: http://127.0.0.1:$PORT/v1/resource/generic | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d))'"
check "metrics named plugin@type-instance" \
    "load@load-15min load@load-1min load@load-5min .*memory@memory-used.*rondone@gauge-daemon1 rondone@gauge-daemon2 rondone@gauge-known" metrics
check "known gauge stored as 42 (both daemons)" '^(42\.0\s*)+$' values rondone@gauge-known
check "daemon 1's gauge stored as 1" '^(1\.0\s*)+$' values rondone@gauge-daemon1
check "daemon 2's gauge stored as 2" '^(2\.0\s*)+$' values rondone@gauge-daemon2
check "memory used is a positive number of bytes" '^True$' \
    sh -c "curl -s -u admin: 'http://127.0.0.1:$PORT/v1/resource/collectd/$RID/metric/memory@memory-used/measures?refresh=true' | python3 -c 'import json, sys; d = json.load(sys.stdin); print(bool(d) and all(v > 1e6 for _, _, v in d))'"
check "load average is a non-negative number" '^True$' \
    sh -c "curl -s -u admin: 'http://127.0.0.1:$PORT/v1/resource/collectd/$RID/metric/load@load-1min/measures?refresh=true' | python3 -c 'import json, sys; d = json.load(sys.stdin); print(bool(d) and all(v >= 0 for _, _, v in d))'"
log=$TMP/rondone-$PORT.log
check "first batch was a 400 (no such resource)" '^[1-9]' \
    grep -c 'method=POST path=/v1/batch/resources/metrics/measures.*status=400' "$log"
check "resource create answered 404 while the type was missing" '^[1-9]' \
    grep -c 'method=POST path=/v1/resource/collectd .*status=404' "$log"
check "resource type created once" '^1$' grep -c 'method=POST path=/v1/resource_type/\? .*status=201' "$log"
check "resource created once" '^1$' grep -c 'method=POST path=/v1/resource/collectd .*status=201' "$log"
check "batches accepted after the retry" '^[1-9]' \
    grep -c 'method=POST path=/v1/batch/resources/metrics/measures.*status=202' "$log"
no_server_errors "$PORT"
check "no plugin error in either collectd's log" '^0$' \
    sh -c "cat '$TMP'/collectd-*/collectd.log | grep -c -E '\[error\]|Traceback|Unhandled'"
echo "info resource type 409s: $(grep -c 'path=/v1/resource_type/\? .*status=409' "$log"), resource 409s: $(grep -c 'path=/v1/resource/collectd .*status=409' "$log") (the daemons' race)"
summary
