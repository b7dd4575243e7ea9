#!/usr/bin/env bash
# run-tests.sh: the quick start's second command. Builds in Release and runs every ctest suite,
# fuzzes each libFuzzer target for a minute, then runs the suite again in an ASan+UBSan build
# (without the benchmark-like tests, label `bench`, which need Release timings),
# and the threaded tests (label `threads`) in a small ThreadSanitizer build. Every step runs even
# when an earlier one failed; the last line adds them up ("N passed, N failed, N skipped") and
# the exit code is non-zero when anything failed.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh" test

passed=0 failed=0 skipped=0
failed_steps=()

# run_ctest STEP BUILD_DIR [CTEST ARGS...]: runs ctest, shows its output, and adds its counts.
run_ctest() {
  local step=$1 dir=$2
  shift 2
  local log="$dir/ctest-output.log" rc line total nfail nskip
  set +e
  ctest --test-dir "$dir" --output-on-failure "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -z "$line" ]; then # ctest itself did not get to run the tests
    failed=$((failed + 1))
    failed_steps+=("$step (ctest did not run)")
    return
  fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  nskip=$(grep -c '(Skipped)$' "$log" || true)
  passed=$((passed + total - nfail - nskip))
  failed=$((failed + nfail))
  skipped=$((skipped + nskip))
  [ "$rc" -eq 0 ] || failed_steps+=("$step")
}

# run_step STEP COMMAND...: a step that is one check (the fuzzing).
run_step() {
  local step=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_steps+=("$step")
    return 1
  fi
}

# run_build STEP COMMAND...: a build; only its failure counts (as one failed check).
run_build() {
  local step=$1
  shift
  "$@" && return 0
  failed=$((failed + 1))
  failed_steps+=("$step")
  return 1
}

if run_build "release build" "$top/scripts/build.sh" build; then
  run_ctest "release tests" "$top/build" -j 2
fi
# Fuzzing: each libFuzzer target (clang, own build folder build-fuzz) for AB_FUZZ_SECONDS
# (default 60) from its seed corpus; a crash fails the step (tests/hardening/run_fuzzers.sh).
run_step "fuzzing" "$top/tests/hardening/run_fuzzers.sh" "${AB_FUZZ_SECONDS:-60}" || true
if run_build "asan+ubsan build" "$top/scripts/build.sh" build-asan -DAB_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  # -LE bench: the benchmark-like tests (timing ratios, 100 M-op traces) need a Release build
  ASAN_OPTIONS=detect_leaks=1 run_ctest "asan+ubsan tests" "$top/build-asan" -j 2 -LE bench
fi
# ThreadSanitizer: only what the threaded tests need, and only they run (ctest -L threads: the
# threaded replay on malloc, aligned_malloc, bump and rpcss; TSan and a preloaded jemalloc or
# mimalloc do not mix, so the tests leave those two out in this build). About a minute.
tsan_build() {
  cmake -S "$top" -B "$top/build-tsan" -DAB_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build "$top/build-tsan" -j "$(nproc)" --target test_replay_threads test_thread_spawn alignbench \
      alignbench-runner record_stress
}
if run_build "tsan build" tsan_build; then
  run_ctest "tsan tests" "$top/build-tsan" -L threads
fi

if [ ${#failed_steps[@]} -ne 0 ]; then
  printf 'run-tests.sh: failed: %s\n' "${failed_steps[@]}"
fi
echo "alignbench: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failed_steps[@]} -eq 0 ]
