#!/usr/bin/env bash
# install_prefix.sh BUILD_DIR: installs BUILD_DIR into a temporary prefix and checks that the
# installed alignbench works from an unrelated directory: it finds its runner (run, list), its
# recorder (record) and its plots (charts, when gnuplot is there) relative to its own location,
# and the man page generated from --help is installed and well-formed.
set -euo pipefail
build=$1
. "$(dirname "$0")/../lib.sh"
tmp=$dir

cmake --install "$build" --prefix "$tmp/p" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2
  die "cmake --install failed"
}
p=$tmp/p
for f in bin/alignbench share/man/man1/alignbench.1 share/alignbench/plots/style.gp \
  share/doc/alignbench/LICENSE share/doc/alignbench/README.md \
  share/doc/alignbench/docs/running.md share/doc/alignbench/results/README.md; do
  [ -f "$p/$f" ] || die "not installed: $f"
done
runner=$(find "$p" -name alignbench-runner -type f)
recorder=$(find "$p" -name libalignbench-record.so -type f)
[ -x "$runner" ] || die "no runner under the prefix"
[ -f "$recorder" ] || die "no recorder library under the prefix"
echo "install.prefix: installed $(find "$p" -type f | wc -l) files; runner ${runner#"$p"/}," \
  "recorder ${recorder#"$p"/}"

mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
ab=$p/bin/alignbench
unset AB_PLOTS_DIR

# run: the runner and (with gnuplot) the plots, from the prefix.
"$ab" run --alloc malloc,bump --workload rpc --scale 0.02 --reps 2 --out out >run.log 2>&1 || {
  cat run.log >&2
  die "installed alignbench run failed"
}
res=$(find out -name results.json | head -n 1)
[ -n "$res" ] || die "run wrote no results.json"
grep -q '"complete": *true' "$res" || die "run's results.json is not complete"
if command -v gnuplot >/dev/null; then
  ls "$(dirname "$res")"/charts/*.png >/dev/null 2>&1 || {
    cat run.log >&2
    die "no charts, though gnuplot is installed"
  }
  echo "install.prefix: run ok, $(ls "$(dirname "$res")"/charts/*.png | wc -l) PNG charts"
else
  echo "install.prefix: run ok (no gnuplot: no charts checked)"
fi

# list: every built-in allocator probed through the installed runner.
"$ab" list >list.log 2>&1 || {
  cat list.log >&2
  die "installed alignbench list failed"
}
grep -Eq '^malloc +yes' list.log || {
  cat list.log >&2
  die "list does not show malloc as available"
}
echo "install.prefix: list ok"

# record: the installed recorder library.
"$ab" record -o t.abt -- /bin/true >record.log 2>&1 || {
  cat record.log >&2
  die "installed alignbench record failed"
}
[ -s t.abt ] || die "record wrote no trace"
echo "install.prefix: record ok"

# The man page: a roff header, every command's section, and man can format it.
page=$p/share/man/man1/alignbench.1
head -n 1 "$page" | grep -q '^\.TH ALIGNBENCH 1 ' || die "alignbench.1 has no .TH header"
for c in run list check plot micro compare gen trace record; do
  grep -q "^\.SS \"alignbench $c\"" "$page" || die "alignbench.1 has no section for $c"
done
for s in "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
  grep -q "^\.SH $s\$" "$page" || die "alignbench.1 has no $s section"
done
# SEE ALSO names installed files: each one it names is there, relative to bin/ as it says.
docdir=$(sed -n '/^\.SH SEE ALSO/,$p' "$page" | grep -o '\\fI\.\./[^\\]*/\\fR' | head -n 1 |
  sed 's/^\\fI\.\.\///; s/\/\\fR$//')
[ -n "$docdir" ] && [ -d "$p/$docdir" ] || die "SEE ALSO's folder '$docdir' is not installed"
named=$(sed -n '/^\.SH SEE ALSO/,$p' "$page" | grep -o '\\fI[a-z][a-zA-Z/\\-]*\.md\\fR' |
  sed 's/^\\fI//; s/\\fR$//; s/\\-/-/g')
[ "$(wc -w <<<"$named")" -ge 5 ] || die "SEE ALSO names too few files: $named"
for f in $named; do
  [ -f "$p/$docdir/$f" ] || die "SEE ALSO names $f, not installed in $docdir"
done
echo "install.prefix: EXIT STATUS, ENVIRONMENT, FILES; SEE ALSO's $(wc -w <<<"$named") files installed"
if command -v man >/dev/null; then
  # into a file first: with pipefail, head closing the pipe early could die man by SIGPIPE
  MANWIDTH=80 man -l "$page" >"$tmp/man.txt" 2>/dev/null
  head -n 5 "$tmp/man.txt" | grep -q 'alignbench' || die "man -l cannot format alignbench.1"
  echo "install.prefix: man page ok (man -l)"
else
  echo "install.prefix: man page ok (header; no man to format it)"
fi
