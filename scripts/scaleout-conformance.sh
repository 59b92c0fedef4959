#!/usr/bin/env bash
# Gnocchi's functional tests against a `rondone api` node of a scaled-out deployment
# (with a `rondone metricd`): starts a throw-away PostgreSQL and moto (signatures
# checked), then runs scripts/conformance.sh with CONFORMANCE_BACKEND=scaleout. Takes
# the same arguments and environment as scripts/conformance.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/postgresql-test-server.sh start)"
. scripts/s3-test-server.sh
s3_test_server_start
cleanup() {
    local status=$?
    s3_test_server_stop || true
    scripts/postgresql-test-server.sh stop "$RONDONE_TEST_POSTGRESQL_DIR" || true
    exit $status
}
trap cleanup EXIT
CONFORMANCE_BACKEND=scaleout scripts/conformance.sh "$@"
