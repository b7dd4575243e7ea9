#!/usr/bin/env python3
"""stream_long.py: a trace of 100 M ops replays in every pass within a fixed memory bound, at the
same time per op as a 1 M-op slice of it.

Usage: stream_long.py ALIGNBENCH RUNNER BUILD_TYPE TMPDIR

A benchmark-like test (ctest label `bench`): it needs a Release build (skipped otherwise, exit
77) and about 2 GB of disk in TMPDIR (skipped when there is less), and takes a few minutes.

- `gen rpc --seed 1 --scale 33` makes >= 100 M ops; `--scale 0.33` of the same seed is its first
  ~1 M ops (checked byte for byte: the slice).
- The runner replays the long trace with --passes memory, batch and perop, one process each; each
  process's max RSS (wait4's ru_maxrss) and the memory pass's harness_peak_rss (the runner's own
  peak before the VmHWM reset at the baseline, which ru_maxrss then forgets) must stay under
  BOUND_MIB, whatever the trace's length (the trace alone is 1.6 GB).
- The batch pass's ns_per_op on the long trace and on the slice: the median of ATTEMPTS runs of
  each within 10 % of each other (the windows are decoded outside the timed regions, so the
  long trace pays no I/O and no page faults of its own in them).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

BOUND_MIB = 64
ATTEMPTS_LONG = 3
ATTEMPTS_SLICE = 5
# the same options for every run; --touch none: the comparison is about the replay, not about
# writing memory
OPTS = ["--alloc", "malloc", "--touch", "none", "--batch-reps", "2"]
SKIP = 77


def run(argv):
    """Runs argv; returns (exit status, max RSS in bytes)."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"FAIL: {' '.join(argv)} exited {code}: {err.strip()}")
    return code, ru.ru_maxrss * 1024


def main():
    ab, runner, build_type, tmp = sys.argv[1:5]
    if build_type != "Release":
        print(f"skipped: a timing test needs a Release build, this one is {build_type or 'unset'}")
        return SKIP
    os.makedirs(tmp, exist_ok=True)
    if shutil.disk_usage(tmp).free < 3 << 30:
        print(f"skipped: less than 3 GB free in {tmp} for a 1.6 GB trace")
        return SKIP
    long_t, slice_t = os.path.join(tmp, "long.abt"), os.path.join(tmp, "slice.abt")
    failures = []
    try:
        for path, scale in ((long_t, "33"), (slice_t, "0.33")):
            subprocess.run([ab, "gen", "rpc", "--seed", "1", "--scale", scale, "-o", path],
                           check=True, stdout=subprocess.DEVNULL)
        n_long, n_slice = (op_count(p) for p in (long_t, slice_t))
        print(f"long trace {n_long} ops, slice {n_slice} ops")
        if n_long < 100_000_000:
            failures.append(f"the long trace has {n_long} ops, fewer than 100 M")
        if not is_prefix(slice_t, long_t):
            failures.append("the slice is not the first ops of the long trace")

        ns = {"long": [], "slice": []}
        for p in ("memory", "batch", "perop"):
            out = os.path.join(tmp, f"long-{p}.json")
            code, rss = run([runner, "replay", *OPTS, "--trace", long_t, "--out", out,
                             "--passes", p])
            if code != 0:
                failures.append(f"pass {p} failed")
                continue
            m = json.load(open(out))["metrics"]
            own = m.get("harness_peak_rss", 0)
            print(f"pass {p:6}: max RSS {rss / 2**20:.1f} MiB"
                  + (f", harness_peak_rss {own / 2**20:.1f} MiB" if own else "")
                  + (f", ns_per_op {m['ns_per_op']:.2f}" if p == "batch" else ""))
            for what, v in (("max RSS", rss), ("harness_peak_rss", own)):
                if v > BOUND_MIB << 20:
                    failures.append(f"pass {p}: {what} {v / 2**20:.1f} MiB over {BOUND_MIB} MiB")
            if p == "batch":
                ns["long"].append(m["ns_per_op"])
        for which, path, attempts in (("long", long_t, ATTEMPTS_LONG - 1),
                                      ("slice", slice_t, ATTEMPTS_SLICE)):
            for k in range(attempts):
                out = os.path.join(tmp, f"{which}-{k}.json")
                code, _ = run([runner, "replay", *OPTS, "--trace", path, "--out", out,
                               "--passes", "batch"])
                if code != 0:
                    failures.append(f"batch pass on the {which} trace failed")
                    break
                ns[which].append(json.load(open(out))["metrics"]["ns_per_op"])
        if ns["long"] and ns["slice"]:
            ml, ms = statistics.median(ns["long"]), statistics.median(ns["slice"])
            print("batch ns_per_op, long: " + " ".join(f"{v:.2f}" for v in ns["long"])
                  + f" (median {ml:.2f}); slice: " + " ".join(f"{v:.2f}" for v in ns["slice"])
                  + f" (median {ms:.2f}); ratio {ml / ms:.3f}")
            if abs(ml / ms - 1) > 0.10:
                failures.append(f"long/slice ns_per_op {ml / ms:.3f}, not within 10 %")
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
    for f in failures:
        print("FAIL:", f)
    print(f"stream_long: {'ok' if not failures else str(len(failures)) + ' failed'}")
    return 1 if failures else 0


def op_count(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return int.from_bytes(head[16:24], "little")


def is_prefix(short, long):
    """The ops of `short` are the first ops of `long` (headers differ: op counts)."""
    with open(short, "rb") as a, open(long, "rb") as b:
        ha, hb = a.read(16), b.read(16)
        a.seek(int.from_bytes(ha[12:16], "little"))
        b.seek(int.from_bytes(hb[12:16], "little"))
        while True:
            x = a.read(1 << 20)
            if not x:
                return True
            if b.read(len(x)) != x:
                return False


if __name__ == "__main__":
    sys.exit(main())
