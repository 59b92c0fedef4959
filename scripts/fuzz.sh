#!/usr/bin/env bash
# Fuzzing with libFuzzer (docs/FUZZING.md): builds the package in Fuzz/ with
# `-sanitize=fuzzer,address` on every Swift module (Rondone's parsers are instrumented,
# AddressSanitizer on), then runs each fuzz target for FUZZ_SECONDS on a temporary copy of
# its seed corpus (Fuzz/Corpus/<target>/), with its dictionary when there is one
# (Fuzz/Dictionaries/<target>.dict). Prints, per target: executions, exec/s, coverage
# (libFuzzer's `cov:` edges and `ft:` features at the end), and whether it crashed; a crash
# (trap, ASan report, timeout, out of memory) keeps the input that caused it and prints its
# path (the target's log is kept beside it). Exits non-zero when any target crashed.
#
# Usage: scripts/fuzz.sh [TARGET…]     every target (Fuzz/Sources/fuzz-*) when none given;
#                                      a name may omit its `fuzz-` prefix
# Environment:
#   FUZZ_SET=ci           instead of naming targets: the ones CI runs (`ci_targets` below),
#                         each built on its own (`--product`) so nothing else is compiled
#   FUZZ_SECONDS=60       time per target (libFuzzer's -max_total_time)
#   FUZZ_MERGE=1          add the inputs that found new coverage to Fuzz/Corpus/<target>/
#                         (libFuzzer's -merge=1; review and commit them) — off by default:
#                         a run never writes into the committed corpus otherwise
#   FUZZ_ARTIFACTS=dir    where crashing inputs go (default Fuzz/.build/fuzz-artifacts)
#   FUZZ_ARGS="…"         more libFuzzer flags for every target (e.g. -jobs=2, -seed=1)
# Reproduce a crash: Fuzz/.build/debug/<target> <crashing input>
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${FUZZ_SECONDS:-60}
artifacts=${FUZZ_ARTIFACTS:-$root/Fuzz/.build/fuzz-artifacts}
read -r -a extra <<<"${FUZZ_ARGS:-}"

# What CI fuzzes (.ci/run: FUZZ_SET=ci): the targets whose code and dependencies are cheap to
# build with the sanitizers — Rondone's stdlib-only modules (time series, storage, query,
# JSON, PromQL), no SwiftNIO, swift-nio-ssl, swift-crypto (BoringSSL), Hummingbird, GRDB or
# PostgresNIO. The others import RondoneAPI or RondoneIngest, which pull those in: about
# half an hour of instrumented build on a clean clone (docs/FUZZING.md). They run when
# a person runs this script with no arguments.
ci_targets=(fuzz-timestamp fuzz-split-codec fuzz-split-pack fuzz-aggregate-log-record fuzz-incoming-record
    fuzz-operations fuzz-promql)
# Modules a CI target must never compile (checked in the build log of FUZZ_SET=ci).
ci_forbidden='NIO[A-Za-z0-9_]*|_NIO[A-Za-z0-9_]*|CNIO[A-Za-z0-9_]*|Hummingbird[A-Za-z0-9_]*|GRDB|PostgresNIO|Crypto|_CryptoExtras|CCryptoBoringSSL[A-Za-z0-9_]*|AsyncHTTPClient'

targets=()
if [ "${FUZZ_SET:-}" = ci ]; then
    if [ $# -gt 0 ]; then
        echo "fuzz.sh: FUZZ_SET=ci names its targets; give none" >&2
        exit 2
    fi
    targets=("${ci_targets[@]}")
elif [ -n "${FUZZ_SET:-}" ]; then
    echo "fuzz.sh: unknown FUZZ_SET=$FUZZ_SET (only ci)" >&2
    exit 2
elif [ $# -eq 0 ]; then
    for directory in Fuzz/Sources/fuzz-*; do targets+=("$(basename "$directory")"); done
else
    for name in "$@"; do
        case "$name" in fuzz-*) ;; *) name=fuzz-$name ;; esac
        if [ ! -d "Fuzz/Sources/$name" ]; then
            echo "fuzz.sh: no target $name (see Fuzz/Sources/)" >&2
            exit 2
        fi
        targets+=("$name")
    done
fi

