#!/usr/bin/env bash
# test_filter_list.sh ALIGNBENCH: `run --list` and `run --filter REGEX` (cell_filter.h).
#   --list prints one ALLOC/WORKLOAD a line, says the not-applicable cells on stderr, and leaves
#   nothing behind (no output folder, no temporary folder);
#   --filter keeps the cells whose name matches (searched, extended regex), in --list and in a
#   real run, whose runs[] and cells[] hold exactly the listed cells and whose config records it;
#   a filter that keeps no cell or is not a regular expression is a usage error (exit 2) that
#   creates nothing.
set -u
ab=$1
. "$(dirname "$0")/../lib.sh"
mkdir "$dir/tmp"
export TMPDIR=$dir/tmp
common=(--alloc malloc,bump --scale 0.02 --out "$dir/out")

# --list: bump cannot serve simd (frees without scopes: not applicable), so three cells.
"$ab" run --list "${common[@]}" --workload rpc,simd >"$dir/list" 2>"$dir/list.err"
rc=$?
[ $rc -eq 0 ] && ok "--list exits 0" || bad "--list exit $rc: $(cat "$dir/list.err")"
printf 'malloc/rpc\nbump/rpc\nmalloc/simd\n' | sort >"$dir/want"
sort "$dir/list" | cmp -s - "$dir/want" && ok "--list prints the three runnable cells" ||
  bad "--list printed: $(tr '\n' ' ' <"$dir/list")"
grep -q '^alignbench run: not applicable: bump/simd: it returns memory only' "$dir/list.err" &&
  ok "--list says why bump/simd is left out" || bad "--list stderr: $(cat "$dir/list.err")"
[ ! -e "$dir/out" ] && ok "--list creates no output folder" || bad "--list created $dir/out"
[ -z "$(ls -A "$dir/tmp")" ] && ok "--list leaves no temporary folder" ||
  bad "--list left $(ls -A "$dir/tmp")"

# --filter in --list: searched anywhere in the name; ^ anchors.
"$ab" run --list "${common[@]}" --workload rpc,il --filter 'malloc/(rpc|il)$' >"$dir/l2" 2>/dev/null
printf 'malloc/il\nmalloc/rpc\n' >"$dir/want2"
sort "$dir/l2" | cmp -s - "$dir/want2" && ok "--filter 'malloc/(rpc|il)\$' keeps malloc's cells" ||
  bad "--filter listed: $(tr '\n' ' ' <"$dir/l2")"
"$ab" run --list --alloc malloc,bump --workload rpc --threads 1,2 --filter 't2$' >"$dir/l3" 2>/dev/null
printf 'bump/rpc-t2\nmalloc/rpc-t2\n' >"$dir/want3"
sort "$dir/l3" | cmp -s - "$dir/want3" && ok "--filter sees the thread-count names (rpc-t2)" ||
  bad "--filter with --threads listed: $(tr '\n' ' ' <"$dir/l3")"

# A real run with a filter that leaves holes in the allocator x workload table.
filter='^malloc/rpc$|^bump/il$'
"$ab" run --list "${common[@]}" --workload rpc,il --filter "$filter" 2>/dev/null | sort >"$dir/l4"
"$ab" run "${common[@]}" --workload rpc,il,simd --filter "$filter" --reps 2 --run-id f --quiet \
  >"$dir/run.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "a filtered run exits 0" || bad "filtered run exit $rc: $(tail -3 "$dir/run.out")"
res=$dir/out/f/results.json
python3 - "$res" "$dir/l4" "$filter" <<'PY' && ok "runs[] and cells[] are the listed cells; config.filter" || bad "filtered results"
import json, sys
res = json.load(open(sys.argv[1]))
listed = set(open(sys.argv[2]).read().split())
runs = {f"{r['allocator']}/{r['workload']}" for r in res["runs"]}
cells = {f"{c['allocator']}/{c['workload']}" for c in res["cells"]}
cfg = res["config"]
problems = []
if listed != {"malloc/rpc", "bump/il"}:
    problems.append(f"list {sorted(listed)}")
if runs != listed or cells != listed:
    problems.append(f"runs {sorted(runs)} cells {sorted(cells)}")
if cfg.get("filter") != sys.argv[3]:
    problems.append(f"config.filter {cfg.get('filter')!r}")
if sorted(cfg["workloads"]) != ["il", "rpc"] or sorted(cfg["allocators"]) != ["bump", "malloc"]:
    problems.append(f"config workloads {cfg['workloads']} allocators {cfg['allocators']}")
if any(r["status"] != "ok" for r in res["runs"]):
    problems.append("a run is not ok")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
"$ab" plot --strict "$dir/out/f" >"$dir/plot.out" 2>&1 && ok "its charts draw without a gnuplot warning" ||
  bad "plot --strict on the filtered run: $(tail -3 "$dir/plot.out")"
[ ! -e "$dir/out/f/traces/simd.abtrace" ] && ok "a workload the filter leaves out is not generated" ||
  bad "simd was generated though no cell of it runs"

# Usage errors: nothing created.
"$ab" run "${common[@]}" --workload rpc --filter 'zzz' --run-id z >"$dir/z.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "filter 'zzz' keeps none" "$dir/z.out" && [ ! -e "$dir/out/z" ] &&
  ok "a filter keeping no cell: exit 2, says so, no run folder" || bad "no-match filter: rc $rc, $(cat "$dir/z.out")"
"$ab" run "${common[@]}" --workload rpc --filter '(' --run-id p >"$dir/p.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q -- "--filter: '(' is not a regular expression" "$dir/p.out" &&
  [ ! -e "$dir/out/p" ] && ok "a bad regex: exit 2, named, no run folder" ||
  bad "bad regex: rc $rc, $(cat "$dir/p.out")"

finish run.filter_list
