#!/usr/bin/env bash
# test_compare.sh ALIGNBENCH FIXTURE: `alignbench compare` on results files written by
# compare_fixture with a stated true change and noise (nothing here is a hand-typed expected
# output). Each case checks the exit code and the verdict the case is about.
set -u
ab=$1 fx=$2
. "$(dirname "$0")/../lib.sh"

# check NAME WANT_RC [grep pattern that the output must contain]...
check() {
    local name=$1 want=$2 got=$3 out=$4
    shift 4
    local why=""
    [ "$got" -eq "$want" ] || why="$why; exit $got, expected $want"
    for pat in "$@"; do
        grep -Eq -- "$pat" "$out" || why="$why; output lacks /$pat/"
    done
    if [ -z "$why" ]; then ok "$name"; else bad "$name$why"; sed 's/^/     | /' "$out"; fi
}

run() { # run OUTFILE ARGS...: alignbench compare with stdout+stderr into OUTFILE; the cases
    # below are about ns_per_op (the fixtures give it), so it is named, by its old short name
    # `time` (an alias compare still takes), unless a case names its metrics itself; compare
    # prints the results.json key, ns_per_op; run_default leaves compare's default (cycles_per_op)
    # alone
    local out=$1
    shift
    case " $* " in
    *" --metric "*) "$ab" compare "$@" >"$out" 2>&1 ;;
    *) "$ab" compare "$@" --metric time >"$out" 2>&1 ;;
    esac
}
run_default() {
    local out=$1
    shift
    "$ab" compare "$@" >"$out" 2>&1
}

# A run's default is `cycles` (cycles_per_op, raw): the host may run the core at another clock
# rate during NEW, which moves every ns figure and no cycle count. ns +25% with cycles the same:
# not a regression by default, one on --metric time; cycles +10%: a regression by default.
cyc=jemalloc/rpc@cycles_per_op
ns=jemalloc/rpc@ns_per_op
"$fx" "$dir/bc.json" --seed 31 --cell $cyc=400:2 --cell $ns=100:0.5
"$fx" "$dir/nc.json" --seed 32 --cell $cyc=401:2 --cell $ns=125:0.5
run_default "$dir/oc1" "$dir/bc.json" "$dir/nc.json"
check "host clock slower: ns +25%, cycles same: clean by default" 0 $? "$dir/oc1" \
    "jemalloc/rpc +cycles_per_op .* same" "^0 regression"
run "$dir/oc2" "$dir/bc.json" "$dir/nc.json" --metric time
check "the same on --metric time: a regression" 1 $? "$dir/oc2" "jemalloc/rpc +ns_per_op .*regression"
"$fx" "$dir/nc2.json" --seed 33 --cell $cyc=440:2 --cell $ns=100:0.5
run_default "$dir/oc3" "$dir/bc.json" "$dir/nc2.json"
check "cycles +10%: a regression by default, exit 1" 1 $? "$dir/oc3" \
    "jemalloc/rpc +cycles_per_op .*\+[0-9.]+%.*regression"

# `time` of a run is the raw ns_per_op (allocator plus the replay floor); the net time
# (ns_per_op_net = raw - floor, derived by the fixture per repetition) is shown in ns only.
cell=jemalloc/rpc@ns_per_op
floor=jemalloc/rpc@floor_ns_per_op
# A 10% slowdown of raw ns_per_op with 1% noise, 5 repetitions a side: a regression (exact
# p = 0.0079); the line also shows the net medians (about 10 -> 20 ns).
"$fx" "$dir/b1.json" --seed 1 --cell $cell=100:1 --cell $floor=90:0.5
"$fx" "$dir/n1.json" --seed 2 --cell $cell=110:1 --cell $floor=90:0.5
run "$dir/o1" "$dir/b1.json" "$dir/n1.json" --json "$dir/d1.json"
check "10% slower raw, low noise: regression, exit 1" 1 $? "$dir/o1" \
    "jemalloc/rpc +ns_per_op .*\+10\.[0-9]%.*regression +net [0-9.]+ -> [0-9.]+ ns \(\+[0-9.]+ ns\)" \
    "on the raw figure"
