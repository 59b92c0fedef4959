#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what a fresh machine lacks,
# builds once (debug), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the build and the tests need (Debian names).
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev) # GRDB (RondoneIndexer)
# The conformance runner and the gnocchi CLI check (scripts/) need a venv and curl.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

swift build --build-tests

# The shared backends' suites need servers on loopback: a throw-away PostgreSQL
# (scripts/postgresql-test-server.sh installs Debian's postgresql when it is missing),
# unless the caller already points RONDONE_TEST_POSTGRESQL_URL at one, and moto with
# signature checking (scripts/s3-test-server.sh) for the S3 suites.
. scripts/s3-test-server.sh
stop_servers() {
    s3_test_server_stop
    if [ -n "${started_postgresql:-}" ]; then scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR"; fi
}
trap stop_servers EXIT
if [ -z "${RONDONE_TEST_POSTGRESQL_URL:-}" ]; then
    eval "$(scripts/postgresql-test-server.sh start)"
    started_postgresql=1
fi
s3_test_server_start

swift test --skip-build
