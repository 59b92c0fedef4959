#!/usr/bin/env bash
# A full disk survived (docs/OPERATIONS.md "Full disk"), on a real small file system:
# `rondone serve` with its data directory on a 48 MB tmpfs, a filler file that takes
# every free byte
#   * during ingest: POSTs answer 507 with a JSON error saying the disk is full and
#     where, counted in /metrics; reads (measures, metric list, status) keep answering;
#   * during processing: measures acknowledged into the last few free kilobytes wait
#     (processing cannot write their aggregates), metricd logs the episode once and
#     backs off instead of spinning;
#   * then the filler is removed: without a restart processing resumes by itself, new
#     POSTs are acknowledged again, and every measure acknowledged (202) is there,
#     exactly once, at its own timestamp.
# Needs root (or password-less sudo) to mount the tmpfs; fails, saying so, without it.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-disk-full.XXXXXX")
DISK=$WORK/disk
mkdir -p "$DISK"
SERVER=
MOUNTED=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    [ -n "$MOUNTED" ] && $SUDO umount "$DISK"
    rm -rf "$WORK"
}
trap cleanup EXIT
if ! $SUDO mount -t tmpfs -o size=48m,mode=0777 tmpfs "$DISK"; then
    echo "FAIL cannot mount a 48 MB tmpfs on $DISK (this test needs root or password-less sudo); nothing was tested" >&2
    exit 1
fi
MOUNTED=1
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --data-dir "$DISK/data" --host 127.0.0.1 --port "$PORT" --sacks 4 --workers 2 >"$WORK/log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && break; sleep 0.1; done

SERVER_PID=$SERVER DISK=$DISK URL=http://127.0.0.1:$PORT LOG=$WORK/log python3 - <<'EOF'
import json, os, random, re, sys, time, urllib.request, urllib.error
from datetime import datetime

