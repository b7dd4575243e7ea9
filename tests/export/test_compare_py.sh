#!/usr/bin/env bash
# test_compare_py.sh ALIGNBENCH: two small `alignbench micro` outputs read by Google Benchmark's
# own compare.py (Debian's libbenchmark-tools, run with Debian's python3 for its scipy), which
# must exit 0 and print its comparison table: the claim that micro's JSON is Google Benchmark's,
# checked rather than asserted. Once with every repetition, once with --aggregates-only.
set -u
ab=$1
compare=$(dpkg -L libbenchmark-tools 2>/dev/null | grep '/compare\.py$' | head -n1)
if [ -z "$compare" ]; then
    echo "FAIL compare.py not found: install libbenchmark-tools (scripts/deps.sh)"
    exit 1
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
. "$(dirname "$0")/../lib.sh"

filter='^alloc_free/malloc/size:64/align:(8|4096)$'
for side in a b; do
    for mode in full agg; do
        extra=()
        [ $mode = agg ] && extra=(--aggregates-only)
        "$ab" micro --alloc malloc --filter "$filter" --reps 2 --min-time 0.002 --quiet \
            "${extra[@]}" -o "$dir/$side-$mode.json" >"$dir/out" 2>&1 ||
            { cat "$dir/out"; echo "FAIL micro ($side, $mode)"; exit 1; }
    done
done
python3 -c "
import json
d = json.load(open('$dir/a-agg.json'))
types = {b['run_type'] for b in d['benchmarks']}
assert types == {'aggregate'}, types
assert any(b['name'].endswith('_median') for b in d['benchmarks'])
" && ok "--aggregates-only: aggregates only" || bad "--aggregates-only"
for mode in full agg; do
    "$py" "$compare" benchmarks "$dir/a-$mode.json" "$dir/b-$mode.json" >"$dir/cmp" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^Benchmark .*Time .*CPU .*Time Old .*Time New" "$dir/cmp" &&
        grep -q "alloc_free/malloc/size:64/align:4096" "$dir/cmp"; then
        ok "compare.py benchmarks ($mode): exit 0 and its table"
    else
        bad "compare.py benchmarks ($mode) (exit $rc)"
        cat "$dir/cmp"
    fi
done
finish export.compare_py
