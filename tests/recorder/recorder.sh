#!/usr/bin/env bash
# recorder.sh PART ALIGNBENCH LIB REC_PROG REC_READ REC_CXX: the recorder on rec_prog, which ends
# in a chosen way after a known number of "marked" ops (allocs of 12345 bytes and their frees).
#   endings:   exit, _exit, _Exit, abort, SIGTERM, SIGINT (also with SIGINT first ignored, then
#              set to SIG_DFL by the program), a program's own SIGTERM handler, and SIGTERM
#              through `alignbench record`: each trace must pass `trace check` and rec_read's
#              version 2 rules, hold exactly the marked ops made before the end, and the
#              process must end as it would have without the recorder (exit code or signal).
#   processes: fork and exec with and without %p, a failed exec, an exec with an explicit
#              environment, timestamps, the entry point of every C and C++ entry point, and the
#              summary lines of `alignbench record`.
#   descriptors: a program that closes its descriptors (3..1023, or all with close_range) or
#              dup2s over the recorder's, then writes a line to a file of its own and allocates:
#              that file must hold exactly its line; the recorder either still writes a valid
#              trace (its descriptor was out of reach) or says it stopped.
#   python:    the same with python3's os.closerange(3, 1024) (skipped, exit 77, without python3).
#   paths:     a symlink planted at the temporary name (not followed) and at the final name (not
#              followed), a relative AB_RECORD_OUT and a chdir, a setuid that makes the folder
#              unwritable (the error names the path and errno; root only), and the temporary
#              files a SIGKILL leaves, removed by the next `alignbench record`.
# Signals are sent once the program has written its readiness file, never after a sleep.
set -uo pipefail
part=$1
ab=$2
lib=$3
prog=$4
read=$5
cxx=$6
. "$(dirname "$0")/../lib.sh"
# rec OUT CMD...: CMD with the recorder preloaded, recording into OUT
rec() { local out=$1; shift; LD_PRELOAD=$lib AB_RECORD_OUT=$out "$@"; }
# val FILE KEY: a value rec_read prints
val() { "$read" "$1" 2>&1 | awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }
# valid NAME FILE: `trace check` passes, and so do rec_read's rules
valid() {
  if "$ab" trace check "$2" >"$dir/out" 2>&1 && "$read" "$2" >"$dir/out" 2>&1; then
    ok "$1-valid"
  else
    fail "$1-valid"
  fi
}
# expect NAME FILE KEY VALUE
expect() {
  local v; v=$(val "$2" "$3")
  if [ "$v" = "$4" ]; then ok "$1"; else fail "$1 ($3=$v, expected $4)"; fi
}
# meta_has NAME FILE WORD: the trace's metadata holds WORD (e.g. end=exit)
meta_has() {
  if val "$2" meta | tr ' ' '\n' | grep -qx -- "$3"; then ok "$1"; else fail "$1 (no $3 in: $(val "$2" meta))"; fi
}
# status NAME GOT WANT
status() { if [ "$2" -eq "$3" ]; then ok "$1"; else fail "$1 (status $2, expected $3)"; fi; }
# wait_ready FILE: wait (at most 30 s) for the program's readiness file; prints the pid in it
wait_ready() {
  for _ in $(seq 3000); do [ -s "$1" ] && { cat "$1"; return 0; }; sleep 0.01; done
  return 1
}
# signal_when_ready SIG READY PID: send SIG to the pid in READY once it exists (it must be PID,
# the program itself: a background shell function would be a subshell); kill PID if it never
# gets ready, so that the test fails instead of hanging
signal_when_ready() {
  local p
  if p=$(wait_ready "$2") && [ "$p" = "$3" ]; then kill -"$1" "$p"; else kill -KILL "$3"; fi
}
# marked NAME FILE ALLOCS FREES
marked() { expect "$1-allocs" "$2" marked_allocs "$3"; expect "$1-frees" "$2" marked_frees "$4"; }

