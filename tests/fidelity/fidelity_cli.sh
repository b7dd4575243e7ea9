#!/bin/sh
# fidelity_cli.sh ALIGNBENCH PROGRAMS_DIR SANITIZED: `alignbench fidelity` end to end on a small
# allocation-bound program, two allocators, two rounds:
# - it records the program (one trace per process, each valid), runs the traces and the program
#   in one run, and prints the comparison;
# - results.json gets "fidelity": the program, its traces (workloads of the run with ops), the
#   basis and unit, per allocator a predicted and a measured time saved with intervals and a
#   verdict, the rankings; report.html gets its section;
# - bad usage exits 2, a program that fails while recorded exits 1 naming it, an existing run
#   folder is refused.
# In a sanitizer build jemalloc cannot be preloaded; the second allocator is then glibc's malloc
# without its thread cache (a variant), which is a different allocator for the program too.
ab=$1
progs=$2
sanitized=$3
. "$(dirname "$0")/../lib.sh"

second=jemalloc
spec=malloc,jemalloc
if [ "$sanitized" = 1 ]; then
  second=notc
  spec="malloc,notc=malloc:GLIBC_TUNABLES=glibc.malloc.tcache_count=0"
fi

if "$ab" fidelity --program "big=$progs/bignum_list 20" --alloc "$spec" --reps 2 --out "$dir" \
     --run-id f >"$dir/out" 2>&1; then
  ok fidelity-runs
else
  fail fidelity-runs
fi
grep -q "replay against the whole program" "$dir/out" && grep -q "^big: " "$dir/out" &&
  grep -Eq "^  $second +.*(agrees|within noise|differs)$" "$dir/out" && ok console || fail console

n=0
for t in "$dir"/f/recorded/big-*.abt; do
  [ -f "$t" ] || continue
  n=$((n+1))
  "$ab" trace check "$t" >/dev/null 2>&1 || fail "trace-valid $t"
done
[ "$n" -ge 1 ] && ok "recorded $n trace(s)" || fail recorded

if python3 - "$dir/f/run/results.json" "$second" >"$dir/py.out" 2>&1 <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
f = d["fidelity"]
assert f["tolerance"] == 0.35 and f["pairs"] == 1, f
p = f["programs"][0]
assert p["program"] == "big" and p["baseline"] == "malloc", p
assert p["basis"] in ("cpu_mcycles", "cpu_ms") and p["unit"] in ("Mcycles", "ms"), p
wl = {w["name"]: w for w in d["workloads"]}
assert p["traces"] and all(t in wl and wl[t]["ops"] > 0 for t in p["traces"]), p["traces"]
assert p["ops"] == sum(wl[t]["ops"] for t in p["traces"]), p["ops"]
# the program itself was recorded, not only the shell that exec'd it: bignum_list 20 makes
# 88 693 calls (the shell's trace has a few dozen)
assert p["ops"] > 80000, ("the program's own trace is missing", p["traces"], p["ops"])
assert [v["allocator"] for v in p["versus"]] == [sys.argv[2]], p["versus"]
v = p["versus"][0]
for k in ("predicted_saved", "measured_saved"):
    s = v[k]
    assert s["n"] == 2 and s["ci_lo"] <= s["median"] <= s["ci_hi"], (k, s)
assert v["verdict"] in ("agrees", "within noise", "differs"), v
assert v["agrees"] == (v["verdict"] == "agrees"), v
assert sorted(p["ranking_predicted"]) == sorted(p["ranking_measured"]) == sorted(["malloc", sys.argv[2]])
assert p["baseline_time"]["median"] > 0 and p["replay_time"]["median"] > 0, p
PY
then ok results-json; else cat "$dir/py.out"; fail results-json; fi
grep -q 'id=fidelity' "$dir/f/run/report.html" && ok report || fail report

# -- refusals ---------------------------------------------------------------------------------
"$ab" fidelity >"$dir/out" 2>&1; [ $? = 2 ] && grep -q -- "--program" "$dir/out" && ok no-program ||
  fail no-program
"$ab" fidelity --program 'a b=true' >"$dir/out" 2>&1; [ $? = 2 ] && ok bad-name || fail bad-name
"$ab" fidelity --program "big=true" --out "$dir" --run-id f >"$dir/out" 2>&1
[ $? = 2 ] && grep -q "exists" "$dir/out" && ok existing-run || fail existing-run
"$ab" fidelity --program "bad=$progs/misbehave exit 3" --alloc "$spec" --reps 2 --out "$dir" \
  --run-id g >"$dir/out" 2>&1
[ $? = 1 ] && grep -q "recording 'bad' failed" "$dir/out" && ok failing-program ||
  fail failing-program
"$ab" fidelity --help | grep -q "predicted time saved" && ok help || fail help

finish "fidelity.cli"
