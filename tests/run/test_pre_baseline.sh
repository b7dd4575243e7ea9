#!/usr/bin/env bash
# test_pre_baseline.sh: nothing goes through the allocator under test before the memory baseline.
#
# In the runner malloc *is* the allocator under test, so whatever the harness allocates before
# the memory pass reads its baseline stays resident in the allocator, under the baseline, and F
# comes out too small (frag_peak and retained were negative because of it). The counting plug-in
# (prebaseline_plugin.c) is preloaded as the allocator and names every malloc-family call made
# between main and the baseline. Allowed, by name: the dynamic loader's error strings of a
# failed dlsym (the plug-in backend looks up optional symbols the plug-in does not define;
# allocators/malloc.c, allocators/provider.c), at most MAX_ALLOWED calls. Any other call fails the
# test with its stack. The counter is shown to work: ld.so and libc allocate before main.
#
# usage: test_pre_baseline.sh ALIGNBENCH RUNNER PLUGIN
set -u
MAX_ALLOWED=16
alignbench=$(realpath "$1") runner=$(realpath "$2") plugin=$(realpath "$3")
. "$(dirname "$0")/../lib.sh"
skip_when_sanitized "a sanitizer build cannot preload a malloc plug-in"
cd "$dir" || exit 1

# A text trace is parsed into malloc'd memory (docs/measurement.md); the runner gets binary ones.
"$alignbench" gen rpc --scale 0.01 -o rpc.abt >/dev/null 2>&1 || bad "gen rpc"
"$alignbench" gen il --scale 0.01 -o il.abt >/dev/null 2>&1 || bad "gen il"
for w in rpc il; do
    for passes in memory memory,batch,perop; do
        rm -f count.txt out.json
        AB_PREBASELINE_OUT=$PWD/count.txt LD_PRELOAD=$plugin "$runner" replay --alloc count \
            --lib "$plugin" --trace $w.abt --out out.json --passes $passes --calib-ms 5 \
            --batch-reps 1 >runner.log 2>&1 ||
            { bad "$w/$passes: runner failed: $(cat runner.log)"; continue; }
        [ -s out.json ] || bad "$w/$passes: no result"
        read -r _ pre_calls _ < <(grep '^pre_main ' count.txt)
        read -r _ calls bytes < <(grep '^before_baseline ' count.txt)
        [ "${pre_calls:-0}" -gt 0 ] || bad "$w/$passes: the counter saw no call before main"
        [ "${calls:--1}" -ge 0 ] || bad "$w/$passes: the runner never marked the baseline"
        [ "${calls:-0}" -le $MAX_ALLOWED ] ||
            bad "$w/$passes: $calls calls ($bytes bytes) before the baseline, at most $MAX_ALLOWED"
        while read -r line; do
            case "$line" in
            *dlsym+* | *_dl_exception_create*) ;;
            *) bad "$w/$passes: the harness allocated before the baseline: $line" ;;
            esac
        done < <(grep '^call ' count.txt)
        echo "$w/$passes: $calls calls, $bytes bytes before the baseline (all from dlsym)"
    done
done
finish pre_baseline