endings() {
  local rc pid
  rec "$dir/exit.abt" "$prog" exit 100 3; rc=$?
  status exit-status $rc 3; valid exit "$dir/exit.abt"; marked exit "$dir/exit.abt" 100 50
  meta_has exit-end "$dir/exit.abt" end=exit
  expect exit-recorded-flag "$dir/exit.abt" recorded 1
  expect exit-no-timestamps "$dir/exit.abt" time_ops 0

  rec "$dir/_exit.abt" "$prog" _exit 100 4; rc=$?
  status _exit-status $rc 4; valid _exit "$dir/_exit.abt"; marked _exit "$dir/_exit.abt" 100 50
  meta_has _exit-end "$dir/_exit.abt" end=_exit

  rec "$dir/Exit.abt" "$prog" Exit 100 5; rc=$?
  status _Exit-status $rc 5; valid _Exit "$dir/Exit.abt"; marked _Exit "$dir/Exit.abt" 100 50

  rec "$dir/abort.abt" "$prog" abort 100 2>/dev/null; rc=$?
  status abort-status $rc $((128 + 6)); valid abort "$dir/abort.abt"
  marked abort "$dir/abort.abt" 100 50; meta_has abort-end "$dir/abort.abt" end=SIGABRT

  LD_PRELOAD=$lib AB_RECORD_OUT="$dir/term.abt" "$prog" wait 100 "$dir/ready.term" &
  pid=$!
  signal_when_ready TERM "$dir/ready.term" $pid
  wait $pid; rc=$?
  status sigterm-status $rc $((128 + 15)); valid sigterm "$dir/term.abt"
  marked sigterm "$dir/term.abt" 100 50; meta_has sigterm-end "$dir/term.abt" end=SIGTERM
  test ! -e "$dir/term.abt.tmp.$pid" && ok sigterm-no-temporary || fail sigterm-no-temporary

  # A background job of a shell without job control starts with SIGINT ignored: with job
  # control it keeps the default, which the recorder replaces with its handler.
  set -m
  LD_PRELOAD=$lib AB_RECORD_OUT="$dir/int.abt" "$prog" wait 100 "$dir/ready.int" &
  pid=$!
  signal_when_ready INT "$dir/ready.int" $pid
  wait $pid; rc=$?
  set +m
  status sigint-status $rc $((128 + 2)); valid sigint "$dir/int.abt"
  marked sigint "$dir/int.abt" 100 50; meta_has sigint-end "$dir/int.abt" end=SIGINT

  # SIGINT ignored at the start; the program sets SIG_DFL and must be told it was SIG_IGN.
  LD_PRELOAD=$lib AB_RECORD_OUT="$dir/dfl.abt" "$prog" dfl 100 "$dir/ready.dfl" >"$dir/dfl.out" &
  pid=$!
  signal_when_ready INT "$dir/ready.dfl" $pid
  wait $pid; rc=$?
  status sig-dfl-status $rc $((128 + 2)); valid sig-dfl "$dir/dfl.abt"
  marked sig-dfl "$dir/dfl.abt" 100 50
  grep -qx "old SIGINT: SIG_IGN" "$dir/dfl.out" && ok sig-dfl-sees-ign || fail "sig-dfl-sees-ign ($(cat "$dir/dfl.out"))"

  # The program's own handler takes over: it goes on (100 more marked allocs) and exits 7.
  LD_PRELOAD=$lib AB_RECORD_OUT="$dir/handler.abt" "$prog" handler 100 "$dir/ready.handler" &
  pid=$!
  signal_when_ready TERM "$dir/ready.handler" $pid
  wait $pid; rc=$?
  status own-handler-status $rc 7; valid own-handler "$dir/handler.abt"
  marked own-handler "$dir/handler.abt" 200 100; meta_has own-handler-end "$dir/handler.abt" end=exit

  # SIGTERM in the middle of an op (the recorder's lock held by the thread the handler runs on;
  # the test hook raises it after the op is in the buffer, before it is committed): the trace
  # ends with the op before, its time op included. At op 32768 the op and its time op fill the
  # 1 MiB buffer, which is written before the signal: the file must be cut back.
  for at in 50 32768; do
    LD_PRELOAD=$lib AB_RECORD_OUT="$dir/mid$at.abt" AB_RECORD_TIMESTAMPS=1 AB_RECORD_TEST_SIGNAL_AT=$at \
      "$prog" exit 40000 0; rc=$?
    status mid-op-$at-status $rc $((128 + 15)); valid mid-op-$at "$dir/mid$at.abt"
    expect mid-op-$at-ops "$dir/mid$at.abt" ops $(( 2 * (at - 1) ))
    expect mid-op-$at-time-ops "$dir/mid$at.abt" time_ops $(( at - 1 ))
  done

  # Through `alignbench record`: 128 + the signal, and the trace listed.
  "$ab" record --lib "$lib" -o "$dir/cli.abt" -- "$prog" wait 100 "$dir/ready.cli" >"$dir/cli.out" 2>&1 &
  pid=$!
  local ppid
  if ppid=$(wait_ready "$dir/ready.cli"); then kill -TERM "$ppid"; else kill -KILL $pid; fi
  wait $pid; rc=$?
  cp "$dir/cli.out" "$dir/out"
  status cli-sigterm-status $rc $((128 + 15)); valid cli-sigterm "$dir/cli.abt"
  grep -q "wrote $dir/cli.abt: .* ops, 1 thread(s), program rec_prog (pid [0-9]*, ended by SIGTERM)" "$dir/cli.out" &&
    ok cli-sigterm-listed || fail cli-sigterm-listed
}