"$fx" --expect "$dir/d1.json" regression=1 same=0 || bad "--json summary"
grep -q '"metric": "ns_per_op_net"' "$dir/d1.json" || bad "--json lacks the net medians"

# The net time moving 33% (3 -> 4 ns) while the raw time moves 1% (100 -> 101 ns, under the 5%
# threshold): not a regression, with the net change shown in ns. The same files compared on
# time_net (the relative change of a small number) call it one.
"$fx" "$dir/b1n.json" --seed 21 --cell $cell=100:0.2 --cell $floor=97:0.1
"$fx" "$dir/n1n.json" --seed 22 --cell $cell=101:0.2 --cell $floor=97:0.1
run "$dir/o1n" "$dir/b1n.json" "$dir/n1n.json" --json "$dir/d1n.json"
check "net +33% but raw +1%: same, exit 0" 0 $? "$dir/o1n" \
    "jemalloc/rpc +ns_per_op .*\+1\.[0-9]%.* same +net [0-9.]+ -> [0-9.]+ ns \(\+[0-9.]+ ns\)" "^0 regression"
"$fx" --expect "$dir/d1n.json" regression=0 same=1 || bad "--json summary (net)"
run "$dir/o1t" "$dir/b1n.json" "$dir/n1n.json" --metric ns_per_op_net
check "the same on ns_per_op_net (its results.json key): a 30%+ regression, exit 1" 1 $? "$dir/o1t" "jemalloc/rpc +ns_per_op_net .*\+3[0-9]\.[0-9]%.*regression"
# time_raw, the raw time's old name, still means time.
run "$dir/o1r" "$dir/b1.json" "$dir/n1.json" --metric time_raw
check "--metric time_raw is time" 1 $? "$dir/o1r" "jemalloc/rpc +ns_per_op .*regression" "^1 regression"

# The same 10% slowdown inside +-40% noise: not significant, not a failure.
# (These cells have no floor, so no net time: the line has no "net" part.)
"$fx" "$dir/b2.json" --seed 3 --cell $cell=100:40
"$fx" "$dir/n2.json" --seed 4 --cell $cell=110:40
run "$dir/o2" "$dir/b2.json" "$dir/n2.json"
check "10% slower inside the noise: not flagged, exit 0" 0 $? "$dir/o2" "0 regression"

# An improvement (10% faster, low noise) is reported and is not a failure.
"$fx" "$dir/n3.json" --seed 5 --cell $cell=90:1
run "$dir/o3" "$dir/b1.json" "$dir/n3.json"
check "10% faster: improvement, exit 0" 0 $? "$dir/o3" "improvement" "0 regression"

# Higher is better for throughput: mops down 10% is a regression, up 10% an improvement.
"$fx" "$dir/b4.json" --seed 6 --cell jemalloc/rpc@mops=50:1
"$fx" "$dir/n4.json" --seed 7 --cell jemalloc/rpc@mops=45:1
run "$dir/o4" "$dir/b4.json" "$dir/n4.json" --metric mops
check "throughput down 10%: regression" 1 $? "$dir/o4" "mops .*regression"
run "$dir/o4b" "$dir/n4.json" "$dir/b4.json" --metric mops
check "throughput up 10%: improvement" 0 $? "$dir/o4b" "mops .*improvement"

# Identical files: every comparison the same, p = 1.
run "$dir/o5" "$dir/b1.json" "$dir/b1.json"
check "identical files: clean, exit 0" 0 $? "$dir/o5" "same" "1\.0000" "0 regression" \
    "net [0-9.]+ -> [0-9.]+ ns \(\+0 ns\)"

# Cells on one side only are listed, not dropped.
"$fx" "$dir/b6.json" --seed 8 --cell $cell=100:1 --cell malloc/il@ns_per_op=80:1
"$fx" "$dir/n6.json" --seed 9 --cell $cell=100:1 --cell mimalloc/simd@ns_per_op=80:1
run "$dir/o6" "$dir/b6.json" "$dir/n6.json"
check "one-sided cells listed" 0 $? "$dir/o6" "only in BASE: malloc/il" "only in NEW: +mimalloc/simd"

