#!/usr/bin/env bash
# run_fuzzers.sh: the CI's fuzzing step (run-tests.sh calls it after the Release tests). Builds
# the libFuzzer targets with clang in their own build folder and runs each for a bounded time
# from its committed seed corpus; any crash, sanitizer report or failed check fails the step and
# leaves the input in BUILD/fuzz/artifacts/ (commit it under tests/hardening/regressions/).
#
# usage: run_fuzzers.sh [SECONDS_PER_TARGET]   (default 60, the CI's bound; at most 600)
#   environment: AB_FUZZ_BUILD (build folder, default build-fuzz next to this checkout's top)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ] || [ "$seconds" -gt 600 ]; then
    echo "run_fuzzers.sh: SECONDS_PER_TARGET must be a whole number from 1 to 600, not '$seconds'" >&2
    exit 2
fi
build=${AB_FUZZ_BUILD:-$top/build-fuzz}
if ! command -v clang >/dev/null; then
    echo "run_fuzzers.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi

# target:seed corpus folder (fuzz/corpus/<folder>)
targets=(fuzz_trace:trace fuzz_trace_text:trace fuzz_results:results)

CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DAB_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target "${targets[@]%%:*}"

mkdir -p "$build/fuzz/artifacts"
status=0
for entry in "${targets[@]}"; do
    target=${entry%%:*} seeds=$top/fuzz/corpus/${entry#*:}
    corpus=$build/fuzz/corpus-$target # new inputs stay in the build tree
    mkdir -p "$corpus"
    log=$build/fuzz/$target.log
    echo "fuzzing $target for ${seconds}s (log: $log)"
    if "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz/artifacts/$target-" "$corpus" "$seeds" >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done' "$log" | sed "s/^/  $target: /" || true
    else
        echo "run_fuzzers.sh: $target found a crash; the input is in $build/fuzz/artifacts/:" >&2
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 >&2 || true
        status=1
    fi
done
exit $status