# trace_of PATTERN KEY=VALUE: the one file matching PATTERN whose metadata has KEY=VALUE
trace_of() {
  local f
  for f in $1; do
    [ -f "$f" ] && val "$f" meta | tr ' ' '\n' | grep -qx -- "$2" && { echo "$f"; return; }
  done
}

processes() {
  local rc f parent child
  # fork with %p: two traces; the child's starts with the 50 marked blocks it inherits.
  rec "$dir/fork.%p.abt" "$prog" fork 100 30; rc=$?
  status fork-status $rc 0
  n=$(ls "$dir"/fork.*.abt 2>/dev/null | wc -l)
  [ "$n" -eq 2 ] && ok fork-two-traces || fail "fork-two-traces ($n)"
  parent=$(trace_of "$dir/fork.*.abt" forks=1); child=$(trace_of "$dir/fork.*.abt" forks=0)
  if [ -n "$parent" ] && [ -n "$child" ]; then
    valid fork-parent "$parent"; marked fork-parent "$parent" 200 100
    valid fork-child "$child"; marked fork-child "$child" 80 0
    meta_has fork-child-end "$child" end=_exit
    [ "$(val "$child" meta | tr ' ' '\n' | awk -F= '$1 == "inherited" { print $2 }')" -ge 50 ] &&
      ok fork-child-inherits-live-blocks || fail fork-child-inherits-live-blocks
  else
    fail "fork-parent-and-child (parent '$parent', child '$child')"
  fi

  # fork without %p: the parent only, which says it forked.
  rec "$dir/fork1.abt" "$prog" fork 100 30; rc=$?
  status fork-no-pid-status $rc 0
  n=$(ls "$dir" | grep -c '^fork1')
  [ "$n" -eq 1 ] && ok fork-no-pid-one-trace || fail "fork-no-pid-one-trace ($n)"
  valid fork-no-pid "$dir/fork1.abt"; marked fork-no-pid "$dir/fork1.abt" 200 100
  meta_has fork-no-pid-counts-fork "$dir/fork1.abt" forks=1

  # exec with %p: the trace before the exec, and the exec'd program's as PID-1.
  rec "$dir/exec.%p.abt" "$prog" exec 100 "$prog" exit 40 0; rc=$?
  status exec-status $rc 0
  f=$(ls "$dir"/exec.*.abt | grep -v -- '-1\.abt$'); local g; g=$(ls "$dir"/exec.*-1.abt 2>/dev/null)
  if [ -f "$f" ] && [ -f "$g" ]; then
    valid exec-before "$f"; marked exec-before "$f" 100 50; meta_has exec-before-end "$f" end=exec
    valid exec-after "$g"; marked exec-after "$g" 40 20; meta_has exec-after-end "$g" end=exit
    meta_has exec-after-image "$g" image=1
    [ "$(basename "$g")" = "$(basename "$f" .abt)-1.abt" ] && ok exec-same-pid || fail "exec-same-pid ($f, $g)"
  else
    fail "exec-two-traces ($(ls "$dir" | grep '^exec'))"
  fi

  # exec with an explicit environment that lacks the recorder's variables.
  rec "$dir/env.%p.abt" "$prog" execenv 10 "$prog" exit 20 0; rc=$?
  status exec-env-status $rc 0
  g=$(ls "$dir"/env.*-1.abt 2>/dev/null)
  if [ -f "$g" ]; then valid exec-env-after "$g"; marked exec-env-after "$g" 20 10; else fail exec-env-after-recorded; fi

  # exec without %p: the exec'd program's trace replaces the one before (a wrapper's case).
  rec "$dir/exec1.abt" "$prog" exec 100 "$prog" exit 40 0; rc=$?
  n=$(ls "$dir" | grep -c '^exec1')
  [ "$n" -eq 1 ] && ok exec-no-pid-one-trace || fail "exec-no-pid-one-trace ($(ls "$dir" | grep '^exec1'))"
  valid exec-no-pid "$dir/exec1.abt"; marked exec-no-pid "$dir/exec1.abt" 40 20
  meta_has exec-no-pid-image "$dir/exec1.abt" image=1

  # A failed exec without %p: the same trace goes on.
  rec "$dir/ef1.abt" "$prog" execfail 100; rc=$?
  n=$(ls "$dir" | grep -c '^ef1')
  [ "$n" -eq 1 ] && ok exec-fail-no-pid-one-trace || fail "exec-fail-no-pid-one-trace ($n)"
  valid exec-fail-no-pid "$dir/ef1.abt"; marked exec-fail-no-pid "$dir/ef1.abt" 200 100

  # An exec of a missing file fails before anything ends: one trace goes on.
  rec "$dir/em.%p.abt" "$prog" execfail 100; rc=$?
  status exec-missing-status $rc 0
  n=$(ls "$dir" | grep -c '^em\.')
  [ "$n" -eq 1 ] && ok exec-missing-one-trace || fail "exec-missing-one-trace ($n)"
  valid exec-missing "$(ls "$dir"/em.*.abt)"; marked exec-missing "$(ls "$dir"/em.*.abt)" 200 100

  # A failed exec of an executable file (not a program: ENOEXEC): the trace before the exec was
  # finished, so the process goes on into PID-1, starting with its 50 live marked blocks.
  printf 'not a program\n' >"$dir/garbage"; chmod +x "$dir/garbage"
  rec "$dir/ef.%p.abt" "$prog" execfail 100 "$dir/garbage"; rc=$?
  status exec-fail-status $rc 0
  f=$(ls "$dir"/ef.*.abt | grep -v -- '-1\.abt$'); g=$(ls "$dir"/ef.*-1.abt 2>/dev/null)
  if [ -f "$f" ] && [ -f "$g" ]; then
    valid exec-fail-before "$f"; marked exec-fail-before "$f" 100 50
    valid exec-fail-after "$g"; marked exec-fail-after "$g" 150 50; meta_has exec-fail-after-end "$g" end=exit
  else
    fail "exec-fail-two-traces ($(ls "$dir" | grep '^ef'))"
  fi

  # A shell that searches PATH itself (dash's `exec prog`) calls execve on each directory in
  # turn; the attempts that fail must not split the shell's trace: the shell's and the program's.
  pdir=$(dirname "$prog")
  PATH="$dir/nope1:$dir/nope2:$pdir:$PATH" rec "$dir/path.%p.abt" /bin/sh -c \
    "exec $(basename "$prog") exit 40 0"; rc=$?
  status path-search-status $rc 0
  n=$(ls "$dir" | grep -c '^path\.')
  g=$(ls "$dir"/path.*-1.abt 2>/dev/null)
  if [ "$n" -eq 2 ] && [ -f "$g" ]; then
    ok path-search-two-traces
    valid path-search-program "$g"; marked path-search-program "$g" 40 20
  else
    fail "path-search-two-traces ($(ls "$dir" | grep '^path\.' | tr '\n' ' '))"
  fi

  # Timestamps: a time op before each op, never decreasing (rec_read checks), the flag set.
  AB_RECORD_TIMESTAMPS=1 rec "$dir/ts.abt" "$prog" exit 100 0
  valid timestamps "$dir/ts.abt"; marked timestamps "$dir/ts.abt" 100 50
  expect timestamps-flag "$dir/ts.abt" timestamps 1
  ops=$(val "$dir/ts.abt" ops); t=$(val "$dir/ts.abt" time_ops)
  [ $((t * 2)) -eq "$ops" ] && [ "$t" -ge 150 ] && ok timestamps-one-per-op || fail "timestamps-one-per-op ($t of $ops)"

  # Entry points of the C entry points.
  rec "$dir/ent.abt" "$prog" entries; rc=$?
  status entries-status $rc 0
  valid entries "$dir/ent.abt"
  "$read" "$dir/ent.abt" --ops >"$dir/ent.txt"
  cp "$dir/ent.txt" "$dir/out"
  for line in "alloc size=1001 align=16 entry=MALLOC" "alloc size=1002 align=16 entry=CALLOC zero" \
      "realloc size=1003 entry=REALLOC" "alloc size=1004 align=64 entry=POSIX_MEMALIGN" \
      "alloc size=1280 align=128 entry=ALIGNED_ALLOC" "alloc size=1006 align=256 entry=MEMALIGN" \
      "alloc size=1007 align=4096 entry=VALLOC" "alloc size=4096 align=4096 entry=VALLOC" \
      "alloc size=1009 align=16 entry=MALLOC" "free size=1010 entry=FREE" "free size=1001 entry=FREE" \
      "free size=1003 entry=FREE"; do
    grep -qx "$line" "$dir/ent.txt" && ok "entry: $line" || fail "entry: $line"
  done
  expect entries-recorded-flag "$dir/ent.abt" recorded 1

  # Entry points of the C++ operators, and std::bad_alloc through the recorder.
  rec "$dir/cxx.abt" "$cxx" >"$dir/cxx.out"; rc=$?
  status cxx-status $rc 0
  grep -qx bad_alloc "$dir/cxx.out" && ok cxx-bad-alloc-thrown || fail cxx-bad-alloc-thrown
  grep -qx "nothrow null" "$dir/cxx.out" && ok cxx-nothrow-null || fail cxx-nothrow-null
  valid cxx "$dir/cxx.abt"
  "$read" "$dir/cxx.abt" --ops >"$dir/cxx.txt"
  cp "$dir/cxx.txt" "$dir/out"
  for line in "alloc size=2001 align=16 entry=NEW" "free size=2001 entry=DELETE" \
      "alloc size=2002 align=16 entry=NEW" "free size=2002 entry=FREE_SIZED" \
      "alloc size=2003 align=64 entry=NEW_ALIGNED" "free size=2003 entry=FREE_ALIGNED_SIZED" \
      "alloc size=2004 align=16 entry=NEW" "free size=2004 entry=DELETE" \
      "alloc size=2005 align=128 entry=NEW_ALIGNED" "free size=2005 entry=DELETE"; do
    grep -qx "$line" "$dir/cxx.txt" && ok "c++ entry: $line" || fail "c++ entry: $line"
  done

  # `alignbench record` lists every trace, and says what it did not record without %p.
  "$ab" record --lib "$lib" --timestamps -o "$dir/cli.%p.abt" -- "$prog" fork 10 5 >"$dir/out" 2>&1; rc=$?
  status cli-fork-status $rc 0
  n=$(grep -c "wrote $dir/cli\.[0-9]*\.abt: [0-9]* ops, 1 thread(s), program rec_prog (pid [0-9]*, ended by" "$dir/out")
  [ "$n" -eq 2 ] && ok cli-lists-both-traces || fail "cli-lists-both-traces ($n)"
  grep -q "2 trace(s)" "$dir/out" && ok cli-counts-traces || fail cli-counts-traces
  for f in "$dir"/cli.*.abt; do expect "cli-timestamps-$(basename "$f")" "$f" timestamps 1; done
  "$ab" record --lib "$lib" -o "$dir/cli1.abt" -- "$prog" fork 10 5 >"$dir/out" 2>&1; rc=$?
  status cli-fork-no-pid-status $rc 0
  grep -q "note: rec_prog forked 1 process(es), not recorded: put %p" "$dir/out" &&
    ok cli-says-child-not-recorded || fail cli-says-child-not-recorded
  "$ab" record --lib "$lib" -o "$dir/cli2.abt" -- "$prog" exec 10 "$prog" exit 5 0 >"$dir/out" 2>&1; rc=$?
  grep -q "note: the trace is rec_prog's, the program exec'd last; the 1 program(s) before it were not recorded" "$dir/out" &&
    ok cli-says-exec-not-recorded || fail cli-says-exec-not-recorded
  "$ab" record --lib "$lib" --text -o "$dir/cli3.%p.txt" -- "$prog" exit 10 0 >"$dir/out" 2>&1; rc=$?
  n=$(ls "$dir" | grep -c '^cli3\..*\.txt$'); m=$(ls "$dir" | grep -c '^cli3.*\.bin$')
  [ "$rc" -eq 0 ] && [ "$n" -eq 1 ] && [ "$m" -eq 0 ] && ok cli-text-with-pid || fail "cli-text-with-pid ($rc $n $m)"
}