# A crashed repetition in NEW fails the gate even with no slowdown.
"$fx" "$dir/n7.json" --seed 10 --cell $cell=100:1 --fail jemalloc/rpc@3
run "$dir/o7" "$dir/b1.json" "$dir/n7.json"
check "crashed repetition in NEW: failed, exit 1" 1 $? "$dir/o7" "failed: NEW has 1 of 5" "crashed"

# Too few repetitions can never be significant: 2+2 with a clear 10% slowdown.
"$fx" "$dir/b8.json" --reps 2 --seed 11 --cell $cell=100:1
"$fx" "$dir/n8.json" --reps 2 --seed 12 --cell $cell=110:1
run "$dir/o8" "$dir/b8.json" "$dir/n8.json"
check "2+2 repetitions: noisy, exit 0, explained" 0 $? "$dir/o8" "too few repetitions" "0\.33"

# Mismatched context is stated at the top.
"$fx" "$dir/n9.json" --seed 2 --host elsewhere --cell $cell=100:1
run "$dir/o9" "$dir/b1.json" "$dir/n9.json"
check "context mismatch stated" 0 $? "$dir/o9" "CONTEXT DIFFERS" "hostname: 'ci-host' -> 'elsewhere'"

# Google Benchmark files (as `micro` writes them) are detected and compared the same way.
g=alloc_free/malloc/size:64/align:64@real_time
"$fx" "$dir/gb.json" --gbench --seed 13 --cell $g=20:1
"$fx" "$dir/gn.json" --gbench --seed 14 --cell $g=23:1
run "$dir/o10" "$dir/gb.json" "$dir/gn.json"
check "gbench JSON: 15% slower is a regression" 1 $? "$dir/o10" "alloc_free/malloc/size:64/align:64 +real_time .*regression$"

# Bad input: exit 2 with a message naming the file and jansson's line and column.
"$fx" "$dir/trunc.json" --truncate --seed 1 --cell $cell=100:1
run "$dir/o11" "$dir/b1.json" "$dir/trunc.json"
check "truncated file: exit 2, names file, line and column" 2 $? "$dir/o11" "trunc\.json: line [0-9]+ column [0-9]+"
echo '{"hello": 1}' >"$dir/other.json"
run "$dir/o12" "$dir/other.json" "$dir/b1.json"
check "unknown kind: exit 2" 2 $? "$dir/o12" "other\.json: neither"
run "$dir/o13" "$dir/b1.json" "$dir/gb.json"
check "mixed kinds: exit 2" 2 $? "$dir/o13" "compare like with like"
run "$dir/o14" "$dir/gb.json" "$dir/gn.json" --metric frag_peak
check "metric absent from the kind: exit 2" 2 $? "$dir/o14" "frag_peak"
# 'all' with another --metric still means every metric the kind has (no cpu_time error), and a
# metric named twice is one row: time (raw +10%) and time_net (10 -> 20 ns) both regress.
run "$dir/o14b" "$dir/b1.json" "$dir/n1.json" --metric time --metric all,time
check "--metric time --metric all: every run metric, exit 1" 1 $? "$dir/o14b" \
    "jemalloc/rpc +ns_per_op .*regression" "jemalloc/rpc +ns_per_op_net .*regression" "^2 regression"
run "$dir/o15" "$dir/b1.json" "$dir/n1.json" --metric nonsense
check "unknown metric: exit 2, lists valid names" 2 $? "$dir/o15" "valid:.*frag_peak"
run "$dir/o16" "$dir/b1.json" "$dir/missing.json"
check "missing file: exit 2" 2 $? "$dir/o16" "missing\.json"

# A run folder is accepted for a results.json inside it.
mkdir -p "$dir/run1" && cp "$dir/b1.json" "$dir/run1/results.json"
run "$dir/o17" "$dir/run1" "$dir/n1.json"
check "run folder accepted" 1 $? "$dir/o17" "run1/results\.json"

# The threshold decides: the 10% slowdown passes a 15% threshold.
run "$dir/o18" "$dir/b1.json" "$dir/n1.json" --threshold 15%
check "--threshold 15% lets 10% through" 0 $? "$dir/o18" "same"

