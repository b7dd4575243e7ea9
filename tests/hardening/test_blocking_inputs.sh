#!/usr/bin/env bash
# test_blocking_inputs.sh: nothing that is not a regular file makes alignbench wait, and a
# signal ends `run` whatever it is doing.
#   1. A FIFO (then a folder, then a character device) given as a trace, a plug-in library or a
#      results.json to every command that reads one: each is refused at once with a message
#      naming the path and what it is, and a non-zero exit (an open of a FIFO would block until a
#      writer comes, for ever).
#   2. SIGTERM ends a `run` within a second (the bound is on alignbench's reaction, generous on a
#      loaded machine, not a speed figure): a run given a FIFO as its trace, and a run whose
#      child hangs inside its allocator (the spin plug-in, --timeout 60; skipped, saying so, in a
#      sanitizer build where no plug-in can be preloaded).
#
# usage: test_blocking_inputs.sh ALIGNBENCH SPIN_PLUGIN
set -u
alignbench=$1 spin_plugin=$2
. "$(dirname "$0")/../lib.sh"
work=$dir
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1

mkfifo fifo.abt fifo.so
mkdir fiforun dirrun dirrun/results.json devrun
mkfifo fiforun/results.json
ln -s /dev/null devrun/results.json
out="--out $work/out --reps 1 --scale 0.002 --no-plots --quiet"

# refused PHRASE COMMAND...: the command exits non-zero within 5 s saying PHRASE.
refused() {
    local phrase=$1
    shift
    timeout -s KILL 5 "$alignbench" "$@" >stdout.txt 2>stderr.txt
    local rc=$?
    if [ "$rc" -eq 137 ]; then
        bad "alignbench $*: still blocked after 5 s"
    elif [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then
        bad "alignbench $*: exit $rc, expected a refusal"
    elif ! grep -qF -- "$phrase" stderr.txt; then
        bad "alignbench $*: the message does not say '$phrase'"
        sed 's/^/    /' stderr.txt | head -n 3
    else
        echo "ok   alignbench $* -> $rc: $(head -n1 stderr.txt)"
    fi
}

# 1. Not regular files, as every input.
refused "fifo.abt: a FIFO, not a regular file" run --alloc malloc --trace fifo.abt $out
refused "fifo.so: a FIFO, not a regular file" run --alloc "x=$work/fifo.so" --workload rpc $out
refused "fifo.so: a FIFO, not a regular file" list --alloc "x=$work/fifo.so"
refused "fifo.abt: a FIFO, not a regular file" trace check fifo.abt
refused "fifo.abt: a FIFO, not a regular file" trace stats fifo.abt
refused "fifo.abt: a FIFO, not a regular file" trace convert fifo.abt x.txt
refused "results.json: a FIFO, not a regular file" plot fiforun
refused "results.json: a FIFO, not a regular file" report fiforun fiforun
refused "results.json: a FIFO, not a regular file" export --to bmf fiforun -o x.json
refused "results.json: a FIFO, not a regular file" compare fiforun fiforun
refused "results.json: a folder, not a regular file" plot dirrun
refused "results.json: a character device, not a regular file" compare devrun devrun
refused "/dev/zero: a character device, not a regular file" trace check /dev/zero
refused "a folder, not a regular file" run --alloc malloc --trace "$work" $out

# 2. SIGTERM ends a run within a second. ms_to_exit PID: milliseconds from now until PID ends
# (it is killed, and 99999 returned, when it is still there after 5 s).
ms_to_exit() {
    local t0 t1
    t0=$(date +%s%N)
    for _ in $(seq 500); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.01
    done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1"
        wait "$1" 2>/dev/null
        echo 99999
        return
    fi
    t1=$(date +%s%N)
    wait "$1" 2>/dev/null
    echo $(((t1 - t0) / 1000000))
}
sigterm_within_a_second() { # NAME: the run in $pid, already started
    sleep 0.5
    kill -TERM "$pid" 2>/dev/null # (it may have ended already: that is fine)
    local ms
    ms=$(ms_to_exit "$pid")
    if [ "$ms" -le 1000 ]; then
        echo "ok   SIGTERM ends a run ($1) in ${ms} ms"
    else
        bad "SIGTERM did not end a run ($1) within 1000 ms (${ms} ms; 99999: still running)"
    fi
}
"$alignbench" run --alloc malloc --trace fifo.abt $out --run-id fifo 2>/dev/null &
pid=$!
pids+=("$pid")
sigterm_within_a_second "a FIFO as its trace"

if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    echo "skipped: SIGTERM during a hung child (no plug-in can be preloaded in a sanitizer build)"
else
    AB_FAULT_AT_CALL=1000 "$alignbench" run --alloc "hangy=$spin_plugin" --workload rpc \
        --timeout 60 $out --run-id hung 2>hung.err &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do # until the child is running (up to 10 s)
        pgrep -f "alignbench-runner.*$work/out/hung" >/dev/null && break
        sleep 0.1
    done
    sigterm_within_a_second "its child hung in the allocator"
    left=$(pgrep -f "alignbench-runner.*$work/out/hung")
    [ -z "$left" ] || bad "a hung runner child outlived its orchestrator"
    for p in $left; do kill -KILL "$p"; done
fi

finish blocking_inputs
