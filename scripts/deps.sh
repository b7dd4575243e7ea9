#!/usr/bin/env bash
# deps.sh [run|test]: installs the Debian 12 packages alignbench needs, only those missing.
#   run   building and running benchmarks: the compilers, CMake, the optional allocators
#         (jemalloc, mimalloc, tbbmalloc for the example plug-in), Google Benchmark, jansson,
#         gnuplot for the charts (run-benchmarks.sh)
#   test  run's, plus what only the test suites use: clang and its libFuzzer runtime, clang-format,
#         chromium (report.html), valgrind, tcmalloc, python3 and bc, Google Benchmark's
#         compare.py with scipy, PyYAML for the CI recipes' test (run-tests.sh; the default)
# Runs apt-get as root (directly, or through sudo when available).
set -euo pipefail
what=${1:-test}
run_packages=(cmake make gcc g++ pkg-config git
              libjemalloc-dev libmimalloc-dev libbenchmark-dev libjansson-dev
              gnuplot-nox libtbbmalloc2)
test_packages=(clang clang-format libclang-rt-14-dev chromium valgrind libgoogle-perftools-dev
               python3 bc man-db libbenchmark-tools python3-scipy python3-yaml)
case $what in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *)
    echo "usage: deps.sh [run|test]  (run: to build and run; test: also the test suites)" >&2
    exit 2
    ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps.sh: installing ${missing[*]}" >&2
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
