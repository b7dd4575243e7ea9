#!/usr/bin/env bash
# threads_single.sh ALIGNBENCH RUNNER PROBE_SO: the runner replays a single-threaded trace in a
# process that never creates a second thread (glibc's single-thread fast path stays on), and a
# two-thread trace with its threads (the control: the probe can see a thread). The probe
# (single_thread_probe.c), preloaded into the runner, writes __libc_single_threaded at exit.
set -uo pipefail
ab=$1
runner=$2
probe=$3
. "$(dirname "$0")/../lib.sh"

"$ab" gen rpc --scale 0.01 -o "$dir/t1.abt" >"$dir/out" 2>&1 || fail gen-t1
"$ab" gen rpc --scale 0.01 --threads 2 -o "$dir/t2.abt" >"$dir/out" 2>&1 || fail gen-t2
for n in 1 2; do
  rm -f "$dir/probe"
  if AB_PROBE_OUT="$dir/probe" LD_PRELOAD="$probe" "$runner" replay --alloc malloc \
       --trace "$dir/t$n.abt" --out "$dir/r$n.json" >"$dir/out" 2>&1; then
    got=$(sed -n 's/^single_threaded=//p' "$dir/probe" 2>/dev/null)
    want=$([ "$n" = 1 ] && echo 1 || echo 0)
    [ "$got" = "$want" ] && ok "runner-threads-$n-single_threaded=$want" \
      || fail "runner-threads-$n: single_threaded=${got:-unread}, expected $want"
  else
    fail "runner-replay-threads-$n"
  fi
done
finish "threads.single_process"
