#!/usr/bin/env bash
# test_export_programs.sh ALIGNBENCH BIGNUM_LIST: `alignbench export` of whole-program runs
# (run --program). A mixed run (a trace and a program) and a run of a program alone, 2
# repetitions each, exported to every format and checked by check_export.py: bmf and
# github-action-benchmark carry every program metric (CPU time in cycles and ms, user, sys and
# wall time, peak RSS, faults) with its interval; hgrm exports the trace's cells and says it
# left the program's out. A run of programs only has no higher-is-better metric and no latency
# histogram: those exports write nothing, say why, and exit 1 (bigger's file alone, beside
# smaller's, is left out with a note and exit 0).
set -u
ab=$1
big=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# In a sanitizer build jemalloc cannot be preloaded (ASan owns malloc): the second allocator is
# then a variant of glibc's malloc, a cell of its own all the same.
second=jemalloc
second_spec=jemalloc
if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    second=notc
    second_spec="notc=malloc:GLIBC_TUNABLES=glibc.malloc.tcache_count=0"
fi
export second

"$ab" run --alloc malloc --workload rpc --scale 0.02 --program "big=$big 20" --reps 2 \
    --no-plots --quiet --run-id mix --out "$dir" >"$dir/out" 2>&1 || die "mixed run: $(tail -5 "$dir/out")"
"$ab" run --alloc "malloc,$second_spec" --program "big=$big 20" --reps 2 --no-plots --quiet \
    --run-id prog --out "$dir" >"$dir/out" 2>&1 || die "program run: $(tail -5 "$dir/out")"

# The mixed run: every format, every cell.
m=$dir/mix
"$ab" export --to bmf "$m" -o "$dir/mix-bmf.json" >"$dir/out" 2>&1 && ok "mixed: bmf" || fail "mixed: bmf"
"$ab" export --to github-action-benchmark "$m" -o "$dir/mix-gab" >"$dir/out" 2>&1 &&
    ok "mixed: github-action-benchmark" || fail "mixed: github-action-benchmark"
"$ab" export --to hgrm "$m" -o "$dir/mix-hgrm" >"$dir/out" 2>&1 && ok "mixed: hgrm exits 0" ||
    fail "mixed: hgrm"
grep -q "1 whole-program cell(s) left out: a program has no latency histogram" "$dir/out" &&
    ok "mixed: hgrm says it left the program's cell out" || fail "mixed: hgrm's note"
python3 "$here/check_export.py" "$m/results.json" "$dir/mix-bmf.json" "$dir/mix-gab-smaller.json" \
    "$dir/mix-gab-bigger.json" "$dir/mix-hgrm" >"$dir/out" 2>&1 &&
    ok "mixed: formats as documented, program metrics included" || fail "mixed: formats"

# Programs only.
p=$dir/prog
"$ab" export --to bmf "$p" -o "$dir/bmf.json" >"$dir/out" 2>&1 && ok "programs: bmf" || fail "programs: bmf"
python3 - "$dir/bmf.json" >"$dir/out" 2>&1 <<'PY' && ok "programs: bmf has every program metric of both cells, with intervals" || fail "programs: bmf content"
import json, os, sys
d = json.load(open(sys.argv[1]))
want = ["cpu_mcycles", "cpu_ms", "user_ms", "sys_ms", "wall_ms", "peak_rss", "minor_faults", "major_faults"]
assert sorted(d) == sorted([os.environ["second"] + "/big", "malloc/big"]), sorted(d)
for cell, measures in d.items():
    missing = [m for m in want if m not in measures]
    assert not missing, (cell, missing)
    for m in want:
        assert {"value", "lower_value", "upper_value"} <= set(measures[m]), (cell, m, measures[m])
PY
"$ab" export --to github-action-benchmark "$p" -o "$dir/gab" >"$dir/out" 2>&1 &&
    ok "programs: github-action-benchmark exits 0" || fail "programs: github-action-benchmark"
grep -q "gab-bigger.json not written: no cell has a resolved higher-is-better metric" "$dir/out" &&
    [ ! -e "$dir/gab-bigger.json" ] && ok "programs: no empty bigger file, and stderr says why" ||
    fail "programs: bigger file"
python3 -c "
import json, sys
a = json.load(open('$dir/gab-smaller.json'))
assert len(a) >= 16 and all(e['unit'] for e in a), a
names = {e['name'] for e in a}
assert 'malloc/big/cpu_mcycles' in names and '$second/big/peak_rss' in names, sorted(names)
" >"$dir/out" 2>&1 && ok "programs: customSmallerIsBetter is not empty" || fail "programs: smaller content"
"$ab" export --to github-action-benchmark --direction bigger "$p" -o "$dir/big.json" >"$dir/out" 2>&1
[ $? -eq 1 ] && [ ! -e "$dir/big.json" ] && grep -q "nothing to export" "$dir/out" &&
    ok "programs: --direction bigger writes nothing and exits 1" || fail "programs: --direction bigger"
"$ab" export --to hgrm "$p" -o "$dir/hgrm" >"$dir/out" 2>&1
[ $? -eq 1 ] && [ ! -e "$dir/hgrm" ] && grep -q "a whole program (run --program) has no latency histogram" "$dir/out" &&
    ok "programs: hgrm writes nothing, exits 1 and says a program has no histogram" || fail "programs: hgrm"
python3 "$here/check_export.py" "$p/results.json" "$dir/bmf.json" "$dir/gab-smaller.json" \
    "$dir/gab-bigger.json" "$dir/hgrm" >"$dir/out" 2>&1 && ok "programs: formats as documented" ||
    fail "programs: formats"

finish export.programs
