#!/usr/bin/env bash
# test_micro_unavailable.sh ALIGNBENCH: in a build without Google Benchmark, `micro` must say
# so and fail (exit 1), and still answer --help.
ab=$1
out=$("$ab" micro --alloc malloc -o /dev/null 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "unavailable" || { echo "FAIL: exit $rc: $out"; exit 1; }
"$ab" micro --help | grep -q "usage: alignbench micro" || { echo "FAIL: --help"; exit 1; }
echo "ok   micro says it is unavailable"
