#!/usr/bin/env bash
# `--web-config` (docs/SECURITY.md): TLS with a certificate this script makes (openssl),
# bcrypt-checked users, admins from the file, reload on SIGHUP. Drives `rondone serve`
# with curl and the real `gnocchi` CLI (keystoneauth's http_basic plugin, the CA given):
#   * https works with the CA, HTTP/2 by ALPN; plain http to the port gets a clean 400;
#   * a wrong password, an unknown user and no credentials get the same 401 (counted in
#     /metrics); /healthcheck stays open; `admin` is a role from the file, not a name;
#   * SIGHUP takes a changed file; a broken one is refused and the old settings stay;
#   * a file that does not load stops the start with one sentence naming the line;
#   * client certificates (RequireAndVerifyClientCert): the CA's let in, none or another's not.
# Prints one line per check and `N passed, M failed`; exits non-zero if any failed.
#
# Env: RONDONE_BIN (default .build/debug/rondone), GNOCCHI_CLI_VENV (default .cli-venv,
#      made by scripts/gnocchi-cli.sh if missing).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${RONDONE_BIN:-$ROOT/.build/debug/rondone}
VENV=${GNOCCHI_CLI_VENV:-$ROOT/.cli-venv}
[ -x "$BIN" ] || { echo "no rondone binary at $BIN (swift build first)" >&2; exit 2; }
command -v openssl >/dev/null || { sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq openssl >&2; }
if [ ! -x "$VENV/bin/gnocchi" ]; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check 'gnocchiclient==7.2.0' 'oslo.utils' 'influxdb==5.3.2' >&2 \
        || { echo "cannot install gnocchiclient" >&2; exit 2; }
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rondone-tls.XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# A CA, and a server certificate it signs for 127.0.0.1 and localhost.
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=Rondone test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.cnf
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.cnf 2>/dev/null
cd "$ROOT"
ALICE=$(printf 'alice-secret' | "$BIN" hash-password --cost 6)
BOB=$(printf 'bob-secret' | "$BIN" hash-password --cost 6)
write_config() { # extra users lines...
    {
        printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n'
        printf '  alice: %s\n  bob: %s\n' "$ALICE" "$BOB"
        for line in "$@"; do printf '  %s\n' "$line"; done
        printf 'admins: [alice]\n'
    } > "$WORK/web.yml"
}
write_config

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
URL=https://127.0.0.1:$PORT
status() { # user:password path [curl options...]: the status code and HTTP version
    local auth=$1 path=$2; shift 2
    curl -s -o /dev/null -w '%{http_code} %{http_version}' --cacert "$WORK/ca.crt" ${auth:+-u "$auth"} "$@" "$URL$path"
}
g() { # user password gnocchi-arguments...
    local user=$1 password=$2; shift 2
    "$VENV/bin/gnocchi" --os-auth-type http_basic --os-username "$user" --os-password "$password" \
        --os-endpoint "$URL" --os-cacert "$WORK/ca.crt" "$@"
}

# A file that does not load stops the start.
printf 'basic_auth_users:\n  alice: not-a-hash\n' > "$WORK/broken.yml"
check "a broken web config stops the start, naming the line" \
    'web config .*broken.yml line 2: the password hash of alice is not a bcrypt hash' \
    "$BIN" serve --data-dir "$WORK/never" --port "$PORT" --web-config "$WORK/broken.yml"

"$BIN" serve --data-dir "$WORK/data" --host 127.0.0.1 --port "$PORT" --web-config "$WORK/web.yml" >"$WORK/log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -s -o /dev/null --cacert "$WORK/ca.crt" "$URL/healthcheck" && break; sleep 0.1; done

check "https with the CA, HTTP/2" '^200 2$' status alice:alice-secret /v1/archive_policy
check "HTTP/1.1 too" '^200 1.1$' status alice:alice-secret /v1/archive_policy --http1.1
check "no CA: the certificate is not trusted" 'certificate' \
    curl -sS -o /dev/null "$URL/healthcheck"
check "plain http to the TLS port: a clean 400" 'Client sent an HTTP request to an HTTPS server' \
    curl -s "http://127.0.0.1:$PORT/v1/"
check "wrong password: 401" '^401' status alice:wrong /v1/archive_policy
check "unknown user: 401" '^401' status mallory:alice-secret /v1/archive_policy
check "the name admin is nobody: 401" '^401' status admin: /v1/archive_policy
check "no credentials: 401" '^401' status "" /v1/archive_policy
check "no credentials: /healthcheck stays open" '^200' status "" /healthcheck
check "refused logins are counted in /metrics" 'rondone_http_auth_failures_total 4' \
    curl -s --cacert "$WORK/ca.crt" -u alice:alice-secret "$URL/metrics"
check "refused logins are logged with the user" 'user=mallory.*refused login' cat "$WORK/log"
check "gnocchi CLI over https as an admin" '^bool' g alice alice-secret archive-policy list -f value -c name
check "admin (from admins:) creates a policy" '"name": "tls-ap"' \
    g alice alice-secret archive-policy create tls-ap -d granularity:1s,points:60 -f json
check "a user who is not an admin cannot" 'Forbidden|403' \
    g bob bob-secret archive-policy create tls-bp -d granularity:1s,points:60
check "a user creates a metric" '"creator": "bob"' g bob bob-secret metric create -a tls-ap -f json
check "gnocchi CLI with a wrong password" 'Unauthorized|401' g bob wrong metric list

# SIGHUP: a changed file is taken, a broken one refused.
CAROL=$(printf 'carol-secret' | "$BIN" hash-password --cost 6)
write_config "carol: $CAROL"
kill -HUP "$SERVER"
for _ in $(seq 1 50); do grep -q "reloaded" "$WORK/log" && break; sleep 0.1; done
check "after SIGHUP, a new user logs in" '^200' status carol:carol-secret /v1/metric
printf 'basic_auth_users: [\n' > "$WORK/web.yml"
kill -HUP "$SERVER"
for _ in $(seq 1 50); do grep -q "not reloaded" "$WORK/log" && break; sleep 0.1; done
check "a broken file on SIGHUP is refused, saying why" 'web config not reloaded.*is not YAML' cat "$WORK/log"
check "and the settings stay" '^200' status carol:carol-secret /v1/metric
check "and still check passwords" '^401' status carol:wrong /v1/metric

# Client certificates: RequireAndVerifyClientCert with the test CA.
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
cd "$WORK"
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=client" 2>/dev/null
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.crt -days 2 -subj "/CN=rogue" 2>/dev/null
cd "$ROOT"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n' > "$WORK/mtls.yml"
"$BIN" serve --data-dir "$WORK/mtls" --host 127.0.0.1 --port "$PORT" --web-config "$WORK/mtls.yml" >"$WORK/mtls.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -s -o /dev/null --cacert "$WORK/ca.crt" --cert "$WORK/client.crt" --key "$WORK/client.key" "$URL/healthcheck" && break; sleep 0.1; done
check "a client certificate of the CA is let in" '^200' \
    status "" /healthcheck --cert "$WORK/client.crt" --key "$WORK/client.key"
check "no client certificate: the handshake fails" '^000' status "" /healthcheck
check "a certificate of another CA: the handshake fails" '^000' \
    status "" /healthcheck --cert "$WORK/rogue.crt" --key "$WORK/rogue.key"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
