#!/usr/bin/env bash
# test_log_cap.sh: a child that prints without end cannot fill the disk with its logs. Each log
# keeps its first 960 KiB and its last 64 KiB (AB_LOG_CAP, 1 MiB, harness/orchestrator/
# log_capture.h) with one line in between saying how many bytes were dropped.
#   1. a plug-in that prints 80 MB to stderr and 80 MB to stdout (the chatty fault plug-in) in a
#      run that otherwise goes well: the run is ok, its .log and .stdout are each at most 1 MiB
#      plus the note, the note's count and the kept bytes add up to the 80 MB printed, and the
#      log ends with what was printed last. (Skipped, saying so, in a sanitizer build: no
#      plug-in can be preloaded there.)
#   2. a --program that prints 80 MB: the same for the program's log.
#
# usage: test_log_cap.sh ALIGNBENCH CHATTY_PLUGIN
set -u
alignbench=$1 chatty=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # NAME COMMAND...: run a check, report it
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
cap=1048576
printed=80000000
# capped LOG PRINTED: LOG holds at most cap bytes plus the note, and says what it dropped.
capped() {
    local size dropped note
    size=$(stat -c %s "$1")
    note=$(grep -a -m1 '^\[alignbench: this log was cut: ' "$1")
    dropped=$(echo "$note" | sed -n 's/.*cut: \([0-9]*\) bytes of output dropped.*/\1/p')
    echo "    $1: $size bytes; $note"
    [ -n "$dropped" ] || return 1
    [ "$size" -le $((cap + ${#note} + 2)) ] || return 1
    # what was kept (the file less the note and its two newlines) and what was dropped make up
    # at least what the child printed
    [ $((size - ${#note} - 2 + dropped)) -ge "$2" ]
}

# 1. The chatty plug-in.
if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    echo "skipped: the chatty plug-in (no plug-in can be preloaded in a sanitizer build)"
else
    AB_FAULT_AT_CALL=100 AB_FAULT_CHATTY_BYTES=$printed "$alignbench" run \
        --alloc "chatty=$chatty" --workload rpc --scale 0.002 --reps 1 --no-plots --quiet \
        --out "$work" --run-id plugin 2>"$work/plugin.err"
    rc=$?
    check "a run with a plug-in printing 2 x 80 MB exits 0 (got $rc)" test "$rc" -eq 0
    logs="$work/plugin/logs"
    check "its stderr log is capped" capped "$logs/chatty-rpc-r1.log" $printed
    check "its stdout log is capped" capped "$logs/chatty-rpc-r1.stdout" $printed
    check "the log ends with what was printed last" \
        sh -c "tail -n 1 '$logs/chatty-rpc-r1.log' | grep -q '^chatty plug-in: '"
    total=$(du -sk "$logs" | cut -f1)
    check "the logs take at most 2 x 1 MiB on disk (${total} KiB)" test "$total" -le 2100
fi

# 2. A program printing 80 MB.
"$alignbench" run --alloc malloc --program "loud=head -c $printed /dev/zero" --reps 1 \
    --no-plots --quiet --out "$work" --run-id program 2>"$work/program.err"
rc=$?
check "a run of a program printing 80 MB exits 0 (got $rc)" test "$rc" -eq 0
check "the program's log is capped" capped "$work/program/logs/malloc-loud-r1.log" $printed

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    cat "$work"/*.err
    exit 1
fi
echo "all log-cap checks passed"
