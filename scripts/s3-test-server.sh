#!/usr/bin/env bash
# An S3 server for the tests: moto (PyPI `moto[server]`) on loopback WITH signature
# checking, an IAM user whose access key the tests sign with, and the fault proxy
# (scripts/s3-fault-proxy.py) in front of it. See docs/S3.md.
#
# Sourced (what scripts/test.sh does):
#     . scripts/s3-test-server.sh && s3_test_server_start   # exports the variables below
#     ...; s3_test_server_stop
# Run:
#     eval "$(scripts/s3-test-server.sh start)"   # prints the export lines
#     scripts/s3-test-server.sh stop
#
# Exports RONDONE_TEST_S3_URL (s3://BUCKET?endpoint=…&region=…), AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, and RONDONE_TEST_S3_FAULT_PROXY (http://127.0.0.1:PORT, the
# same moto behind the fault proxy; its admin endpoint is under /__fault/).
#
# How moto checks signatures: with INITIAL_NO_AUTH_ACTION_COUNT=N it lets the first N
# requests through unchecked and then verifies every request's SigV4 signature against
# the IAM access keys it knows (and the user's policies). The N=3 unchecked requests are
# exactly this script's CreateUser, PutUserPolicy and CreateAccessKey.
# scripts/s3-moto-server.py corrects which path moto verifies (see its header).

_s3_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_s3_state="${RONDONE_S3_TEST_STATE:-$_s3_repo/.build/s3-test-server}"
_s3_venv="${RONDONE_MOTO_VENV:-$_s3_repo/.moto.venv}"

# Installs moto[server] into a venv under the repo unless that venv already has it.
s3_test_server_install() {
    if "$_s3_venv/bin/python" -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1; then
        return 0
    fi
    # System site packages: a machine that already has moto needs no download.
    python3 -m venv --system-site-packages "$_s3_venv" >&2
    "$_s3_venv/bin/python" -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1 ||
        "$_s3_venv/bin/pip" install -q 'moto[server]>=5.2,<6' >&2
}

s3_test_server_start() {
    s3_test_server_install || return 1
    mkdir -p "$_s3_state"
    local py="$_s3_venv/bin/python"
    local port
    port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # --die-with-parent: when sourced, moto dies with the shell that started it even if
    # no trap runs (not when started by `s3-test-server.sh start`, which exits at once).
    local die=()
    [ "${_s3_die_with_parent:-1}" = 1 ] && die=(--die-with-parent)
    INITIAL_NO_AUTH_ACTION_COUNT=3 "$py" "$_s3_repo/scripts/s3-moto-server.py" "$port" "${die[@]}" \
        >"$_s3_state/moto.log" 2>&1 &
    echo $! >"$_s3_state/moto.pid"

    # Wait for the port, then make the user, its policy and its key (the 3 unchecked requests).
    local credentials
    if ! credentials="$("$py" - "$port" <<'EOF'
import re, socket, sys, time, urllib.parse, urllib.request
port = int(sys.argv[1])
deadline = time.monotonic() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("moto did not start in 60 s")
        time.sleep(0.1)

def iam(action, **params):
    data = urllib.parse.urlencode({"Action": action, "Version": "2010-05-08", **params}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=data, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        # Routes the request to moto's IAM; not checked (one of the first N requests).
        "Authorization": "AWS4-HMAC-SHA256 Credential=bootstrap/20240101/us-east-1/iam/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    return urllib.request.urlopen(request, timeout=30).read().decode()

policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
iam("CreateUser", UserName="rondone")
iam("PutUserPolicy", UserName="rondone", PolicyName="s3-all", PolicyDocument=policy)
answer = iam("CreateAccessKey", UserName="rondone")
key = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", answer).group(1)
secret = re.search(r"<SecretAccessKey>([^<]+)</SecretAccessKey>", answer).group(1)
print(key, secret)
EOF
)"; then
        echo "s3-test-server: moto failed to start; its log:" >&2
        cat "$_s3_state/moto.log" >&2
        s3_test_server_stop
        return 1
    fi

    rm -f "$_s3_state/proxy.port"
    "$py" "$_s3_repo/scripts/s3-fault-proxy.py" --upstream "127.0.0.1:$port" "${die[@]}" \
        --port-file "$_s3_state/proxy.port" >"$_s3_state/proxy.log" 2>&1 &
    echo $! >"$_s3_state/proxy.pid"
    local waited=0
    while [ ! -s "$_s3_state/proxy.port" ]; do
        if [ $waited -ge 300 ]; then
            echo "s3-test-server: the fault proxy did not start" >&2
            cat "$_s3_state/proxy.log" >&2
            s3_test_server_stop
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done

    export RONDONE_TEST_S3_URL="s3://rondone-test?endpoint=http://127.0.0.1:$port&region=us-east-1"
    export RONDONE_TEST_S3_FAULT_PROXY="http://127.0.0.1:$(cat "$_s3_state/proxy.port")"
    export AWS_ACCESS_KEY_ID="${credentials% *}"
    export AWS_SECRET_ACCESS_KEY="${credentials#* }"
    unset AWS_SESSION_TOKEN
    echo "s3-test-server: moto on 127.0.0.1:$port (signatures checked), fault proxy on $RONDONE_TEST_S3_FAULT_PROXY" >&2
}

s3_test_server_stop() {
    local name pid
    for name in proxy moto; do
        if [ -f "$_s3_state/$name.pid" ]; then
            pid="$(cat "$_s3_state/$name.pid")"
            if kill "$pid" 2>/dev/null; then
                # Not always our child (`start` and `stop` as two commands): poll.
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
            rm -f "$_s3_state/$name.pid"
        fi
    done
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
    start)
        _s3_die_with_parent=0
        s3_test_server_start
        printf 'export %s=%q\n' RONDONE_TEST_S3_URL "$RONDONE_TEST_S3_URL" \
            RONDONE_TEST_S3_FAULT_PROXY "$RONDONE_TEST_S3_FAULT_PROXY" \
            AWS_ACCESS_KEY_ID "$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY "$AWS_SECRET_ACCESS_KEY"
        ;;
    stop) s3_test_server_stop ;;
    *)
        echo "usage: $0 start|stop" >&2
        exit 2
        ;;
    esac
fi