line="the program's line"
# no_harm NAME VICTIM: the program's own file holds exactly the line it wrote
no_harm() {
  printf '%s\n' "$line" >"$dir/line"
  if cmp -s "$dir/line" "$2"; then
    ok "$1-file-untouched"
  else
    fail "$1-file-untouched ($(head -c 60 "$2" | od -c | head -2))"
  fi
}
# stopped NAME OUTPUT TRACE: the recorder said it stopped, and left no trace under TRACE's name
# but the partial temporary file it names
stopped() {
  local tmp
  tmp=$(sed -n "s/.*: the program closed or replaced the trace's descriptor (fd [0-9]*): recording stopped, nothing more is written; the partial trace is left in \(.*\)$/\1/p" "$2")
  cp "$2" "$dir/out"
  if [ -n "$tmp" ] && [ -f "$tmp" ] && [ ! -e "$3" ]; then ok "$1-says-stopped"; else fail "$1-says-stopped"; fi
}
# The recorder's descriptor sits just below min(hard limit of open files, 4096) - 64 (above the
# soft limit of 1024 the tests set): out of reach of close(3..1023) if that is above 1023.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=4096
[ "$hard" -gt 4096 ] && hard=4096
# kept_or_stopped NAME RC OUTPUT TRACE ALLOCS: a valid trace with ALLOCS marked allocs and frees,
# or, if the descriptor could not be placed above 1023, the recorder said it stopped
kept_or_stopped() {
  if [ $(( hard - 64 )) -gt 1023 ]; then
    status "$1-status" "$2" 0
    cp "$3" "$dir/out"
    valid "$1" "$4"; [ -n "$5" ] && marked "$1" "$4" "$5" "$5"
  else
    stopped "$1" "$3" "$4"
  fi
}

