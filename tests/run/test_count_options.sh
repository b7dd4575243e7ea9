#!/usr/bin/env bash
# test_count_options.sh ALIGNBENCH RUNNER: what `run --measure instructions` refuses, and the
# perf counter's refusal on a machine without one (this project's VMs have no PMU:
# perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) fails). Where perf does count, the same case
# checks that a perf-counted run gives instructions and no simulated cache figures instead.
# Nothing here runs valgrind: every case is a refusal or a second-long run.
set -u
ab=$1 runner=$2
. "$(dirname "$0")/../lib.sh"
# says NAME RC PATTERN COMMAND...: the command exits RC and its output matches PATTERN (grep -E)
says() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$dir/out" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$dir/out"; then ok "$name"; else
        fail "$name: exit $rc (want $want), output lacks /$pattern/"
    fi
}
out="$dir/runs"
mkdir -p "$out"
says "--measure bogus" 2 "--measure wants time or instructions, not 'bogus'" \
    "$ab" run --measure bogus --out "$out"
says "--counter without --measure instructions" 2 "--counter callgrind goes with --measure instructions" \
    "$ab" run --counter callgrind --out "$out"
says "--counter bogus" 2 "--counter wants auto, perf or callgrind, not 'x'" \
    "$ab" run --measure instructions --counter x --out "$out"
says "--measure instructions --program" 2 "whole programs \(--program\) are timed, not counted" \
    "$ab" run --measure instructions --program 't=true' --out "$out"
says "--measure instructions --threads 2" 2 "--threads above 1 is not repeatable" \
    "$ab" run --measure instructions --threads 1,2 --out "$out"
says "--measure instructions --cold" 2 "--cold and --no-latency choose timed passes" \
    "$ab" run --measure instructions --cold --out "$out"
says "--measure instructions --natural-baseline on" 2 "no natural baseline" \
    "$ab" run --measure instructions --natural-baseline on --out "$out"
[ -z "$(ls -A "$out")" ] && ok "refusals leave no run folder" || bad "a refused run left $(ls "$out")"

# The runner: --count callgrind outside valgrind, --callgrind-out alone, a threaded trace.
"$ab" gen rpc --scale 0.002 -o "$dir/rpc.abt" >/dev/null 2>&1 || die "gen rpc"
"$ab" gen rpc --scale 0.002 --threads 2 -o "$dir/rpc2.abt" >/dev/null 2>&1 || die "gen rpc --threads 2"
says "runner --count callgrind outside valgrind" 1 "not running under valgrind --tool=callgrind" \
    "$runner" replay --alloc malloc --trace "$dir/rpc.abt" --out "$dir/o.json" --count callgrind \
    --callgrind-out "$dir/cg"
says "runner --callgrind-out without --count callgrind" 2 "--callgrind-out goes with --count callgrind" \
    "$runner" replay --alloc malloc --trace "$dir/rpc.abt" --out "$dir/o.json" --callgrind-out x
says "runner --count with a threaded trace" 2 "instructions are counted on one-thread traces only" \
    "$runner" replay --alloc malloc --trace "$dir/rpc2.abt" --out "$dir/o.json" --count perf

# perf: refused with the reason where there is no counter; counted where there is one.
"$runner" replay --alloc malloc --trace "$dir/rpc.abt" --out "$dir/p.json" --count perf \
    >"$dir/perf.log" 2>&1
prc=$?
if [ $prc -eq 0 ]; then
    grep -q '"instructions_per_op_net"' "$dir/p.json" && ! grep -q '"l1_misses_per_op"' "$dir/p.json" &&
        ok "runner --count perf (this machine has a PMU): instructions, no cache figures" ||
        bad "runner --count perf: $(cat "$dir/p.json")"
    says "run --counter perf (PMU): a counted run" 0 "instructions_per_op_net" \
        "$ab" run --measure instructions --counter perf --alloc malloc --workload rpc --scale 0.002 \
        --out "$dir/ok" --no-plots
else
    [ $prc -eq 1 ] && grep -q "perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) failed" "$dir/perf.log" &&
        [ ! -e "$dir/p.json" ] &&
        ok "runner --count perf without a PMU: exit 1, naming perf_event_open, no result" ||
        bad "runner --count perf without a PMU: exit $prc: $(cat "$dir/perf.log")"
    says "run --counter perf without a PMU: exit 2, the reason" 2 \
        "alignbench run: --counter perf: perf_event_open\(PERF_COUNT_HW_INSTRUCTIONS\) failed" \
        "$ab" run --measure instructions --counter perf --alloc malloc --workload rpc --out "$out"
    [ -z "$(ls -A "$out")" ] && ok "the perf refusal leaves no run folder" ||
        bad "the perf refusal left $(ls "$out")"
fi
finish run.count_options