# The sanitizer flags reach every Swift module, so the parsers in the main package are
# instrumented for coverage and checked by ASan. lld links the large instrumented binaries
# faster than gold (and without its warnings). Every target: one build of the whole
# package. Some: one build per product (SwiftPM takes one --product at a time), so only
# what those targets import is compiled.
build=(swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
all=$(find Fuzz/Sources -maxdepth 1 -name 'fuzz-*' | wc -l)
if [ ${#targets[@]} -eq "$all" ]; then products=(""); else products=("${targets[@]}"); fi
# SwiftPM keeps the build plan it made for the main package (a path dependency here) and
# does not see files added to it since (`cannot find … in scope`): drop the plan so it is
# made again (seconds).
rm -f Fuzz/.build/debug.yaml Fuzz/.build/*/debug/description.json
echo "fuzz.sh: building ${#targets[@]} target(s) (${build[*]})"
for product in "${products[@]}"; do
    command=("${build[@]}")
    if [ -n "$product" ]; then command+=(--product "$product"); fi
    if ! "${command[@]}" >>"$work/build.log" 2>&1; then
        grep -E 'error:' "$work/build.log" || tail -n 40 "$work/build.log"
        echo "fuzz.sh: build failed" >&2
        exit 1
    fi
done
if [ "${FUZZ_SET:-}" = ci ]; then
    heavy=$(grep -oE "Compiling ($ci_forbidden) " "$work/build.log" | sed 's/^Compiling //' | sort -u |
        tr '\n' ' ' || true)
    if [ -n "$heavy" ]; then
        echo "fuzz.sh: a CI target pulled in a dependency CI cannot afford to instrument: $heavy" >&2
        echo "fuzz.sh: move the target out of ci_targets, or its parser out of that module (docs/FUZZING.md)" >&2
        exit 1
    fi
fi
bin=$(swift build --package-path Fuzz -c debug --show-bin-path)
echo "fuzz.sh: built in $(($(date +%s) - started)) s"
mkdir -p "$artifacts"

# -timeout: an input that takes longer is a hang (reported as a crash); -rss_limit_mb and
# -malloc_limit_mb: an input that needs more memory is reported too (a parser must refuse
# what it cannot hold, never allocate what a length field claims).
# No leak checks (-detect_leaks=0 per input, ASAN_OPTIONS at exit): LeakSanitizer reports
# Swift's lazily built globals (the search schemas) as leaked, since Swift keeps spare bits
# set in enum payload pointers and LSan does not recognise them as references.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
    -malloc_limit_mb=1024 -max_len=16384 -detect_leaks=0)
# Swift's own crash handler would print its backtrace and then trip ASan (it reads the
# stack its own way); without it a Swift trap goes straight to libFuzzer's handler.
export SWIFT_BACKTRACE=enable=no
failed=()
rows=()
for target in "${targets[@]}"; do
    corpus=$work/$target
    mkdir -p "$corpus"
    if [ -d "Fuzz/Corpus/$target" ]; then cp -R "Fuzz/Corpus/$target/." "$corpus/"; fi
    dict=()
    if [ -f "Fuzz/Dictionaries/$target.dict" ]; then dict=(-dict="Fuzz/Dictionaries/$target.dict"); fi
    log=$work/$target.log
    echo "fuzz.sh: $target for $seconds s ($(find "$corpus" -type f | wc -l) seeds)"
    status=0
    "$bin/$target" "${flags[@]}" "${dict[@]}" "${extra[@]}" -artifact_prefix="$artifacts/$target-" \
        "$corpus" >"$log" 2>&1 || status=$?
    # The last status line (`#N DONE cov: … ft: …`, or the last one before a crash).
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
    result=ok
    if [ "$status" -ne 0 ]; then
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        result="CRASH ${crash:-(no input written; log below)}"
        failed+=("$target")
        cp "$log" "$artifacts/$target.log"
        grep -E -A30 'ERROR: (libFuzzer|AddressSanitizer)|Fatal error|SUMMARY' "$log" | head -n 60 || tail -n 40 "$log"
    fi
    rows+=("$(printf '%-28s %12s %9s %7s %7s  %s' "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result")")
    if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
        mkdir -p "Fuzz/Corpus/$target"
        "$bin/$target" -merge=1 "${dict[@]}" -max_len=16384 "Fuzz/Corpus/$target" "$corpus" >"$work/$target.merge" 2>&1
        echo "fuzz.sh: merged into Fuzz/Corpus/$target: $(grep -o 'added [0-9]* new units' "$work/$target.merge" || echo 'nothing new')"
    fi
done

echo
printf '%-28s %12s %9s %7s %7s  %s\n' target executions exec/s cov ft result
for row in "${rows[@]}"; do echo "$row"; done
echo "fuzz.sh: ${#targets[@]} target(s), $seconds s each, $(($(date +%s) - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: crashes in ${failed[*]} (inputs in $artifacts)" >&2
    exit 1
fi
