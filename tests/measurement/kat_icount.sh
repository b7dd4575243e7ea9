#!/usr/bin/env bash
# kat_icount.sh ALIGNBENCH PLUGIN: the known answer of `run --measure instructions`.
#
# PLUGIN is kat_plugin.c built with KAT_MODE=KAT_INSNS: glibc's malloc behind entry points that
# each run a loop of AB_KAT_N instructions (AB_KAT_N / 2 iterations of dec + jnz). The base run
# has AB_KAT_N=2 (one iteration, so the loop's set-up is in both runs) and the new run
# AB_KAT_N=2+2K: exactly 2K more instructions per call, K chosen so that it adds about 1 % to the
# net instructions on rpc. Both are counted runs of the three generated workloads; the number of calls the counted replay makes
# to the plug-in is worked out here from each trace (text form: every alloc, free and realloc, two
# calls for a realloc the harness does as alloc + copy + free, and one free per block a reset
# releases), so the expected change of instructions_per_op_net is 2K * calls / timed ops.
# Asserted: compare calls every cell a regression (exit 1) with a change within 2 % of that, and
# two counted runs of the same build agree within 0.1 % on every cell (compare exit 0, all same).
# Skipped (77) in a sanitizer build (valgrind cannot run it) and without valgrind.
set -u
ab=$(realpath "$1") plugin=$(realpath "$2")
if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    echo "SKIP: a sanitizer build cannot run under valgrind (nor preload a malloc plug-in)"
    exit 77
fi
if ! command -v valgrind >/dev/null; then
    echo "SKIP: valgrind is not installed (apt-get install valgrind)"
    exit 77
fi
. "$(dirname "$0")/../lib.sh"
work=$dir
SCALE=0.005
run() { # run ID K: a counted run of the plug-in adding 2K instructions per call (AB_KAT_N=2+2K)
    "$ab" run --measure instructions --counter callgrind --alloc "kat=$plugin:AB_KAT_N=$((2 + 2 * $2))" \
        --workload rpc,il,simd --scale $SCALE --out "$work" --run-id "$1" --no-plots --quiet \
        >"$work/$1.log" 2>&1 || { bad "run $1 (K=$2): exit $?: $(tail -5 "$work/$1.log")"; return 1; }
}

run base 0 || finish measurement.kat_icount
for w in rpc il simd; do
    "$ab" trace convert "$work/base/traces/$w.abtrace" "$work/$w.txt" >/dev/null 2>&1 ||
        bad "trace convert $w"
done

# calls.py DIR: for each workload, the plug-in calls of one replay and its timed ops.
cat >"$work/calls.py" <<'EOF'
import json, sys
PLAIN = {"malloc", "new", "calloc"}  # the plain route: no alignment, realloc is the library's
PLAIN_ALIGN = 8                      # a plug-in's: larger ones are posix_memalign'd
out = {}
for w in ("rpc", "il", "simd"):
    live, calls, timed = {}, 0, 0
    for line in open(f"{sys.argv[1]}/{w}.txt"):
        f = line.split()
        if not f or f[0].startswith("#") or f[0] == "mark":
            continue
        timed += 1
        if f[0] == "alloc":
            scope = next((int(x[6:]) for x in f if x.startswith("scope=")), 0)
            aligned = f[-1] not in PLAIN and int(f[3]) > PLAIN_ALIGN
            live[int(f[1])] = (scope, aligned)
            calls += 1
        elif f[0] == "free":
            live.pop(int(f[1]))
            calls += 1
        elif f[0] == "realloc":
            calls += 2 if live[int(f[1])][1] else 1
        elif f[0] == "reset":
            gone = [i for i, (s, _) in live.items() if s == int(f[1])]
            calls += len(gone)
            for i in gone:
                del live[i]
    out[w] = {"calls": calls, "timed": timed}
print(json.dumps(out))
EOF
python3 "$work/calls.py" "$work" >"$work/calls.json" || bad "counting the calls"

# K: about 1 % of the net instructions per op on rpc (at least 1).
K=$(python3 - "$work" <<'EOF'
import json, sys
d = sys.argv[1]
calls = json.load(open(f"{d}/calls.json"))
res = json.load(open(f"{d}/base/results.json"))
net = next(r["metrics"]["instructions_per_op_net"] for r in res["runs"] if r["workload"] == "rpc")
c = calls["rpc"]["calls"] / calls["rpc"]["timed"]
print(max(1, round(0.01 * net / (2 * c))))
EOF
)
echo "K = $K (2K = $((2 * K)) instructions per call)"
run new "$K" || finish measurement.kat_icount

"$ab" compare "$work/base" "$work/new" --json "$work/cmp.json" >"$work/cmp.txt" 2>&1
rc=$?
cat "$work/cmp.txt"
[ $rc -eq 1 ] || bad "compare base new: exit $rc, expected 1 (a regression)"
python3 - "$work" "$K" <<'EOF' || failures=$((failures + 1))
import json, sys
d, K = sys.argv[1], int(sys.argv[2])
calls = json.load(open(f"{d}/calls.json"))
cmp = json.load(open(f"{d}/cmp.json"))
bad = 0
rows = [r for r in cmp["rows"] if r["metric"] == "instructions_per_op_net"]
if len(rows) != 3:
    print(f"FAIL expected 3 instructions_per_op_net rows, got {len(rows)}"); sys.exit(1)
for r in rows:
    w = r["workload"]
    c = calls[w]["calls"] / calls[w]["timed"]
    base, new = r["base"]["median"], r["new"]["median"]
    want = 2 * K * c
    got = new - base
    err = abs(got - want) / want
    verdict = "ok  " if r["verdict"] == "regression" and err <= 0.02 else "FAIL"
    print(f"{verdict} {w}: net {base:.3f} -> {new:.3f} instr/op ({r['change_pct']:+.3f} %), "
          f"added {got:.4f}, expected 2K x calls/op = {want:.4f} ({err * 100:.2f} % off), "
          f"{r['verdict']}")
    bad += verdict == "FAIL"
sys.exit(1 if bad else 0)
EOF

# Repeatability: the base again, compared with the first: every cell within 0.1 %, all same.
run again 0 || finish measurement.kat_icount
"$ab" compare "$work/base" "$work/again" --json "$work/aa.json" >"$work/aa.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || { bad "compare base again: exit $rc, expected 0"; cat "$work/aa.txt"; }
python3 - "$work/aa.json" <<'EOF' || failures=$((failures + 1))
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
bad = [r for r in rows if r["verdict"] != "same" or abs(r["change_pct"]) > 0.1]
for r in rows:
    print(f"{'FAIL' if r in bad else 'ok  '} repeat {r['cell']}: {r['change_pct']:+.4f} % {r['verdict']}")
sys.exit(1 if bad or not rows else 0)
EOF

finish measurement.kat_icount
