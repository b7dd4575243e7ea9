#!/usr/bin/env bash
# test_vocabulary.sh ALIGNBENCH BIGNUM_LIST: one small run (malloc and bump on rpc, and a whole
# program, 2 repetitions), then compare (text, Markdown, JSON, every metric) and export (bmf,
# github-action-benchmark, hgrm) of it, and check_vocabulary.py checks that they and the console
# name cells and metrics as results.json does (results/README.md, "Names"). Then: --metric takes
# the results.json keys and the old short names alike, and prints the keys.
set -u
ab=$1
big=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"

"$ab" run --alloc malloc,bump --workload rpc --scale 0.02 --program "big=$big 20" --reps 2 \
    --no-plots --run-id r --out "$dir" >"$dir/console" 2>"$dir/out" || die "run: $(tail -5 "$dir/out")"
r=$dir/r
"$ab" compare "$r" "$r" --metric all --json "$dir/c.json" >"$dir/c.txt" 2>&1 || die "compare: $(tail -5 "$dir/c.txt")"
"$ab" compare "$r" "$r" --metric all --format markdown >"$dir/c.md" 2>&1 || die "compare markdown"
"$ab" export --to bmf "$r" -o "$dir/bmf.json" 2>"$dir/out" || die "export bmf: $(cat "$dir/out")"
"$ab" export --to github-action-benchmark "$r" -o "$dir/gab" 2>"$dir/out" || die "export gab: $(cat "$dir/out")"
"$ab" export --to hgrm "$r" -o "$dir/hgrm" 2>"$dir/out" || die "export hgrm: $(cat "$dir/out")"

python3 "$here/check_vocabulary.py" "$r" "$dir/console" "$dir/c.txt" "$dir/c.md" "$dir/c.json" \
    "$dir/bmf.json" "$dir/gab" "$dir/hgrm" >"$dir/out" 2>&1 &&
    ok "compare, export and the console name cells and metrics as results.json does" ||
    fail "names differ from results.json's"

# An old short name and the key are the same metric, printed by its key.
"$ab" compare "$r" "$r" --metric cycles >"$dir/old.txt" 2>&1
"$ab" compare "$r" "$r" --metric cycles_per_op >"$dir/new.txt" 2>&1
grep -Eq "^malloc/rpc +cycles_per_op " "$dir/new.txt" && cmp -s "$dir/old.txt" "$dir/new.txt" &&
    ok "--metric cycles (old name) and cycles_per_op (key) give the same output, naming the key" ||
    { cp "$dir/old.txt" "$dir/out"; fail "--metric cycles vs cycles_per_op"; }
"$ab" compare "$r" "$r" --metric cpu_cycles,cpu_mcycles >"$dir/out" 2>&1
[ "$(grep -Ec '^malloc/big +cpu_mcycles ' "$dir/out")" = 1 ] &&
    ok "an old name and its key given together are one row" || fail "cpu_cycles,cpu_mcycles"

finish compare.vocabulary
