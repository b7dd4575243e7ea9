#!/usr/bin/env bash
# test_percentile_axis.sh ALIGNBENCH RUN_DIR: the latency-percentile chart turns logarithmic when
# its values span decades, even when a net percentile is 0 or below (one under the replay floor,
# as a resolved-to-nothing p50 is). From the report_run fixture's tiny run, one cell's p50 is set
# to 0, another's to -2, and a p99.9 to 165 us (jemalloc on rpc, issue 22); `plot --strict` must
# draw the chart without a warning, on a log axis (its SVG's axis label says "log scale" and it
# has decade ticks up to 100000). Then the same with spread-out but positive values under 30x:
# linear, as before.
set -u
ab=$1 run=$2
. "$(dirname "$0")/../lib.sh"

plant() { # plant OUT_DIR A_P50 A_P99 A_P999 B_P50 B_P99 B_P999: two cells of simd-t1, the rest out
  mkdir -p "$1"
  python3 - "$run/results.json" "$@" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
cells = [c for c in res["cells"] if c["workload"] == "simd-t1" and "alloc_p50" in c["metrics"]]
assert len(cells) >= 2, "the fixture run needs two allocators on simd-t1"
values = [float(x) for x in sys.argv[3:9]]
for c, vals in ((cells[0], values[:3]), (cells[1], values[3:])):
    for m, v in zip(("alloc_p50", "alloc_p99", "alloc_p999"), vals):
        c["metrics"][m]["median"] = v
for c in cells[2:]:
    del c["metrics"]["alloc_p50"]
json.dump(res, open(sys.argv[2] + "/results.json", "w"))
PY
}

plant "$dir/decades" 0 300 1500 -2 250 165000
svg=$dir/decades/charts/latency_percentiles-simd-t1.svg
"$ab" plot --strict "$dir/decades" >"$dir/decades.out" 2>&1 && ok "plot --strict draws it" ||
  bad "plot --strict: $(tail -3 "$dir/decades.out")"
grep -q 'log scale' "$svg" && ok "a 0 and a negative p50 with a 165 us p99.9: log axis" ||
  bad "linear axis for values spanning decades"
grep -q '<text> 100000</text>' "$svg" && grep -q '<text> 1000</text>' "$svg" && ok "decade ticks (1000, 100000)" ||
  bad "no decade ticks in $svg"
grep -q 'drawn at its bottom' "$dir/decades/report.html" && ok "the caption says how 0 is drawn" ||
  bad "the caption does not say how a value of 0 is drawn"

plant "$dir/narrow" 100 300 1500 120 250 2900
"$ab" plot --strict "$dir/narrow" >"$dir/narrow.out" 2>&1 && ok "plot --strict, narrow values" ||
  bad "plot --strict narrow: $(tail -3 "$dir/narrow.out")"
! grep -q 'log scale' "$dir/narrow/charts/latency_percentiles-simd-t1.svg" &&
  ok "values within 30x: linear axis" || bad "log axis for values within 30x"
finish report_percentile_axis