descriptors() {
  local rc
  # close(3..1023) with a soft limit of 1024, as a daemon does, then a file of its own.
  (ulimit -Sn 1024; "$ab" record --lib "$lib" -o "$dir/c.abt" -- "$prog" takefd 0 1023 "$dir/victim.c" \
    >"$dir/c.out" 2>&1); rc=$?
  no_harm close-1023 "$dir/victim.c"
  grep -qx "nofile 1024" "$dir/c.out" && ok close-1023-soft-limit-kept || fail "close-1023-soft-limit-kept ($(head -1 "$dir/c.out"))"
  kept_or_stopped close-1023 $rc "$dir/c.out" "$dir/c.abt" 200000

  # close_range(3, ~0): nothing is out of reach; the recorder must notice and stop.
  "$ab" record --lib "$lib" -o "$dir/all.abt" -- "$prog" takefd 0 all "$dir/victim.all" >"$dir/all.out" 2>&1; rc=$?
  no_harm close-all "$dir/victim.all"
  status close-all-status $rc 1
  stopped close-all "$dir/all.out" "$dir/all.abt"

  # dup2 of the program's file over the recorder's descriptor: same number, another file.
  "$ab" record --lib "$lib" -o "$dir/dup.abt" -- "$prog" takefd 0 dup2 "$dir/victim.dup" >"$dir/dup.out" 2>&1; rc=$?
  no_harm dup2 "$dir/victim.dup"
  status dup2-status $rc 1
  stopped dup2 "$dir/dup.out" "$dir/dup.abt"

  # Without `alignbench record` (no manifest) the recorder says it on stderr.
  LD_PRELOAD=$lib AB_RECORD_OUT="$dir/dup1.abt" "$prog" takefd 0 dup2 "$dir/victim.dup1" >"$dir/dup1.out" 2>&1; rc=$?
  no_harm dup2-stderr "$dir/victim.dup1"
  status dup2-stderr-status $rc 0
  stopped dup2-stderr "$dir/dup1.out" "$dir/dup1.abt"

  # The temporary name replaced by a link to the program's file while recording: the recorder
  # finishes its own file but neither renames nor removes what is at the name now.
  "$ab" record --lib "$lib" -o "$dir/ln.abt" -- "$prog" takefd 0 link "$dir/victim.ln" >"$dir/out" 2>&1; rc=$?
  no_harm tmp-replaced "$dir/victim.ln"
  status tmp-replaced-status $rc 1
  [ ! -e "$dir/ln.abt" ] && [ ! -L "$dir/ln.abt" ] && [ -L "$(ls -d "$dir"/ln.abt.tmp.* | grep -v moved)" ] &&
    ok tmp-replaced-not-renamed || fail tmp-replaced-not-renamed
  grep -q "alignbench-record: the temporary trace $dir/ln.abt.tmp.[0-9]* is no longer the file the recorder wrote" "$dir/out" &&
    ok tmp-replaced-says-why || fail tmp-replaced-says-why
}

