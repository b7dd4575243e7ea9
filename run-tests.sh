#!/usr/bin/env bash
# run-tests.sh: the quick start's second command. Builds in Release and runs every ctest suite,
# fuzzes each libFuzzer target for a minute, then runs the suite again in an ASan+UBSan build,
# and the threaded tests (label `threads`) in a small ThreadSanitizer build. Ends with ctest's
# summary line.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" build
ctest --test-dir "$top/build" --output-on-failure -j 2
# Fuzzing: each libFuzzer target (clang, own build folder build-fuzz) for AB_FUZZ_SECONDS
# (default 60) from its seed corpus; a crash fails the step (tests/hardening/run_fuzzers.sh).
"$top/tests/hardening/run_fuzzers.sh" "${AB_FUZZ_SECONDS:-60}"
"$top/scripts/build.sh" build-asan -DAB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir "$top/build-asan" --output-on-failure -j 2
# ThreadSanitizer: only what the threaded tests need, and only they run (ctest -L threads: the
# threaded replay on malloc, aligned_malloc, bump and rpcss; TSan and a preloaded jemalloc or
# mimalloc do not mix, so the tests leave those two out in this build). About a minute.
cmake -S "$top" -B "$top/build-tsan" -DAB_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build-tsan" -j "$(nproc)" --target test_replay_threads alignbench \
  alignbench-runner record_stress
ctest --test-dir "$top/build-tsan" -L threads --output-on-failure
