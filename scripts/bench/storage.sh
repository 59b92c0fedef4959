#!/usr/bin/env bash
# Rondone vs Gnocchi 4.7.1 on the storage workloads (docs/BENCHMARKS.md):
# builds rondone-bench (release, incremental), runs `rondone-bench storage`, then
# the same workloads through Gnocchi's own drivers, one after the other so they do
# not compete for the CPU, and prints a side-by-side table with Rondone/Gnocchi ratios.
#
# Env knobs: SCALE (1), SKIP_BUILD=1, RONDONE_BENCH (the binary; default
#            .build/release/rondone-bench), GNOCCHI_PYTHON (the peer venv's python),
#            OUT (directory for the raw outputs; default .build/bench-storage).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=${SCALE:-1}
GNOCCHI_PYTHON=${GNOCCHI_PYTHON:-/root/gnocchi-peer/venv/bin/python}
OUT=${OUT:-.build/bench-storage}
RONDONE_BENCH=${RONDONE_BENCH:-.build/release/rondone-bench}
mkdir -p "$OUT"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release --product rondone-bench
fi

echo "== rondone-bench storage"
"$RONDONE_BENCH" storage --scale "$SCALE" | tee "$OUT/rondone.txt"
echo "== gnocchi 4.7.1 (scripts/bench/gnocchi_storage.py)"
"$GNOCCHI_PYTHON" scripts/bench/gnocchi_storage.py --scale "$SCALE" | tee "$OUT/gnocchi.txt"
echo "== side by side (R/G = Rondone / Gnocchi)"
python3 scripts/bench/storage_table.py "$OUT/rondone.txt" "$OUT/gnocchi.txt" | tee "$OUT/table.txt"