python() {
  command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
  local rc
  (ulimit -Sn 1024; "$ab" record --lib "$lib" -o "$dir/py.abt" -- python3 -c '
import os, sys
os.closerange(3, 1024)
with open(sys.argv[1], "w") as f:
    f.write("the program'"'"'s line\n")
    f.flush()
    for i in range(200000):
        b = bytearray(1000)  # over 512 bytes: malloc, not pymalloc
' "$dir/victim.py" >"$dir/py.out" 2>&1); rc=$?
  no_harm python-closerange "$dir/victim.py"
  kept_or_stopped python-closerange $rc "$dir/py.out" "$dir/py.abt" ""
  if [ -f "$dir/py.abt" ]; then
    ops=$(val "$dir/py.abt" ops)
    [ "${ops:-0}" -ge 400000 ] && ok python-closerange-all-ops || fail "python-closerange-all-ops ($ops)"
  fi
}

paths() {
  local rc p pid
  printf 'precious\n' >"$dir/precious"
  # A symlink planted at the temporary name (the pid is known: a shell that execs the program).
  sh -c 'ln -s "$1" "$2.tmp.$$" && exec env LD_PRELOAD="$3" AB_RECORD_OUT="$2" "$4" exit 100 0' \
    sh "$dir/precious" "$dir/sl.abt" "$lib" "$prog" >"$dir/sl.out" 2>&1; rc=$?
  cp "$dir/sl.out" "$dir/out"
  status tmp-link-status $rc 0
  [ "$(cat "$dir/precious")" = precious ] && ok tmp-link-not-followed || fail tmp-link-not-followed
  [ ! -e "$dir/sl.abt" ] && [ ! -L "$dir/sl.abt" ] && ok tmp-link-no-trace || fail tmp-link-no-trace
  grep -q "alignbench-record: cannot create the temporary trace $dir/sl.abt.tmp.[0-9]*: File exists (EEXIST); the program runs unrecorded" "$dir/sl.out" &&
    ok tmp-link-says-why || fail tmp-link-says-why

  # A symlink at the final name is replaced, not followed (rename(2); held before this too).
  printf 'precious\n' >"$dir/precious2"
  ln -s "$dir/precious2" "$dir/fl.abt"
  rec "$dir/fl.abt" "$prog" exit 10 0
  [ "$(cat "$dir/precious2")" = precious ] && [ ! -L "$dir/fl.abt" ] && ok final-link-not-followed || fail final-link-not-followed
  valid final-link "$dir/fl.abt"

  # A relative AB_RECORD_OUT, then a chdir: the trace lands where the program started.
  mkdir "$dir/sub"
  (cd "$dir" && LD_PRELOAD=$lib AB_RECORD_OUT=rel.abt "$prog" chdir 100 sub >"$dir/out" 2>&1); rc=$?
  status chdir-status $rc 0
  valid chdir "$dir/rel.abt"; marked chdir "$dir/rel.abt" 200 100
  [ -z "$(ls "$dir/sub")" ] && [ -z "$(ls "$dir" | grep '^rel\.abt\.tmp')" ] && ok chdir-nothing-else || fail "chdir-nothing-else ($(ls "$dir" "$dir/sub"))"

  # setuid to nobody: the folder (root's, 0755) can no longer be written; the trace stays under its
  # temporary name and the error says which paths and why.
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -m 0755 "$dir/su"
    LD_PRELOAD=$lib AB_RECORD_OUT="$dir/su/su.abt" "$prog" setuid 10 65534 >"$dir/su.out" 2>&1; rc=$?
    cp "$dir/su.out" "$dir/out"
    status setuid-status $rc 0
    p=$(ls "$dir/su" | sed -n 's/^su\.abt\.tmp\.\([0-9]*\)$/\1/p')
    grep -q "alignbench-record: cannot rename the finished trace $dir/su/su.abt.tmp.$p to $dir/su/su.abt: Permission denied (EACCES); the trace is left under its temporary name" "$dir/su.out" &&
      ok setuid-names-cause || fail setuid-names-cause
    [ -n "$p" ] && valid setuid-trace-kept "$dir/su/su.abt.tmp.$p"
  else
    echo "skip setuid-names-cause (needs root)"
  fi

  # SIGKILL leaves NAME.tmp.PID; the next `alignbench record` with that output removes it, and
  # only it: not a file of a live process, not a link, not a name of another form.
  local pattern
  printf 'precious\n' >"$dir/precious3"
  for pattern in st.abt 'st.%p.abt'; do
    "$ab" record --lib "$lib" -o "$dir/$pattern" -- "$prog" wait 100 "$dir/ready.st" >"$dir/st1.out" 2>&1 &
    pid=$!
    if p=$(wait_ready "$dir/ready.st"); then kill -KILL "$p"; else kill -KILL $pid; fi
    wait $pid
    rm -f "$dir/ready.st"
    local stale=$dir/${pattern/\%p/$p}.tmp.$p
    [ -f "$stale" ] && ok "stale-$pattern-left-by-sigkill" || fail "stale-$pattern-left-by-sigkill ($(ls "$dir"))"
    local gone; gone=$(sh -c 'echo $$')
    local alive=$dir/${pattern/\%p/$$}.tmp.$$ other=${stale}x link=$dir/${pattern/\%p/$gone}.tmp.$gone
    : >"$alive"; : >"$other"; ln -s "$dir/precious3" "$link"
    "$ab" record --lib "$lib" -o "$dir/$pattern" -- "$prog" exit 10 0 >"$dir/out" 2>&1; rc=$?
    status "stale-$pattern-status" $rc 0
    [ ! -e "$stale" ] && grep -qF "alignbench record: removed $stale, a temporary trace left by process $p, which is gone" "$dir/out" &&
      ok "stale-$pattern-removed" || fail "stale-$pattern-removed"
    [ -f "$alive" ] && [ -f "$other" ] && [ -L "$link" ] && [ "$(cat "$dir/precious3")" = precious ] &&
      ok "stale-$pattern-others-kept" || fail "stale-$pattern-others-kept"
    rm -f "$alive" "$other" "$link"
  done
}

case "$part" in
  endings) endings ;;
  processes) processes ;;
  descriptors) descriptors ;;
  python) python ;;
  paths) paths ;;
  *) echo "unknown part $part"; exit 2 ;;
esac
finish "recorder.$part"
