#!/usr/bin/env bash
# cli_record.sh ALIGNBENCH STRESS: `alignbench record` on real programs: a python3 script that
# calls every interposed function (through ctypes) from several threads and forks a child,
# `gcc -c` on a file of this repository, `git log`, and STRESS (record_stress.c: 4 threads
# freeing each other's blocks at full speed). Each trace must pass `trace check`, and `trace stats`
# must show what the script is known to have done (counts that cannot appear otherwise).
set -uo pipefail
ab=$1
stress=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"
# stat_count FILE LABEL: the count on the histogram line "  LABEL  COUNT  PCT%"
stat_count() { awk -v l="$2" '$1 == l && $3 ~ /%$/ { print $2; exit }' "$1"; }

cat >"$dir/prog.py" <<'PY'
import ctypes, os, threading
libc = ctypes.CDLL(None)
libc.malloc.restype = libc.calloc.restype = libc.realloc.restype = ctypes.c_void_p
libc.aligned_alloc.restype = libc.memalign.restype = ctypes.c_void_p
libc.valloc.restype = libc.pvalloc.restype = ctypes.c_void_p
libc.realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
def calls():
    blocks = []
    for _ in range(100):
        p = ctypes.c_void_p()
        assert libc.posix_memalign(ctypes.byref(p), 64, 1000) == 0
        blocks.append(p.value)
    blocks += [libc.aligned_alloc(4096, 100) for _ in range(50)]
    blocks += [libc.memalign(32, 300) for _ in range(30)]
    blocks += [libc.valloc(5000) for _ in range(20)]
    blocks += [libc.pvalloc(100) for _ in range(10)]
    blocks += [libc.calloc(7, 1000) for _ in range(40)]
    q = libc.malloc(10)
    for n in range(1, 60):
        q = libc.realloc(q, n * 1000)
    blocks.append(q)
    for b in blocks:
        libc.free(b)
threads = [threading.Thread(target=calls) for _ in range(3)]
for t in threads: t.start()
for t in threads: t.join()
pid = os.fork()
if pid == 0:
    calls()
    os._exit(0)
os.waitpid(pid, 0)
PY

if "$ab" record --help >"$dir/out" 2>&1 && grep -q -- '--timestamps' "$dir/out" && grep -q '%p' "$dir/out"
then ok record-help; else fail record-help; fi
if "$ab" record -o "$dir/py.abt" -- python3 "$dir/prog.py" >"$dir/out" 2>&1; then
  ok record-python
else
  fail record-python
fi
if "$ab" trace check "$dir/py.abt" >"$dir/out" 2>&1; then ok record-python-valid; else fail record-python-valid; fi
"$ab" trace stats "$dir/py.abt" >"$dir/stats" 2>&1
cp "$dir/stats" "$dir/out"
# Three threads did each call: at least 3 x the script's counts (python adds its own, and the
# forked child's calls must not appear: at most what the parent process could have made).
a4096=$(stat_count "$dir/stats" 4096); a64=$(stat_count "$dir/stats" 64); a32=$(stat_count "$dir/stats" 32)
[ "${a4096:-0}" -ge 240 ] && ok record-page-aligned-calls || fail "record-page-aligned-calls (${a4096:-0})"
[ "${a64:-0}" -ge 300 ] && ok record-posix-memalign-64 || fail "record-posix-memalign-64 (${a64:-0})"
[ "${a32:-0}" -ge 90 ] && ok record-memalign-32 || fail "record-memalign-32 (${a32:-0})"
reallocs=$(awk '$1 == "realloc" { print $2 }' "$dir/stats")
[ "${reallocs:-0}" -ge 174 ] && ok record-reallocs || fail "record-reallocs (${reallocs:-0})"
zeroed=$(awk '$1 == "zeroed" { print $3 }' "$dir/stats")
[ "${zeroed:-0}" -ge 120 ] && ok record-calloc-zeroed || fail "record-calloc-zeroed (${zeroed:-0})"
threads=$(awk '$1 == "threads" { print $2 }' "$dir/stats")
[ "${threads:-0}" -ge 4 ] && ok record-threads-numbered || fail "record-threads-numbered (${threads:-0})"
grep -q 'program=python3' "$dir/stats" && ok record-meta-names-program || fail record-meta-names-program
# The forked child ran calls() once more; the parent made 3 x 100 posix_memalign(64) calls and
# python itself makes none, so a count of 400 or more would mean the child was recorded.
[ "${a64:-0}" -lt 400 ] && ok record-fork-child-not-recorded || fail "record-fork-child-not-recorded (${a64:-0})"

if "$ab" record -o "$dir/gcc.abt" -- gcc -c "$src/workloads/trace_live.c" -I "$src" -o "$dir/x.o" >"$dir/out" 2>&1 &&
   "$ab" trace check "$dir/gcc.abt" >"$dir/out" 2>&1; then ok record-gcc; else fail record-gcc; fi
if (cd "$src" && "$ab" record --text -o "$dir/git.txt" -- git log --oneline -n 20) >"$dir/out" 2>&1 &&
   head -1 "$dir/git.txt" | grep -q '^# alignbench-trace 2$' &&
   "$ab" trace check "$dir/git.txt" >"$dir/out" 2>&1; then ok record-git-text; else fail record-git-text; fi
test ! -e "$dir/git.txt.bin" && ok record-text-leaves-no-binary || fail record-text-leaves-no-binary

if "$ab" record -o "$dir/stress.abt" -- "$stress" >"$dir/out" 2>&1 &&
   "$ab" trace check "$dir/stress.abt" >"$dir/out" 2>&1; then ok record-threads-stress-valid; else fail record-threads-stress-valid; fi
"$ab" trace stats "$dir/stress.abt" >"$dir/out" 2>&1
grep -q 'unseen_frees=0 .*implicit_frees=0' "$dir/out" && ok record-stress-no-lost-frees || fail record-stress-no-lost-frees
threads=$(awk '$1 == "threads" { print $2 }' "$dir/out")
[ "${threads:-0}" -ge 4 ] && ok record-stress-threads || fail "record-stress-threads (${threads:-0})"

"$ab" record -o "$dir/f.abt" -- false >"$dir/out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "exited with 1" "$dir/out" && ok record-passes-exit-code || fail "record-passes-exit-code ($rc)"
"$ab" record -o "$dir/n.abt" -- /nonexistent/prog >"$dir/out" 2>&1 && fail record-missing-program ||
  { grep -q "cannot run /nonexistent/prog" "$dir/out" && ok record-missing-program || fail record-missing-program; }
"$ab" record -- true >"$dir/out" 2>&1 && fail record-needs-output ||
  { grep -q -- "-o FILE is required" "$dir/out" && ok record-needs-output || fail record-needs-output; }

finish "workloads.cli_record"
