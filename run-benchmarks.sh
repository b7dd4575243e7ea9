#!/usr/bin/env bash
# run-benchmarks.sh: the quick start's first command. Installs what is missing, builds in
# Release and runs the default suite (every allocator over every workload), leaving results and
# charts in results/<run-id>/. Extra arguments go to `alignbench run`.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh" run
"$top/scripts/build.sh" build
exec "$top/build/harness/alignbench" run --out "$top/results" "$@"
