#!/usr/bin/env bash
# tbb_plugin.sh MODE ALIGNBENCH PLUGIN SANITIZED [TEST_FOOTPRINT_RSS]: the tbbmalloc example
# plug-in (allocators/examples) end to end. MODE list: `list` shows it on its native table; run:
# a small `run` on it completes ok; footprint: test_footprint_rss on it (its footprint against
# the resident memory it adds, figures printed). Exit 77 (skipped, saying why) when the build has
# no plug-in (PLUGIN is "none": no libtbbmalloc2) or is a sanitizer build (SANITIZED is 1:
# nothing can be preloaded into a sanitized runner).
set -euo pipefail
mode=$1 ab=$2 plugin=$3 sanitized=$4
if [ "$plugin" = none ] || [ ! -f "$plugin" ]; then
  echo "SKIPPED: no tbbmalloc plug-in in this build (libtbbmalloc2 is not installed; scripts/deps.sh installs it)"
  exit 77
fi
if [ "$sanitized" = 1 ]; then
  echo "SKIPPED: sanitizer build: nothing can be preloaded into a sanitized runner"
  exit 77
fi
case $mode in
list)
  out=$("$ab" list --alloc tbb="$plugin")
  echo "$out"
  grep -Eq '^tbb +yes .* native table v1: aligned via scalable_aligned_malloc/scalable_aligned_free, footprint via ' <<<"$out"
  ;;
run)
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  out=$(cd "$dir" && "$ab" run --alloc tbb="$plugin" --workload simd --scale 0.02 --reps 1 --no-plots 2>&1)
  echo "$out"
  grep -q 'tbb x simd, rep 1/1: ok' <<<"$out"
  grep -Eq '^([0-9]+) of \1 runs ok' <<<"$out"
  ;;
footprint)
  LD_PRELOAD=$plugin "$5" tbb="$plugin"
  ;;
*)
  echo "tbb_plugin.sh: unknown mode $mode" >&2
  exit 2
  ;;
esac
