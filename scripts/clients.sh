#!/usr/bin/env bash
# Runs every real-client check, scripts/clients/*.sh (collectd, Prometheus, …): each
# installs its client from Debian or PyPI, starts `rondone serve` and the client on
# loopback, and checks what was stored through the REST API. Prints each script's lines,
# then the sum as `clients: N passed, M failed`; exits non-zero if any script failed.
#
#   scripts/clients.sh              (RONDONE_BIN, default .build/debug/rondone)
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0; broken=()
for script in scripts/clients/*.sh; do
    echo "== $script"
    start=$SECONDS
    out=$(mktemp)
    bash "$script" | tee "$out"
    rc=${PIPESTATUS[0]}
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
    rm -f "$out"
    if [ -n "$counts" ]; then
        passed=$((passed + ${counts%% passed*}))
        rest=${counts#*, }; failed=$((failed + ${rest%% failed}))
    fi
    if [ "$rc" -ne 0 ]; then
        broken+=("$script")
        [ -n "$counts" ] && [ "${rest%% failed}" -gt 0 ] || failed=$((failed + 1)) # died before counting
    fi
    echo "== $script: exit $rc in $((SECONDS - start)) s"
done
[ ${#broken[@]} -eq 0 ] || echo "failed: ${broken[*]}"
echo "clients: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
