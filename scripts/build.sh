#!/usr/bin/env bash
# build.sh DIR [CMAKE ARGS...]: configures (Release, -Werror) and builds alignbench into DIR.
set -euo pipefail
dir=${1:-build}; shift || true
top=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=Release -DAB_WERROR=ON "$@" >/dev/null
cmake --build "$top/$dir" -j "$(nproc)"
