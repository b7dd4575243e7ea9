#!/usr/bin/env bash
# test_negative_reason.sh: an impossible memory figure says why.
#
# warm_heap_plugin.c makes glibc hold 16 MiB of resident heap before the runner's baseline, as
# an allocator could; the replay of rpc (peak live 0.1 MB) is then served from it, so F does
# not grow, and frag_peak and retained come out negative. The run must carry negative_reason
# naming the memory resident before the baseline. Without the warm heap (the control, the same
# preload) the figures are not negative and there is no reason.
#
# usage: test_negative_reason.sh ALIGNBENCH RUNNER PLUGIN
set -u
alignbench=$(realpath "$1") runner=$(realpath "$2") plugin=$(realpath "$3")
. "$(dirname "$0")/../lib.sh"
skip_when_sanitized "a sanitizer build cannot preload a library into the runner"
cd "$dir" || exit 1
"$alignbench" gen rpc --scale 0.05 -o rpc.abt >/dev/null 2>&1 || bad "gen rpc"
for mib in 0 16; do
    rm -f out.json
    AB_WARM_HEAP_MIB=$mib LD_PRELOAD=$plugin "$runner" replay --alloc malloc --trace rpc.abt \
        --out out.json --passes memory --calib-ms 5 >runner.log 2>&1 ||
        { bad "warm $mib MiB: runner failed: $(cat runner.log)"; continue; }
    python3 - "$mib" out.json <<'PY' || bad "warm $mib MiB"
import json, sys
mib = int(sys.argv[1])
d = json.load(open(sys.argv[2]))
m = d["metrics"]
reason = d.get("negative_reason")
print(f"warm {mib} MiB: frag_peak {m['frag_peak']:.3f}, retained {m['retained']}, reason {reason!r}")
if mib == 0:
    assert m["frag_peak"] >= 0 and m["retained"] >= 0 and reason is None
else:
    assert m["frag_peak"] < 0, "the warm heap did not make frag_peak negative"
    assert reason and "resident before the baseline" in reason, reason
PY
done
finish negative_reason
