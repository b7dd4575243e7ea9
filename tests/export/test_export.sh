#!/usr/bin/env bash
# test_export.sh ALIGNBENCH: a tiny real run (malloc and bump on rpc, 3 repetitions), exported
# to every format of `alignbench export` and checked by check_export.py against the consumers'
# documented formats and the results.json; then the command's error paths.
set -u
ab=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"

"$ab" run --alloc malloc,bump --workload rpc --scale 0.02 --reps 3 --no-plots --quiet \
    --run-id r --out "$dir" >"$dir/run.out" 2>&1 || { cat "$dir/run.out"; echo "FAIL run"; exit 1; }
run=$dir/r
"$ab" export --to bmf "$run" -o "$dir/bmf.json" && ok "bmf" || bad "bmf"
"$ab" export --to bmf "$run/results.json" >"$dir/bmf-stdout.json" &&
    cmp -s "$dir/bmf.json" "$dir/bmf-stdout.json" && ok "bmf to stdout, from results.json" ||
    bad "bmf to stdout"
"$ab" export --to github-action-benchmark "$run" -o "$dir/gab" && ok "github-action-benchmark" ||
    bad "github-action-benchmark"
"$ab" export --to github-action-benchmark --direction bigger "$run" >"$dir/big.json" &&
    cmp -s "$dir/big.json" "$dir/gab-bigger.json" && ok "--direction bigger to stdout" ||
    bad "--direction bigger"
"$ab" export --to hgrm "$run" -o "$dir/hgrm" 2>/dev/null && ok "hgrm" || bad "hgrm"
"$ab" export --to hgrm "$run" 2>/dev/null && [ -n "$(ls "$run/hgrm")" ] &&
    ok "hgrm default folder RUN/hgrm" || bad "hgrm default folder"
python3 "$here/check_export.py" "$run/results.json" "$dir/bmf.json" "$dir/gab-smaller.json" \
    "$dir/gab-bigger.json" "$dir/hgrm" && ok "formats as documented" || bad "formats"

# A cell with no ok run, a missing metric and a NaN-free guarantee: bump's cell made not ok,
# malloc's alloc_p99 removed.
python3 - "$run/results.json" "$dir/edited.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cells"]:
    if c["allocator"] == "bump":
        c["n_ok"] = 0
    else:
        c["metrics"].pop("alloc_p99", None)
json.dump(d, open(sys.argv[2], "w"))
PY
"$ab" export --to bmf "$dir/edited.json" -o "$dir/e.json" &&
    python3 -c "
import json, sys
d = json.load(open('$dir/e.json'))
assert list(d) == ['malloc/rpc'], list(d)
assert 'alloc_p99' not in d['malloc/rpc'] and 'ns_per_op' in d['malloc/rpc']
" && ok "cells without ok runs and missing metrics are left out" || bad "left out"
grep -qi nan "$dir"/*.json && bad "NaN written" || ok "no NaN anywhere"

"$ab" export --to csv "$run" >"$dir/o" 2>&1; [ $? -eq 2 ] && ok "unknown format: exit 2" || bad "unknown format"
"$ab" export --to bmf >"$dir/o" 2>&1; [ $? -eq 2 ] && ok "no RESULTS: exit 2" || bad "no RESULTS"
"$ab" export --to github-action-benchmark "$run" >"$dir/o" 2>&1
[ $? -eq 2 ] && ok "github-action-benchmark without -o or --direction: exit 2" || bad "gab usage"
"$ab" export --to bmf "$dir/nothing" >"$dir/o" 2>&1; [ $? -eq 2 ] && ok "missing RESULTS: exit 2" || bad "missing"
echo '{"schema": "other"}' >"$dir/other.json"
"$ab" export --to bmf "$dir/other.json" >"$dir/o" 2>&1; [ $? -eq 2 ] && ok "not a results file: exit 2" || bad "other schema"
"$ab" export --help | grep -q "usage: alignbench export" && ok "--help" || bad "--help"

finish export.formats