# --format markdown: the summary line first, then the table with the regression row first (the
# improvement and same rows after it), units from the metric table, the net change for times.
"$fx" "$dir/bm.json" --seed 41 --cell malloc/rpc@ns_per_op=100:1 --cell $cell=100:1 --cell $floor=90:0.5 \
    --cell malloc/il@ns_per_op=80:1
"$fx" "$dir/nm.json" --seed 42 --cell malloc/rpc@ns_per_op=90:1 --cell $cell=110:1 --cell $floor=90:0.5 \
    --cell malloc/il@ns_per_op=80:1
unset GITHUB_STEP_SUMMARY
run "$dir/om" "$dir/bm.json" "$dir/nm.json" --format markdown
check "--format markdown: summary, table, regression row first, exit 1" 1 $? "$dir/om" \
    "^\*\*1 regression\*\*, 0 failed, 1 improvement, 1 same — threshold 5 %, alpha 0\.05, Mann-Whitney U over 5 vs 5 repetitions$" \
    "^\| cell \| metric \| base \| new \| change \| detectable \| net change \| p \| verdict \|$" \
    "^\| \`jemalloc/rpc\` \| ns_per_op \| [0-9.]+ ns \| [0-9.]+ ns \| \+[0-9]+\.[0-9]% \| [0-9.]+% \| \+[0-9.]+ ns \| 0\.0079 \| .*\*\*regression\*\* \|$"
grep -m1 '^| `' "$dir/om" | grep -q 'jemalloc/rpc.*regression' ||
    bad "markdown: the regression is not the table's first row"
grep -q "improvement" "$dir/om" && ! grep -q "^BASE " "$dir/om" ||
    bad "markdown: no improvement row, or text output mixed in"
# A failed cell in Markdown: a row of its own with the same eight columns, bold verdict.
run "$dir/omf" "$dir/b1.json" "$dir/n7.json" --format markdown
check "--format markdown: failed row, exit 1" 1 $? "$dir/omf" "^\*\*1 failed\*\*|, \*\*1 failed\*\*" \
    "^\| \`jemalloc/rpc\` \| \(runs\) \| 0 of 5 failed \| 1 of 5 failed \(crashed[^|]*\) \| \| \| \| .*\*\*failed\*\* \|$"
run "$dir/om2" "$dir/bm.json" "$dir/nm.json" --format html
check "--format html: exit 2" 2 $? "$dir/om2" "expected text or markdown"

# GITHUB_STEP_SUMMARY: the Markdown is appended (two runs, two copies) as well as printed; the
# exit code is the comparison's. A summary file that cannot be written is a warning only.
export GITHUB_STEP_SUMMARY="$dir/step_summary.md"
echo "# earlier step" >"$GITHUB_STEP_SUMMARY"
run "$dir/os1" "$dir/bm.json" "$dir/nm.json" --format markdown
rc1=$?
run "$dir/os2" "$dir/bm.json" "$dir/nm.json" --format markdown
check "GITHUB_STEP_SUMMARY: printed too, exit 1" 1 $? "$dir/os2" "^\| cell \| metric"
[ $rc1 -eq 1 ] && [ "$(head -1 "$GITHUB_STEP_SUMMARY")" = "# earlier step" ] &&
    [ "$(grep -c '^| cell | metric' "$GITHUB_STEP_SUMMARY")" -eq 2 ] &&
    [ "$(grep -c '^\*\*1 regression\*\*' "$GITHUB_STEP_SUMMARY")" -eq 2 ] &&
    ok "GITHUB_STEP_SUMMARY appended twice" ||
    { bad "GITHUB_STEP_SUMMARY not appended twice"; sed 's/^/     | /' "$GITHUB_STEP_SUMMARY"; }
run "$dir/os3" "$dir/bm.json" "$dir/nm.json" # text: the summary file is not touched
[ "$(grep -c '^| cell | metric' "$GITHUB_STEP_SUMMARY")" -eq 2 ] ||
    bad "text output appended to GITHUB_STEP_SUMMARY"
