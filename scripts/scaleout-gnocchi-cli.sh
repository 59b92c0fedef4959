#!/usr/bin/env bash
# The real `gnocchi` CLI (scripts/gnocchi-cli.sh) against a `rondone api` node and a
# `rondone metricd` of a PostgreSQL + S3 deployment: starts a throw-away PostgreSQL and
# moto (signatures checked) first.
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
CLI_INDEXER_URL=$RONDONE_TEST_POSTGRESQL_URL CLI_STORAGE_URL="s3://rondone-cli?${RONDONE_TEST_S3_URL#s3://*\?}" \
    scripts/gnocchi-cli.sh
