#!/usr/bin/env bash
# test_micro_list.sh ALIGNBENCH: `alignbench micro --benchmark_list_tests`, as Google Benchmark has
# it: the names of the benchmarks that would run, one a line, for every allocator, after --filter
# and the preset; nothing runs and no file is written. The names are those a real run reports.
set -u
ab=$1
. "$(dirname "$0")/../lib.sh"
cd "$dir" || exit 1

"$ab" micro --alloc malloc,bump --benchmark_list_tests >quick.txt 2>err.txt
rc=$?
[ $rc -eq 0 ] && ok "--benchmark_list_tests exits 0" || bad "exit $rc: $(cat err.txt)"
n=$(wc -l <quick.txt)
grep -Evq '^(alloc_free|live_free|realloc_grow)/(malloc|bump)/[a-z]+:[0-9]+/[a-z]+:[0-9]+$' quick.txt &&
  bad "a line is not a benchmark name: $(grep -Ev '^(alloc_free|live_free|realloc_grow)/' quick.txt | head -1)" ||
  ok "$n lines, each a benchmark name"
grep -q '^alloc_free/malloc/' quick.txt && grep -q '^alloc_free/bump/' quick.txt &&
  ok "both allocators listed" || bad "an allocator is missing"
[ -z "$(ls -A | grep -v -e '^quick.txt$' -e '^err.txt$')" ] && ok "nothing written (no results/)" ||
  bad "files written: $(ls -A)"
"$ab" micro --alloc malloc,bump --benchmark_list_tests=true --full >full.txt 2>/dev/null
[ "$(wc -l <full.txt)" -gt "$n" ] && ok "--full lists more ($(wc -l <full.txt) > $n)" ||
  bad "--full lists $(wc -l <full.txt), quick $n"
"$ab" micro --alloc malloc,bump --benchmark_list_tests=false --filter 'size:64/align:8$' \
  --reps 1 --min-time 0.001 --quiet -o run.json >/dev/null 2>&1 && [ -s run.json ] &&
  ok "--benchmark_list_tests=false runs" || bad "=false did not run"

# The list is exactly the names the real run (run.json, same filter) reports.
"$ab" micro --alloc malloc,bump --benchmark_list_tests --filter 'size:64/align:8$' >f.txt 2>ferr.txt
python3 - run.json f.txt <<'PY' && ok "the list is the real run's benchmark names" || bad "list != run"
import json, sys
run = json.load(open(sys.argv[1]))
ran = {b["run_name"] for b in run["benchmarks"]}
listed = set(open(sys.argv[2]).read().split())
if len(ran) != 2 or ran != listed:
    print(f"  ran {sorted(ran)}\n  listed {sorted(listed)}", file=sys.stderr)
    sys.exit(1)
PY
# A filter leaving one allocator's benchmarks only: the other lists nothing, which is no failure.
"$ab" micro --alloc malloc,bump --benchmark_list_tests --filter '^live_free/bump/' >b.txt 2>berr.txt
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c . b.txt)" -eq 3 ] && ! grep -q malloc b.txt &&
  ok "a filter matching one allocator's benchmarks only: exit 0, those listed" ||
  bad "one-allocator filter: exit $rc, $(cat b.txt berr.txt)"
"$ab" micro --alloc bump --benchmark_list_tests --filter '^alloc_free/malloc/' >none.txt 2>/dev/null
rc=$?
[ $rc -eq 0 ] && [ ! -s none.txt ] && ok "a filter matching nothing lists nothing, exit 0" ||
  bad "empty list: exit $rc, $(cat none.txt)"
"$ab" micro --benchmark_list_tests=maybe >bad.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "wants true or false, not 'maybe'" bad.txt && ok "=maybe: exit 2, named" ||
  bad "=maybe: exit $rc, $(cat bad.txt)"

finish micro.list_tests
