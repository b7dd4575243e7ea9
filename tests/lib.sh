# tests/lib.sh: what the shell tests share, sourced after `set -u`:
#   dir       a fresh temporary folder, removed when the test exits
#   ok WHAT   a passed check (printed);  bad WHAT  a failed one (printed, counted)
#   finish NAME  prints the tally and exits 1 if any check failed
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
ok() { echo "ok   $1"; }
bad() {
  echo "FAIL $1"
  failures=$((failures + 1))
}
finish() {
  [ "$failures" -eq 0 ] && echo "$1: all passed" || echo "$1: $failures failed"
  [ "$failures" -eq 0 ]
  exit
}
