#!/usr/bin/env bash
# test_micro_json.sh ALIGNBENCH CHECKER: a tiny `alignbench micro` run on malloc, checked by
# check_micro_json (names, repetitions, context, counters), then read back by
# `alignbench compare` (a file against itself is clean), plus the command's error paths.
set -u
ab=$1 chk=$2
. "$(dirname "$0")/../lib.sh"

names=(alloc_free/malloc/size:64/align:8 alloc_free/malloc/size:64/align:4096
       live_free/malloc/size:64/n:1000 realloc_grow/malloc/from:16/to:65536)
filter="^($(IFS='|'; echo "${names[*]}"))\$"
if "$ab" micro --quick --alloc malloc --filter "$filter" --reps 2 --min-time 0.002 --quiet \
        -o "$dir/m.json" >"$dir/out" 2>&1; then
    ok "micro --quick on malloc exits 0"
else
    bad "micro --quick on malloc failed"; cat "$dir/out"
fi
"$chk" "$dir/m.json" 2 "${names[@]}" && ok "micro JSON as expected" || bad "micro JSON"
# Two interleaved rounds of one repetition each: renumbered, aggregates recomputed.
if "$ab" micro --quick --alloc malloc --filter "$filter" --rounds 2 --reps 1 --min-time 0.002 \
        --quiet -o "$dir/r.json" >"$dir/out" 2>&1; then
    ok "micro --rounds 2 --reps 1 exits 0"
else
    bad "micro --rounds 2 failed"; cat "$dir/out"
fi
"$chk" "$dir/r.json" 2 "${names[@]}" && ok "rounds merged as repetitions" || bad "rounds JSON"
"$ab" micro --rounds 0 >"$dir/out5" 2>&1
[ $? -eq 2 ] && ok "--rounds 0: exit 2" || bad "--rounds 0"
ls "$dir" | grep -q part && bad "a child's part file was left behind" || ok "no part files left"

"$ab" compare "$dir/m.json" "$dir/m.json" >"$dir/cmp" 2>&1
rc=$?
# two repetitions a side can never reach p < 0.05, so even a file against itself is not "same"
# but "unresolved (too few repetitions)", and that is no regression: exit 0
[ $rc -eq 0 ] && grep -q "alloc_free/malloc/size:64/align:8 .*+0.000%.*unresolved (too few repetitions)" "$dir/cmp" &&
    ! grep -q " same$" "$dir/cmp" &&
    ok "compare reads the micro file (itself, 2 repetitions: unresolved, exit 0)" || { bad "compare on micro file (exit $rc)"; cat "$dir/cmp"; }

"$ab" micro --alloc malloc --filter '^no_such_benchmark$' --quiet -o "$dir/none.json" >"$dir/out2" 2>&1
rc=$?
[ $rc -eq 1 ] && [ ! -e "$dir/none.json" ] && ok "a filter matching nothing: exit 1, no file" ||
    { bad "filter matching nothing (exit $rc)"; cat "$dir/out2"; }

"$ab" micro --reps 0 >"$dir/out3" 2>&1
[ $? -eq 2 ] && grep -q -- "--reps" "$dir/out3" && ok "--reps 0: exit 2" || bad "--reps 0"
"$ab" micro --alloc no_such_allocator -o "$dir/x.json" >"$dir/out4" 2>&1
[ $? -eq 2 ] && ok "unknown allocator: exit 2" || { bad "unknown allocator"; cat "$dir/out4"; }
"$ab" micro --help | grep -q "usage: alignbench micro" && ok "--help" || bad "--help"

finish micro.json
