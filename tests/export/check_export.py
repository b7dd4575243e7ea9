#!/usr/bin/env python3
# check_export.py RESULTS_JSON BMF GAB_SMALLER GAB_BIGGER HGRM_DIR: checks `alignbench export`'s
# three formats against what their consumers document (Bencher's BMF JSON schema,
# github-action-benchmark's custom* arrays, HdrHistogram's .hgrm text) and against the
# results.json they came from. Exits 1 naming the first difference. A file that export leaves
# unwritten (a direction without values, an .hgrm folder of a run of whole programs only) may be
# missing, and only then.
import json
import math
import os
import re
import sys

res_path, bmf_path, small_path, big_path, hgrm_dir = sys.argv[1:6]
res = json.load(open(res_path))
METRICS = ["cycles_per_op", "cycles_per_op_net", "ns_per_op", "ns_per_op_net", "mops",
           "alloc_p99", "frag_peak", "peak_rss", "retained", "peak_footprint",
           "faults_per_kop", "syscalls_per_kop", "sys_madvise_per_kop", "sys_share",
           # a whole program's (run --program)
           "cpu_mcycles", "cpu_ms", "user_ms", "sys_ms", "wall_ms", "minor_faults", "major_faults"]
BIGGER = {"mops"}
fails = []


def fail(msg):
    fails.append(msg)


def expected():
    """(benchmark, metric) -> the cell's stats, for every exportable value."""
    out = {}
    for c in res["cells"]:
        if c.get("n_ok", 0) <= 0:
            continue
        for m in METRICS:
            st = c["metrics"].get(m)
            if m in c.get("unresolved", []) or not st or not isinstance(st.get("median"), (int, float)):
                continue
            out[(c["allocator"] + "/" + c["workload"], m)] = st
    return out


exp = expected()
if not exp:
    fail("the run has no exportable value at all")

# Bencher Metric Format: {benchmark: {measure: {value (required), lower_value, upper_value}}}
bmf = json.load(open(bmf_path))
if not isinstance(bmf, dict):
    fail("BMF: not an object")
seen = set()
for bench, measures in bmf.items():
    if not bench or not isinstance(measures, dict) or not measures:
        fail(f"BMF: benchmark {bench!r} is not a non-empty object")
        continue
    for meas, metric in measures.items():
        if len(meas) > 64:
            fail(f"BMF: measure name {meas!r} longer than 64")
        if set(metric) - {"value", "lower_value", "upper_value"} or "value" not in metric:
            fail(f"BMF: {bench}/{meas}: keys {sorted(metric)}")
        for k, v in metric.items():
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                fail(f"BMF: {bench}/{meas}.{k} = {v!r} is not a finite number")
        st = exp.get((bench, meas))
        if st is None:
            fail(f"BMF: {bench}/{meas} is not an exportable cell metric")
            continue
        seen.add((bench, meas))
        if not math.isclose(metric["value"], st["median"], rel_tol=1e-9):
            fail(f"BMF: {bench}/{meas} value {metric['value']} != median {st['median']}")
        if "lower_value" in metric and not (
                math.isclose(metric["lower_value"], st["ci_lo"], rel_tol=1e-9) and
                math.isclose(metric["upper_value"], st["ci_hi"], rel_tol=1e-9)):
            fail(f"BMF: {bench}/{meas} bounds differ from ci_lo/ci_hi")
if seen != set(exp):
    fail(f"BMF: missing {sorted(set(exp) - seen)[:5]}")

