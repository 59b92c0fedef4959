#!/usr/bin/env bash
# Allocation benchmarks of the hot paths (docs/BENCHMARKS.md, "Allocations"): builds the
# separate package in Benchmarks/ (ordo-one/benchmark with its MallocInterposer trait;
# no jemalloc needed) and checks each benchmark's malloc count against
# the p90 values recorded in Benchmarks/Thresholds/ (1 % relative tolerance). Exits
# non-zero on any regression, and on an improvement too, so the recorded counts stay true.
#
# Usage: scripts/bench/allocations.sh            check against Benchmarks/Thresholds
#        scripts/bench/allocations.sh update     record new thresholds (after an
#                                                intended change; commit Thresholds/)
#        scripts/bench/allocations.sh run        print every metric (wall clock,
#                                                instructions too), check nothing
# Extra arguments go to the benchmark plugin (e.g. --filter 'Split.*').
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"

# What the build needs beyond scripts/test.sh: nothing but libsqlite3-dev (GRDB), which
# that script installs; check it here too so this script also runs on its own.
if ! dpkg -s libsqlite3-dev >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libsqlite3-dev
fi

mode=${1:-check}
[ $# -gt 0 ] && shift
# Only the counts are recorded and checked: times vary from run to run.
checked=(--metric mallocCountTotal)
case "$mode" in
check)
    if ! swift package --disable-sandbox benchmark thresholds check "${checked[@]}" --no-progress "$@"; then
        echo >&2
        echo "Allocation counts differ from Benchmarks/Thresholds/. If the change is intended," >&2
        echo "record the new counts and commit them with it (and update docs/BENCHMARKS.md):" >&2
        echo "  scripts/bench/allocations.sh update && git add Benchmarks/Thresholds" >&2
        exit 1
    fi
    ;;
update)
    swift package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update \
        "${checked[@]}" --no-progress "$@"
    ;;
run)
    swift package --disable-sandbox benchmark run --no-progress "$@"
    ;;
*)
    echo "usage: $0 [check|update|run] [benchmark plugin options]" >&2
    exit 2
    ;;
esac
