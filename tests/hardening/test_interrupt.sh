#!/usr/bin/env bash
# test_interrupt.sh: the orchestrator stopped from outside never loses or corrupts results.
#   1. SIGINT (Ctrl-C) mid-run -> exit 130, results.json keeps the finished runs with
#      "complete": false (SIGTERM is covered by tests/run's e2e test).
#   2. SIGKILL at several points of a run (nothing can be caught) -> whatever results.json
#      exists always parses as a full alignbench-results document (written to a temporary
#      file and renamed), and no runner child outlives its orchestrator for long.
#   3. SIGKILL while the child hangs in its allocator (the spin plug-in, --timeout 60) -> the
#      child dies with its orchestrator (PR_SET_PDEATHSIG), it does not spin on for a minute.
#      Plug-ins cannot be preloaded into a sanitizer build: there this part says it is skipped.
#
# usage: test_interrupt.sh ALIGNBENCH RESULTS_EXPECT SPIN_PLUGIN
set -u
set -m # job control: a background job keeps the default SIGINT disposition
alignbench=$1 expect=$2 spin_plugin=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # NAME COMMAND...: run a check, report it
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
start_run() { # RUN_ID: a run long enough to be interrupted (about 40 children)
    "$alignbench" run --alloc malloc,bump --workload rpc --scale 0.01 --reps 20 --timeout 20 \
        --out "$work" --run-id "$1" --no-plots --quiet 2>>"$work/$1.err" &
    pid=$!
}
wait_for_runs() { # PATH: until results.json holds a finished run (up to 20 s)
    for _ in $(seq 200); do
        [ -s "$1" ] && "$expect" "$1" --runs-at-least 1 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# 1. SIGINT after the first results were written.
start_run sigint
check "a first run is written" wait_for_runs "$work/sigint/results.json"
kill -INT "$pid"
wait "$pid"
rc=$?
check "SIGINT exits 130 (got $rc)" test "$rc" -eq 130
check "results so far kept, complete false" "$expect" "$work/sigint/results.json" \
    --complete false --runs-at-least 1

# 2. SIGKILL at spread-out moments: before the first write, during runs, between writes.
for delay in 0.05 0.2 0.35 0.5 0.7 0.9 1.2 1.6; do
    id="kill-$delay"
    start_run "$id"
    sleep "$delay"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    if [ -e "$work/$id/results.json" ]; then
        check "SIGKILL after ${delay}s: results.json parses" "$expect" "$work/$id/results.json"
    else
        echo "ok   SIGKILL after ${delay}s: no results.json yet (nothing half-written)"
    fi
done
# A runner child of a killed orchestrator must not keep running (it is given up to its
# per-run timeout in the worst case; a child of this run takes well under a second).
sleep 1
check "no runner child left behind" test -z "$(pgrep -f "alignbench-runner.*$work" || true)"

# 3. SIGKILL while the child spins inside the allocator.
if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    echo "skipped: SIGKILL during a hung child (no plug-in can be preloaded in a sanitizer build)"
else
    AB_FAULT_AT_CALL=1000 "$alignbench" run --alloc "hangy=$spin_plugin" --workload rpc \
        --scale 0.01 --reps 1 --timeout 60 --out "$work" --run-id hung --no-plots --quiet \
        2>>"$work/hung.err" &
    pid=$!
    for _ in $(seq 100); do # until the child is running (up to 10 s)
        pgrep -f "alignbench-runner.*$work/hung" >/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    sleep 1
    check "a hung child dies with its killed orchestrator" \
        test -z "$(pgrep -f "alignbench-runner.*$work/hung" || true)"
    for orphan in $(pgrep -f "alignbench-runner.*$work/hung"); do # never leave one spinning
        kill -KILL "$orphan"
    done
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    cat "$work"/*.err
    exit 1
fi
echo "all interruption checks passed"
