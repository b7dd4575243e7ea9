#!/usr/bin/env bash
# cli_trace.sh ALIGNBENCH: the gen and trace commands end to end: every command answers --help,
# generated traces pass `trace check`, binary -> text -> binary is byte-identical through
# `trace convert`, `trace stats` reports the counts, and bad input exits non-zero with a message
# naming the problem.
set -uo pipefail
ab=$1
. "$(dirname "$0")/../lib.sh"
check() { # NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$dir/out" 2>&1; then ok "$name"; else fail "$name"; fi
}
refuses() { # NAME PATTERN COMMAND...: the command must fail with PATTERN in its output
  local name=$1 pattern=$2; shift 2
  if "$@" >"$dir/out" 2>&1; then bad "$name (succeeded)";
  elif grep -q -- "$pattern" "$dir/out"; then ok "$name";
  else fail "$name (no '$pattern')"; fi
}

check gen-help "$ab" gen --help
for g in rpc il simd; do
  check "gen-$g-help" "$ab" gen $g --help
  check "gen-$g" "$ab" gen $g --seed 3 --scale 0.01 -o "$dir/$g.abt"
  check "trace-check-$g" "$ab" trace check "$dir/$g.abt"
  grep -q '^ok: [0-9]* ops$' "$dir/out" || bad "trace-check-$g-says-ok"
  check "convert-$g-to-text" "$ab" trace convert "$dir/$g.abt" "$dir/$g.txt"
  check "convert-$g-to-binary" "$ab" trace convert "$dir/$g.txt" "$dir/$g.2.abt"
  check "convert-$g-bytes-identical" cmp "$dir/$g.abt" "$dir/$g.2.abt"
done
check gen-rpc-all-nodes "$ab" gen rpc --nodes all --scale 0.01 -o "$dir/rpcall.abt"
check trace-help "$ab" trace --help
check trace-stats "$ab" trace stats "$dir/il.abt"
grep -q '^  alloc *30000$' "$dir/out" && grep -q '^metadata *generator=il seed=3' "$dir/out" &&
  grep -q '^  4 ' "$dir/out" || fail trace-stats-content
check convert-to-flag "$ab" trace convert --to text "$dir/rpc.abt" "$dir/rpc.any"
head -1 "$dir/rpc.any" | grep -q '^# alignbench-trace 2$' || bad convert-to-flag-text

printf '# alignbench-trace 1\nalloc 0 8 8\nfree 0\nfree 0\n' >"$dir/double.txt"
refuses check-double-free-names-op-and-line "op 2 (line 4): free of id 0: double free" "$ab" trace check "$dir/double.txt"
refuses convert-refuses-invalid "double free" "$ab" trace convert "$dir/double.txt" "$dir/x.abt"
test ! -e "$dir/x.abt" || bad convert-refused-leaves-no-file
printf '# alignbench-trace 1\nalloc 0 8 24\n' >"$dir/align.txt"
refuses check-align-24 "line 2: alignment 24" "$ab" trace check "$dir/align.txt"
head -c 1000 "$dir/simd.abt" >"$dir/trunc.abt"
refuses check-truncated "truncated" "$ab" trace check "$dir/trunc.abt"
refuses check-missing-file "No such file" "$ab" trace check "$dir/none.abt"
refuses gen-unknown "unknown generator 'nope'" "$ab" gen nope -o "$dir/n.abt"
refuses gen-threads "out of range (1..64)" "$ab" gen rpc --threads 65 -o "$dir/n.abt"
refuses gen-needs-output "-o FILE is required" "$ab" gen rpc
refuses gen-bad-scale "not a number" "$ab" gen rpc --scale x -o "$dir/n.abt"
refuses trace-unknown-sub "unknown subcommand" "$ab" trace frob

finish workloads.cli_trace
