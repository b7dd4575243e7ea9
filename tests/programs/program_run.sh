#!/usr/bin/env bash
# program_run.sh ALIGNBENCH PROGRAMS_DIR SANITIZED: `alignbench run --program` end to end, one
# named check a line (FAIL NAME on failure; tests/lib.sh counts them, exit 1 on any):
# - a test program (bignum_list, small work) and a C++ one under malloc, jemalloc and mimalloc
#   (only malloc when SANITIZED is 1: nothing can be preloaded there) for 2 rounds, with bump
#   in the list: results.json has program cells ("kind": "program") with cpu_ms, user_ms,
#   wall_ms, peak_rss and minor_faults positive, exit_status 0, n_ok 2 (each run's probed clock
#   between 0.5 and 10 GHz, its cpu_mcycles and wall_mcycles the times at it), and per-run records with
#   the command, status ok, the probe's served_by library and every metric; bump is not
#   applicable with the reason; results.csv has the cpu_ms column and a row per run; the
#   programs chart exists and `plot --strict` redraws it without a gnuplot warning (when gnuplot
#   is installed), and report.html names the program;
#   `compare` of the run with itself compares program cells on cpu_mcycles and peak_rss, not
#   cycles_per_op;
# - a program that exits 3 and one that dies of SIGSEGV fail the run (exit 1) with an error
#   naming the program and the status, the log's tail in the error; --program-ok-status 3
#   accepts the exit 3;
# - the probe refuses a command that removes LD_PRELOAD (env -u LD_PRELOAD ...), naming the
#   process and the reason;
# - `run --help` documents --program, and a bad --program is a usage error (exit 2).
set -uo pipefail
ab=$1
progs=$2
sanitized=$3
. "$(dirname "$0")/../lib.sh"
py() { python3 - "$@" >"$dir/out" 2>&1; }

allocs=malloc,jemalloc,mimalloc,bump
want=malloc,jemalloc,mimalloc
[ "$sanitized" = 1 ] && want=malloc

# -- a good run ------------------------------------------------------------------------------
if "$ab" run --program "big=$progs/bignum_list 60" --program "cxx=$progs/cxx_objects 10" \
     --alloc "$allocs" --reps 2 --out "$dir" --run-id good >"$dir/good.out" 2>&1; then
  ok run-ok
else
  cp "$dir/good.out" "$dir/out"
  fail run-ok
fi
if py "$dir/good/results.json" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2].split(",")
progs = {w["name"]: w for w in d["workloads"]}
assert progs["big"]["kind"] == "program" and "bignum_list" in progs["big"]["command"], progs
cells = {(c["allocator"], c["workload"]): c for c in d["cells"]}
for a in want:
    for w in ("big", "cxx"):
        c = cells[(a, w)]
        assert c["kind"] == "program", c
        assert c["n_runs"] == 2 and c["n_ok"] == 2, (a, w, c["n_ok"])
        for m in ("cpu_ms", "user_ms", "wall_ms", "peak_rss", "minor_faults"):
            s = c["metrics"][m]
            assert s["median"] > 0 and s["n"] == 2 and s["ci_lo"] <= s["median"] <= s["ci_hi"], (a, w, m, s)
        assert c["metrics"]["exit_status"]["median"] == 0
na = {(x["allocator"], x["workload"]): x["why"] for x in d["config"]["not_applicable"]}
assert "not a malloc replacement" in na[("bump", "big")], na
assert cells[("bump", "big")].get("not_applicable"), cells[("bump", "big")]
runs = [r for r in d["runs"] if r.get("kind") == "program"]
assert len(runs) == 2 * 2 * len(want), len(runs)
for r in runs:
    assert r["status"] == "ok", r
    assert r["exit_code"] == 0 and r["metrics"]["exit_status"] == 0, r
    assert r["processes"] >= 1 and r["served_by"], r
    lib = "libc.so.6" if r["allocator"] == "malloc" else r["allocator"]
    assert lib in r["served_by"], r
    for m in ("cpu_ms", "user_ms", "sys_ms", "wall_ms", "peak_rss", "minor_faults", "major_faults"):
        assert m in r["metrics"], (m, r)
    # the probe's clock reading: a real core's clock, and the cycles are the times at that clock
    m = r["metrics"]
    assert 0.5 < m["cpu_ghz"] < 10, m["cpu_ghz"]
    assert abs(m["cpu_mcycles"] - m["cpu_ms"] * m["cpu_ghz"]) <= 1e-6 * m["cpu_mcycles"], m
    assert abs(m["wall_mcycles"] - m["wall_ms"] * m["cpu_ghz"]) <= 1e-6 * m["wall_mcycles"], m