GITHUB_STEP_SUMMARY="$dir/no/such/dir/summary.md" run "$dir/os4" "$dir/bm.json" "$dir/bm.json" --format markdown
check "unwritable GITHUB_STEP_SUMMARY: a warning, exit unchanged (0)" 0 $? "$dir/os4" \
    "warning: cannot append to GITHUB_STEP_SUMMARY" "^\*\*0 regressions\*\*|^0 regressions"
unset GITHUB_STEP_SUMMARY

# --within: one run, B against A per workload. jemalloc 20% slower than malloc on rpc, the same
# on il; mimalloc has only il. A report: exit 0, unless --fail-on-regression.
"$fx" "$dir/w.json" --seed 51 --cell malloc/rpc@ns_per_op=100:1 --cell jemalloc/rpc@ns_per_op=120:1 \
    --cell malloc/il@ns_per_op=80:1 --cell jemalloc/il@ns_per_op=80.5:1 --cell mimalloc/il@ns_per_op=60:1
run "$dir/ow1" --within "$dir/w.json" --alloc malloc,jemalloc --json "$dir/dw1.json"
check "--within malloc,jemalloc: rpc regression, il same, exit 0" 0 $? "$dir/ow1" \
    "jemalloc against malloc \(the base\)" "^rpc +ns_per_op .*\+[12][0-9]\.[0-9]%.*regression" "^il +ns_per_op .*same"
"$fx" --expect "$dir/dw1.json" regression=1 same=1 || bad "--within --json summary"
run "$dir/ow2" --within "$dir/w.json" --alloc jemalloc,malloc
check "--within jemalloc,malloc: the same difference is an improvement" 0 $? "$dir/ow2" "^rpc +ns_per_op .*improvement"
run "$dir/ow3" --within "$dir/w.json" --alloc malloc,jemalloc --fail-on-regression --format markdown
check "--within --fail-on-regression --format markdown: exit 1" 1 $? "$dir/ow3" \
    "^\| workload \| metric \| malloc \| jemalloc \| change \| detectable \| p \| verdict \|$" "^\| \`rpc\` \| ns_per_op .*regression"
run "$dir/ow4" --within "$dir/w.json" --alloc malloc,mimalloc
check "--within: workloads of one allocator only are listed" 0 $? "$dir/ow4" "^only with malloc: rpc" "^il +ns_per_op .*improvement"
run "$dir/ow5" --within "$dir/w.json"
check "--within without --alloc: exit 2" 2 $? "$dir/ow5" "--within needs --alloc A,B"
run "$dir/ow6" --within "$dir/w.json" --alloc malloc,tcmalloc
check "--within, allocator absent from the run: exit 2, lists those present" 2 $? "$dir/ow6" \
    "allocator 'tcmalloc' is not in .*w\.json; it has: malloc jemalloc mimalloc"
run "$dir/ow7" "$dir/w.json" "$dir/w.json" --alloc malloc,jemalloc
check "--alloc without --within: exit 2" 2 $? "$dir/ow7" "--alloc needs --within"
run "$dir/ow8" --within "$dir/w.json" --alloc malloc
check "--alloc with one allocator: exit 2" 2 $? "$dir/ow8" "expected two allocators A,B"
run "$dir/ow9" --within "$dir/w.json" --alloc malloc,jemalloc "$dir/w.json"
check "--within with a positional file: exit 2" 2 $? "$dir/ow9" "--within takes one results file"

run "$dir/o19" --help
check "--help" 0 $? "$dir/o19" "usage: alignbench compare" "frag_peak" "--format text\|markdown" \
    "--within RESULTS --alloc A,B" "With --within: 0 .*" \
    "ns_per_op_net \(time_net\) +.*relative change of a small number: noisy"

# The minimum detectable effect (mde): a 3% change within the 5% threshold is "same" only when
# the repetitions could have seen 5%. With 1% noise (mde about 2%) it is same; with 20% noise
# (mde far above 5%) it is unresolved, never same; neither fails the gate.
"$fx" "$dir/bu.json" --seed 61 --cell jemalloc/rpc@ns_per_op=100:1
"$fx" "$dir/nu.json" --seed 62 --cell jemalloc/rpc@ns_per_op=103:1
run "$dir/ou1" "$dir/bu.json" "$dir/nu.json" --json "$dir/du1.json"
check "3% change, 1% noise: same, mde under the threshold" 0 $? "$dir/ou1" \
    "^cell +metric .* mde " "jemalloc/rpc +ns_per_op .*\+[0-9.]+% +[0-9.]+% .* same$"
