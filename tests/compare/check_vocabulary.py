#!/usr/bin/env python3
"""check_vocabulary.py RUN_DIR CONSOLE COMPARE_TXT COMPARE_MD COMPARE_JSON BMF GAB_PREFIX HGRM_DIR:
one run's outputs name cells and metrics as its results.json does (results/README.md, "Names"):
a cell ALLOCATOR/WORKLOAD (ALLOCATOR-WORKLOAD in a file name), a metric by its key in
cells[].metrics. Checked: compare's text, Markdown and JSON rows, export's Bencher benchmarks and
measures, github-action-benchmark names, .hgrm file names, the console's column titles and its
why: lines. Each output must also name every cell it is expected to, so that an output naming
nothing cannot pass. Exits 1 listing every name that differs."""
import json
import os
import re
import sys

run, console, ctxt, cmd, cjson, bmf_path, gab_prefix, hgrm_dir = sys.argv[1:9]
res = json.load(open(os.path.join(run, "results.json")))
ok_cells = [c for c in res["cells"] if c.get("n_ok", 0) > 0]
CELLS = {c["allocator"] + "/" + c["workload"] for c in ok_cells}
TRACE_CELLS = {c["allocator"] + "/" + c["workload"] for c in ok_cells if c.get("kind") != "program"}
KEYS = set()
for c in res["cells"]:
    KEYS |= set(c.get("metrics", {})) | set(c.get("unavailable", {}))
problems = []


def check(where, cell=None, metric=None):
    if cell is not None and cell not in CELLS:
        problems.append(f"{where}: cell {cell!r} is not ALLOCATOR/WORKLOAD of a results.json cell")
    if metric is not None and metric not in KEYS:
        problems.append(f"{where}: metric {metric!r} is not a key of results.json's cells[].metrics")


def covers(where, seen, want):
    if not want <= seen:
        problems.append(f"{where}: names no row for {sorted(want - seen)}")


# compare --json: every row's cell and metric; the net part's metric
doc = json.load(open(cjson))
seen = set()
for r in doc["rows"]:
    check("compare --json", r["cell"], None if r["metric"] == "(runs)" else r["metric"])
    if r["cell"] != r["allocator"] + "/" + r["workload"]:
        problems.append(f"compare --json: cell {r['cell']!r} is not its allocator/workload")
    if "net" in r:
        check("compare --json net", None, r["net"]["metric"])
    seen.add(r["cell"])
covers("compare --json", seen, CELLS)

# compare, text: the table's rows (cell, metric, ...)
lines = open(ctxt).read().split("\n")
start = next((i for i, ln in enumerate(lines) if re.match(r"^cell +metric +base", ln)), None)
seen = set()
if start is None:
    problems.append("compare text: no table header 'cell metric base'")
else:
    for ln in lines[start + 1:]:
        if not ln.strip():
            break
        cell, metric = ln.split()[:2]
        check("compare text", cell, None if metric == "(runs)" else metric)
        seen.add(cell)
covers("compare text", seen, CELLS)

# compare --format markdown: | `cell` | metric | ...
seen = set()
for ln in open(cmd):
    m = re.match(r"^\| `([^`]*)` \| ([^ |]+) \|", ln)
    if m:
        check("compare markdown", m.group(1), None if m.group(2) == "(runs)" else m.group(2))
        seen.add(m.group(1))
covers("compare markdown", seen, CELLS)

# export --to bmf: {cell: {metric: ...}}
bmf = json.load(open(bmf_path))
for bench, measures in bmf.items():
    check("bmf benchmark", bench)
    for meas in measures:
        check(f"bmf {bench}", None, meas)
covers("bmf", set(bmf), CELLS)

# export --to github-action-benchmark: name "cell/metric"
seen = set()
for suffix in ("smaller", "bigger"):
    path = f"{gab_prefix}-{suffix}.json"
    if not os.path.exists(path):
        continue
    for e in json.load(open(path)):
        cell, _, metric = e["name"].rpartition("/")
        check(f"github-action-benchmark {suffix}", cell, metric)
        seen.add(cell)
covers("github-action-benchmark", seen, CELLS)

# export --to hgrm: ALLOCATOR-WORKLOAD-OP.hgrm
files = sorted(os.listdir(hgrm_dir))
names = {c["allocator"] + "-" + c["workload"]: c["allocator"] + "/" + c["workload"] for c in ok_cells}
seen = set()
for f in files:
    m = re.fullmatch(r"(.*)-(alloc|free|realloc|reset)\.hgrm", f)
    if not m or m.group(1) not in names:
        problems.append(f"hgrm: {f} is not ALLOCATOR-WORKLOAD-OP.hgrm of a results.json cell")
    else:
        seen.add(names[m.group(1)])
covers("hgrm", seen, TRACE_CELLS)

# console: the column titles of each table (a key, "KEY [interval]", or "KEY UNIT"), why: lines
text = open(console).read()
headers = re.findall(r"^  allocator +(.*)$", text, re.M)
if len(headers) != len({c["workload"] for c in ok_cells}):
    problems.append(f"console: {len(headers)} table headers for {len({c['workload'] for c in ok_cells})} workloads")
for h in headers:
    for tok in h.split():
        if tok in ("ok", "noisy", "[interval]", "KiB", "MiB"):
            continue
        check("console column title", None, tok)
for cell in re.findall(r"^  why: ([^: ]+):", text, re.M):
    check("console why:", cell)

for p in problems:
    print("FAIL", p)
print(f"{len(CELLS)} cells, {len(KEYS)} metric keys; {len(problems)} name(s) differ")
sys.exit(1 if problems else 0)