PY
then ok results-json; else fail results-json; fi
if head -1 "$dir/good/results.csv" | grep -q ",cpu_ms," &&
   [ "$(grep -c ',big,' "$dir/good/results.csv")" -ge 2 ]; then
  ok results-csv
else
  fail results-csv
fi
if grep -q "cpu_ms \[interval\] cpu_mcycles" "$dir/good.out" && grep -q "workload big" "$dir/good.out"; then
  ok console-summary
else
  fail console-summary
fi
if command -v gnuplot >/dev/null; then
  if [ -s "$dir/good/charts/programs.png" ] && [ -s "$dir/good/charts/programs.dat" ] &&
     "$ab" plot --strict "$dir/good" >"$dir/out" 2>&1 && [ -s "$dir/good/charts/programs.svg" ]; then
    ok chart
  else
    fail chart
  fi
else
  echo "skip chart: gnuplot is not installed"
fi
if grep -q "big (a whole program" "$dir/good/report.html" && grep -q "cpu_ms" "$dir/good/report.html"; then
  ok report
else
  fail report
fi

"$ab" compare "$dir/good" "$dir/good" >"$dir/out" 2>&1
if grep -Eq "^malloc/big +cpu_mcycles " "$dir/out" && grep -Eq "^malloc/big +peak_rss " "$dir/out" &&
   ! grep -Eq "^malloc/big +cycles_per_op " "$dir/out"; then
  ok compare-defaults
else
  fail compare-defaults
fi

# -- failures --------------------------------------------------------------------------------
"$ab" run --program "bad=$progs/misbehave exit 3" --program "seg=$progs/misbehave segv" \
  --program "big=$progs/bignum_list 10" --alloc malloc --reps 1 --no-plots --out "$dir" \
  --run-id fails >"$dir/out" 2>&1
rc=$?
if [ "$rc" = 1 ] &&
   grep -q "program bad exited with status 3; last output: misbehave: exit" "$dir/out" &&
   grep -q "program seg was killed by signal 11 (Segmentation fault)" "$dir/out" &&
   grep -q "2 program runs did not finish ok" "$dir/out"; then
  ok fail-and-crash
else
  echo "exit status $rc"
  fail fail-and-crash
fi
if py "$dir/fails/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = {r["workload"]: r for r in d["runs"]}
assert st["bad"]["status"] == "failed" and st["bad"]["exit_code"] == 3, st["bad"]
assert st["bad"]["metrics"]["exit_status"] == 3
assert st["seg"]["status"] == "crashed" and st["seg"]["signal"] == 11, st["seg"]
assert st["big"]["status"] == "ok", st["big"]
PY
then ok fail-records; else fail fail-records; fi
if "$ab" run --program "bad=$progs/misbehave exit 3" --program-ok-status 3 --alloc malloc \
     --reps 1 --no-plots --quiet --out "$dir" --run-id okstatus >"$dir/out" 2>&1; then
  ok ok-status
else
  fail ok-status
fi

# -- the probe -------------------------------------------------------------------------------
"$ab" run --program "nopre=env -u LD_PRELOAD $progs/bignum_list 10" --alloc malloc --reps 1 \
  --no-plots --out "$dir" --run-id probe >"$dir/out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "refused: process [0-9]* (/usr/bin/env) loaded glibc's libc.so.6 but then ran a program that did not load it" "$dir/out"; then
  ok probe-mismatch
else
  echo "exit status $rc"
  fail probe-mismatch
fi

# -- options ---------------------------------------------------------------------------------
"$ab" run --help >"$dir/help" 2>&1 # not piped into grep -q: with pipefail, an early grep exit
                                   # would fail the pipeline by SIGPIPE now and then
if grep -q -- "--program NAME=CMD" "$dir/help" && grep -q -- "--program-ok-status" "$dir/help"; then
  ok help
else
  fail help
fi
"$ab" run --program "no command" --out "$dir" >"$dir/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q -- "--program wants NAME=COMMAND" "$dir/out"; then
  ok bad-option
else
  fail bad-option
fi

finish "programs.run"
