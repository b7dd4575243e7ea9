#!/usr/bin/env bash
# threads_cli.sh ALIGNBENCH RUNNER RECORD_STRESS SANITIZED: threads end to end, one named check a
# line:
# - a recorded multi-threaded program (record_stress: 4 threads freeing each other's blocks)
#   replays with its threads in the runner (thread_stats.count is the trace's thread count);
# - the runner refuses to replay a threaded trace on bump without --threads N, naming the fix,
#   and replays it with --threads N;
# - `alignbench run --threads 1,2` runs every workload at 1 and 2 threads on every allocator
#   (jemalloc and mimalloc only when SANITIZED is 0: they cannot be preloaded into a sanitized
#   runner), every run ok, runs and cells carry `threads`, the 2-thread runs carry per-thread
#   numbers that add up and end with nothing live (the generators release everything: the
#   threaded replay's final state, on every allocator), and the charts include the scaling chart
#   (when gnuplot is installed).
set -uo pipefail
ab=$1
runner=$2
stress=$3
sanitized=$4
. "$(dirname "$0")/../lib.sh"
py() { python3 - "$@" >"$dir/out" 2>&1; }

# -- a recorded threaded program replays with its threads ---------------------------------
if [ "$sanitized" = 1 ]; then
  echo "skip record-replay: the recorder is preloaded, which a sanitizer build does not support"
elif "$ab" record -o "$dir/stress.abt" -- "$stress" >"$dir/out" 2>&1; then
  threads=$("$ab" trace stats "$dir/stress.abt" | awk '$1 == "threads" { print $2 }')
  if [ "${threads:-0}" -ge 2 ]; then ok "record-threads ($threads)"; else fail record-threads; fi
  if "$runner" replay --alloc malloc --trace "$dir/stress.abt" --out "$dir/stress.json" \
       --calib-ms 5 --batch-reps 1 >"$dir/out" 2>&1 &&
     py "$dir/stress.json" "$threads" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["thread_stats"]
assert t["count"] == int(sys.argv[2]), t["count"]
assert all(p["ops"] > 0 for p in t["per_thread"]), t
assert d["metrics"]["threads"] == int(sys.argv[2])
PY
  then ok record-replay-threads; else fail record-replay-threads; fi
else
  fail record-stress
fi

# -- bump needs its locking for a threaded trace ---------------------------------------------
"$ab" gen il --threads 2 --scale 0.002 -o "$dir/il2.abt" >"$dir/out" 2>&1 || fail gen-il-2
if "$runner" replay --alloc bump --trace "$dir/il2.abt" --out "$dir/b.json" >"$dir/out" 2>&1; then
  fail bump-unlocked-refused
elif grep -q "not thread-safe.*--threads 2" "$dir/out"; then
  ok bump-unlocked-refused
else
  fail bump-unlocked-refused-says-why
fi
if "$runner" replay --threads 2 --alloc bump --trace "$dir/il2.abt" --out "$dir/b.json" \
     --calib-ms 5 --batch-reps 1 >"$dir/out" 2>&1; then
  ok bump-locked-replays
else
  fail bump-locked-replays
fi

# -- alignbench run --threads 1,2 ------------------------------------------------------------
allocs=malloc,aligned_malloc,bump,rpcss
if [ "$sanitized" = 1 ]; then
  echo "skip jemalloc, mimalloc: they cannot be preloaded into a sanitized runner"
else
  for a in jemalloc mimalloc; do
    if "$ab" list 2>/dev/null | grep -q "^ *$a .*yes"; then allocs=$allocs,$a; fi
  done
fi
if "$ab" run --threads 1,2 --alloc "$allocs" --reps 1 --scale 0.003 --out "$dir/res" \
     --run-id t --quiet >"$dir/out" 2>&1; then
  ok run-threads-1-2
else
  fail run-threads-1-2
fi
if py "$dir/res/t/results.json" "$allocs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
allocs = sys.argv[2].split(",")
cells = {(c["allocator"], c["workload"]): c for c in d["cells"]}
for a in allocs:
    for g in ("rpc", "il", "simd"):
        for n in (1, 2):
            c = cells[(a, "%s-t%d" % (g, n))]
            assert c["threads"] == n, (a, g, n, c.get("threads"))
            # bump and rpcss return memory only at a scope reset; simd frees without scopes
            if a in ("bump", "rpcss") and g == "simd":
                assert c["n_runs"] == 0 and "scope" in c["not_applicable"], (a, g, n, c)
                continue
            assert c["n_ok"] == 1, (a, g, n, c["n_ok"])
for r in d["runs"]:
    assert r["status"] == "ok", (r["allocator"], r["workload"], r.get("error"))
    assert r["threads"] == (2 if r["workload"].endswith("-t2") else 1)
    if r["threads"] == 2:
        t = r["thread_stats"]
        assert t["count"] == 2 and len(t["per_thread"]) == 2
        assert t["handoffs"] > 0 or r["workload"].startswith("il")
        # every generator releases everything by its end: nothing live when the threads stop
        assert t["live_blocks_at_end"] == 0 and t["live_bytes_at_end"] == 0, (r["allocator"], t)
        m = r["metrics"]
        assert abs(m["mops_per_thread"] * 2 - m["mops_wall"]) < 1e-6 * m["mops_wall"], m
names = {w["name"]: w for w in d["workloads"]}
assert names["rpc-t2"]["threads"] == 2 and names["rpc-t2"]["generator"] == "rpc"
PY
then ok run-threads-results; else fail run-threads-results; fi
if command -v gnuplot >/dev/null; then
  if [ -s "$dir/res/t/charts/scaling.png" ] && grep -q "charts/scaling.svg" "$dir/res/t/report.html"; then
    ok scaling-chart
  else
    fail scaling-chart
  fi
else
  echo "skip scaling-chart: gnuplot is not installed"
fi

finish "threads.cli"
