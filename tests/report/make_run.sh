#!/usr/bin/env bash
# make_run.sh: the fixture of the report tests: a real, tiny `alignbench run` (2 repetitions,
# scale 0.02, the simd workload at 1 and 2 threads so that the scaling chart has data, two
# allocators, no charts) into OUT/run-tiny/, which the other report tests draw and check. In a sanitizer build mimalloc cannot be LD_PRELOADed into the
# ASan runner, so the second allocator is aligned_malloc there (said on stderr).
# usage: make_run.sh ALIGNBENCH OUT SANITIZE(ON|OFF)
set -euo pipefail
alignbench=$1 out=$2 sanitize=$3
second=mimalloc
if [ "$sanitize" = ON ]; then
  second=aligned_malloc
  echo "make_run.sh: sanitizer build: mimalloc cannot be preloaded into an ASan runner;" \
       "using malloc and aligned_malloc instead" >&2
fi
rm -rf "$out/run-tiny"
mkdir -p "$out"
"$alignbench" run --reps 2 --scale 0.02 --alloc malloc --alloc "$second" --workload simd \
  --threads 1,2 --no-plots --quiet --run-id run-tiny --out "$out"
test -s "$out/run-tiny/results.json" || { echo "make_run.sh: no results.json" >&2; exit 1; }
if [ -e "$out/run-tiny/report.html" ] || [ -e "$out/run-tiny/charts" ]; then
  echo "make_run.sh: --no-plots still drew charts or a report" >&2
  exit 1
fi