"$fx" --expect "$dir/du1.json" same=1 unresolved=0 || bad "mde json (same)"
"$fx" "$dir/bu2.json" --seed 63 --cell jemalloc/rpc@ns_per_op=100:20
"$fx" "$dir/nu2.json" --seed 64 --cell jemalloc/rpc@ns_per_op=103:20
run "$dir/ou2" "$dir/bu2.json" "$dir/nu2.json" --json "$dir/du2.json"
check "3% change inside 20% noise: unresolved (mde above 5%), exit 0" 0 $? "$dir/ou2" \
    "jemalloc/rpc +ns_per_op .* unresolved$" "0 same, 1 unresolved"
"$fx" --expect "$dir/du2.json" same=0 unresolved=1 || bad "mde json (unresolved)"
grep -Eq '"mde_pct": ([1-9][0-9]|[5-9])\.' "$dir/du2.json" ||
    bad "mde json: mde_pct is not above 5"
# 2+2 repetitions can reach no p < 0.05: nothing is detectable, mde inf, unresolved.
"$fx" "$dir/bu3.json" --reps 2 --seed 65 --cell jemalloc/rpc@ns_per_op=100:1
"$fx" "$dir/nu3.json" --reps 2 --seed 66 --cell jemalloc/rpc@ns_per_op=101:1
run "$dir/ou3" "$dir/bu3.json" "$dir/nu3.json" --format markdown
check "2+2 repetitions, 1% change: unresolved, detectable inf" 0 $? "$dir/ou3" \
    "^\| \`jemalloc/rpc\` \| ns_per_op \| .* \| inf \| .*unresolved[^|]*\|$"

# Counted runs (run --measure instructions): one repetition a side, counts judged by size against
# their 0.2% default threshold and 0.1% repeatability; instructions_per_op_net is the default metric.
"$fx" "$dir/bc.json" --reps 1 --cell malloc/rpc@instructions_per_op_net=200:0 \
    --cell jemalloc/rpc@instructions_per_op_net=100:0 --cell mimalloc/rpc@instructions_per_op_net=150:0
"$fx" "$dir/nc.json" --reps 1 --cell malloc/rpc@instructions_per_op_net=202:0 \
    --cell jemalloc/rpc@instructions_per_op_net=100.05:0 --cell mimalloc/rpc@instructions_per_op_net=149.5:0
run_default "$dir/oc" "$dir/bc.json" "$dir/nc.json" --json "$dir/dc.json"
check "counts: +1% regression, +0.05% same, -0.33% improvement, exit 1" 1 $? "$dir/oc" \
    "malloc/rpc +instructions_per_op_net .*\+1\.0% +0\.1% +- +regression$" \
    "jemalloc/rpc +instructions_per_op_net .*\+0\.050% +0\.1% +- +same$" \
    "mimalloc/rpc +instructions_per_op_net .*-0\.333% +0\.1% +- +improvement$" "counts: 0\.2%"
"$fx" --expect "$dir/dc.json" regression=1 same=1 improvement=1 || bad "counts json"
! grep -q "too few repetitions" "$dir/oc" || bad "counts: 'too few repetitions' said of counts"
# Below the repeatability: a 0.05% threshold and a 0.08% change is unresolved, not a regression.
"$fx" "$dir/nc2.json" --reps 1 --cell malloc/rpc@instructions_per_op_net=200.16:0
run_default "$dir/oc2" "$dir/bc.json" "$dir/nc2.json" --threshold 0.05
check "counts: 0.08% change under the 0.1% repeatability: unresolved, exit 0" 0 $? "$dir/oc2" \
    "malloc/rpc +instructions_per_op_net .*\+0\.080% .* unresolved$"

finish compare.cli
