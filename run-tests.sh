#!/usr/bin/env bash
# run-tests.sh: the quick start's second command. Builds in Release and runs every ctest suite,
# then does the same in an ASan+UBSan build. Ends with ctest's summary line.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" build
ctest --test-dir "$top/build" --output-on-failure -j 2
"$top/scripts/build.sh" build-asan -DAB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir "$top/build-asan" --output-on-failure -j 2