URL, DISK, LOG = os.environ["URL"], os.environ["DISK"], os.environ["LOG"]
FILLER = DISK + "/filler"
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1; print("ok   " + name)
    else:
        failed += 1; print("FAIL " + name + (": " + str(detail)[:600] if detail else ""))
    sys.stdout.flush()

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method, headers={
        "Authorization": "Basic YWRtaW46", "Accept": "application/json",
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()

def fill():
    """Takes every free byte of the tmpfs (1 MB writes, then 4 KB ones)."""
    fd = os.open(FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    for size in (1 << 20, 4096):
        chunk = b"\0" * size
        while True:
            try:
                if os.write(fd, chunk) < size:
                    break
            except OSError:
                break
    os.close(fd)

def free(nbytes):
    size = os.path.getsize(FILLER)
    os.truncate(FILLER, max(0, size - nbytes))

BASE = 1704067200  # 2024-01-01T00:00:00Z
acked = []         # timestamps acknowledged (202)
next_second = 0
rng = random.Random(19)

def post(count):
    """POSTs `count` measures at new timestamps; returns (status, body)."""
    global next_second
    seconds = list(range(next_second, next_second + count))
    next_second += count
    body = [{"timestamp": BASE + s, "value": rng.uniform(-1e6, 1e6)} for s in seconds]
    status, text = call("POST", "/v1/metric/%s/measures" % metric, body)
    if status == 202:
        acked.extend(seconds)
    return status, text

def stored():
    status, text = call("GET", "/v1/metric/%s/measures?aggregation=count&granularity=1" % metric)
    if status != 200:
        return status, None
    return status, [(row[0], row[2]) for row in json.loads(text)]

def backlog():
    status, text = call("GET", "/v1/status")
    return json.loads(text)["storage"]["summary"]["measures"] if status == 200 else None

def log_lines(pattern):
    with open(LOG, errors="replace") as f:
        return [line for line in f if re.search(pattern, line)]

status, _ = call("POST", "/v1/archive_policy", {
    "name": "disk", "back_window": 0, "aggregation_methods": ["mean", "count"],
    "definition": [{"granularity": "1s", "points": 86400}]})
check("archive policy created", status == 201, status)
status, text = call("POST", "/v1/metric", {"archive_policy_name": "disk"})
metric = json.loads(text)["id"] if status == 201 else None
check("metric created", status == 201, text)

# 1. Normal ingest, processed.
for _ in range(10):
    post(300)
deadline = time.time() + 30
while time.time() < deadline and (backlog() or 0) > 0:
    time.sleep(0.2)
status, points = stored()
check("3000 measures acknowledged and processed before the disk fills",
      len(acked) == 3000 and points is not None and len(points) == 3000, (len(acked), points and len(points)))

# 2. The disk fills during ingest.
fill()
refused = None
for _ in range(50):
    status, text = post(200)
    if status != 202:
        refused = (status, text)
        break
check("a POST on a full disk answers 507", refused is not None and refused[0] == 507, refused)
body = {}
try:
    body = json.loads(refused[1]) if refused else {}
except ValueError:
    pass
check("the 507 is Gnocchi's JSON error saying the disk is full and where",
      body.get("code") == 507 and "disk is full" in str(body.get("description"))
      and DISK in str(body.get("description")), refused)
status, points = stored()
check("reads keep answering on a full disk (measures)", status == 200 and len(points) == 3000, status)
status, _ = call("GET", "/v1/metric")
check("reads keep answering on a full disk (metric list)", status == 200, status)
check("reads keep answering on a full disk (status)", backlog() == 0)
status, text = call("GET", "/metrics")
match = re.search(r"^rondone_disk_full_refusals_total (\d+)", text, re.M)
check("/metrics counts the full-disk refusals", match is not None and int(match.group(1)) >= 1,
      match and match.group(0))
status, text = call("POST", "/v1/metric", {"archive_policy_name": "disk"})
check("an index write on a full disk is stored (201) or refused with 507, never a 500",
      status == 201 or (status == 507 and "disk is full" in text), (status, text))
check("the server is still running", os.path.exists("/proc/" + os.environ["SERVER_PID"]))

# 3. The disk fills during processing: a few kilobytes take a few small POSTs, but not
# the aggregates processing must then write (a 1 s split of thousands of points).
acked_before = len(acked)
free(12 * 1024)
small = 0
for _ in range(20):
    status, _ = post(5)
    if status == 202:
        small += 1
    if small >= 4:
        break
check("small POSTs into the last free kilobytes are acknowledged", small >= 1, small)
time.sleep(6)
waiting = backlog()
check("their measures wait while processing cannot write (backlog > 0)", waiting and waiting > 0, waiting)
episodes = log_lines(r"Disk full \(no space left on device")
check("metricd logs the full disk once for the episode, not at each retry", len(episodes) == 1,
      "".join(episodes[:5]))
status, points = stored()
check("reads keep answering while processing is refused", status == 200 and len(points) == 3000,
      status)

# 4. Space comes back: no restart.
os.remove(FILLER)
deadline = time.time() + 60
while time.time() < deadline and (backlog() or 0) > 0:
    time.sleep(0.5)
check("processing resumes by itself once space is freed (backlog 0)", backlog() == 0, backlog())
check("metricd logs the end of the episode", len(log_lines(r"Disk space is back")) >= 1)
status, _ = post(100)
check("POSTs are acknowledged again", status == 202, status)
deadline = time.time() + 30
while time.time() < deadline and (backlog() or 0) > 0:
    time.sleep(0.2)
status, points = stored()
expected = sorted(set(acked))
got = sorted(int(datetime.fromisoformat(t).timestamp()) - BASE for t, _ in points) if points else []
check("every acknowledged measure is stored once, at its timestamp (%d)" % len(expected),
      got == expected and all(count == 1 for _, count in points),
      "missing %d, unexpected %d" % (len(set(expected) - set(got)), len(set(got) - set(expected))))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
rc=$?
if [ $rc -ne 0 ]; then echo "--- server log (last 30 lines)"; tail -30 "$WORK/log"; fi
exit $rc
