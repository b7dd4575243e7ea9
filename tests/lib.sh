# tests/lib.sh: what the shell tests share, sourced after `set -u`:
#   dir       a fresh temporary folder, removed when the test exits
#   ok WHAT   a passed check (printed);  bad WHAT  a failed one (printed, counted)
#   fail WHAT a failed one as bad, followed by the last 30 lines of $dir/out (where a test keeps
#             the output of the command it checks)
#   finish NAME  prints the tally and exits 1 if any check failed
#   die WHAT  a failure that ends the test at once (for a test whose later checks need this one)
#   skip_when_sanitized WHY  ends the test as skipped (77), saying WHY, in a sanitizer build
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
ok() { echo "ok   $1"; }
bad() {
  echo "FAIL $1"
  failures=$((failures + 1))
}
fail() {
  bad "$1"
  if [ -f "$dir/out" ]; then tail -30 "$dir/out"; fi
}
finish() {
  [ "$failures" -eq 0 ] && echo "$1: all passed" || echo "$1: $failures failed"
  [ "$failures" -eq 0 ]
  exit
}
die() {
  echo "FAIL $*" >&2
  exit 1
}
skip_when_sanitized() {
  if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
    echo "SKIP: $1"
    exit 77
  fi
}