# github-action-benchmark: [{name, unit, value} + optional range, extra], one file per direction
for path, bigger in ((small_path, False), (big_path, True)):
    want = {k for k in exp if (k[1] in BIGGER) == bigger}
    if not os.path.exists(path):
        if want:
            fail(f"{path}: not written, though {len(want)} values belong there")
        continue
    if not want:
        fail(f"{path}: written with no value belonging there")
    arr = json.load(open(path))
    if not isinstance(arr, list):
        fail(f"{path}: not an array")
        continue
    names = set()
    for e in arr:
        if not {"name", "unit", "value"} <= set(e) or set(e) - {"name", "unit", "value", "range", "extra"}:
            fail(f"{path}: entry keys {sorted(e)}")
            continue
        if not isinstance(e["name"], str) or not isinstance(e["unit"], str) or not e["unit"]:
            fail(f"{path}: name/unit not strings: {e}")
        if not isinstance(e["value"], (int, float)) or not math.isfinite(e["value"]):
            fail(f"{path}: value {e['value']!r}")
        alloc, wl, metric = e["name"].rsplit("/", 2)
        st = exp.get((alloc + "/" + wl, metric))
        if st is None or (metric in BIGGER) != bigger:
            fail(f"{path}: {e['name']} does not belong here")
            continue
        names.add((alloc + "/" + wl, metric))
        if not math.isclose(e["value"], st["median"], rel_tol=1e-9):
            fail(f"{path}: {e['name']} value != median")
        if "range" in e:
            m = re.fullmatch("\u00b1([0-9.e+-]+)", e["range"])
            if not m or not math.isclose(float(m.group(1)), (st["ci_hi"] - st["ci_lo"]) / 2, rel_tol=1e-4):
                fail(f"{path}: {e['name']} range {e['range']!r}")
        if not isinstance(e.get("extra", ""), str):
            fail(f"{path}: extra not a string")
    if names != want:
        fail(f"{path}: missing {sorted(want - names)[:5]}")

# .hgrm: HdrHistogram's percentile distribution, for every replayed trace's cell (a whole
# program has no latency histogram)
ok_cells = [c for c in res["cells"] if c.get("n_ok", 0) > 0 and c.get("kind") != "program"]
if not os.path.isdir(hgrm_dir) and ok_cells:
    fail(f"hgrm: no folder {hgrm_dir}")
files = sorted(f for f in os.listdir(hgrm_dir) if f.endswith(".hgrm")) if os.path.isdir(hgrm_dir) else []
for c in ok_cells:
    name = f"{c['allocator']}-{c['workload']}-alloc.hgrm"
    if name not in files:
        fail(f"hgrm: no {name}")
allowed = {f"{c['allocator']}-{c['workload']}-{op}.hgrm" for c in ok_cells
           for op in ("alloc", "free", "realloc", "reset")}
for f in files:
    if f not in allowed:
        fail(f"hgrm: {f} is not an op of a replayed trace's cell with an ok run")
    lines = open(os.path.join(hgrm_dir, f)).read().split("\n")
    if lines[0].split() != ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"] or lines[1] != "":
        fail(f"{f}: header {lines[:2]!r}")
        continue
    rows, footer = [], []
    for ln in lines[2:]:
        if ln.startswith("#["):
            footer.append(ln)
        elif ln.strip():
            rows.append(ln.split())
    if not rows:
        fail(f"{f}: no rows")
        continue
    vals = [float(r[0]) for r in rows]
    pcts = [float(r[1]) for r in rows]
    counts = [int(r[2]) for r in rows]
    if vals != sorted(vals) or pcts != sorted(pcts) or counts != sorted(counts):
        fail(f"{f}: rows not monotone")
    if pcts[-1] != 1.0 or len(rows[-1]) != 3 or any(len(r) != 4 for r in rows[:-1]):
        fail(f"{f}: last row {rows[-1]} (percentile 1.0, no 1/(1-p) column)")
    for r in rows[:-1]:
        if not math.isclose(float(r[3]), 1 / (1 - float(r[1])), rel_tol=1e-2, abs_tol=0.01):
            fail(f"{f}: 1/(1-p) column {r}")
            break
    if len(footer) != 3 or not re.match(r"#\[Mean +=.*, StdDeviation +=.*\]", footer[0]) or \
            not re.match(r"#\[Max +=.*, Total count +=.*\]", footer[1]) or \
            not re.match(r"#\[Buckets +=.*, SubBuckets +=.*\]", footer[2]):
        fail(f"{f}: footer {footer}")
    elif int(footer[1].split("=")[2].strip(" ]")) != counts[-1] or \
            float(footer[1].split("=")[1].split(",")[0]) != vals[-1]:
        fail(f"{f}: Max/Total count differ from the last row")

for m in fails:
    print("FAIL", m)
print(f"{len(exp)} values, {len(files)} .hgrm files checked; {len(fails)} problem(s)")
sys.exit(1 if fails else 0)
