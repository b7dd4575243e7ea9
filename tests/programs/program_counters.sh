#!/usr/bin/env bash
# program_counters.sh: a whole program's system calls are counted over its process tree.
# `run --program` runs a shell that starts madvise_calls twice in a row (300 and 200 calls:
# two child processes of the shell, so only counters that follow the tree see both), under
# malloc; the run's sys_madvise must be 500 plus at most a few calls of the loader and the
# probe, with its source named. Where the syscall tracepoints cannot be opened (not root, no
# tracefs) the metric must say "unavailable: why" and the test is skipped (77).
# usage: program_counters.sh ALIGNBENCH PROGRAMS_DIR
set -euo pipefail
alignbench=$1 progs=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$alignbench" run --program "m=$progs/madvise_calls 300; $progs/madvise_calls 200" \
  --alloc malloc --reps 1 --no-plots --quiet --out "$scratch" --run-id c >/dev/null 2>&1 ||
  { echo "program_counters.sh: the run failed"; exit 1; }
python3 - "$scratch/c/results.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
m = run["metrics"]
v = m.get("sys_madvise")
if isinstance(v, str):
    if not v.startswith("unavailable: "):
        sys.exit(f"sys_madvise is {v!r}, neither a count nor a reason")
    print(f"skipped: sys_madvise {v}")
    sys.exit(77)
fails = []
if not isinstance(v, int) or not 500 <= v <= 520:
    fails.append(f"sys_madvise {v}, expected 500 to 520 (300 + 200 in two processes)")
src = run.get("counters", {}).get("sources", {})
if "sys_madvise" not in src:
    fails.append("no source named for sys_madvise")
if not isinstance(m.get("syscalls"), int) or m["syscalls"] < v:
    fails.append(f"syscalls {m.get('syscalls')} below sys_madvise {v}")
for f in fails:
    print("FAIL " + f)
print(f"program tree: sys_madvise {v}, syscalls {m.get('syscalls')} ({src.get('sys_madvise')})")
sys.exit(1 if fails else 0)
PY
