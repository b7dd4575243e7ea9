#!/usr/bin/env bash
# manpage.sh ALIGNBENCH OUT VERSION: writes the man page alignbench.1 (roff) from the program's
# own `--help` and each command's `--help`, so that the installed man page can never disagree
# with the program. The help text is kept as it is printed (.nf), escaped for roff. Run by the
# build (CMakeLists.txt, target ab_manpage); installed to share/man/man1/.
set -euo pipefail
exe=$1 out=$2 version=$3

# roff: a backslash is \e; a line starting with . or ' would be a request, \& makes it text.
escape() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

top=$("$exe" --help)
commands=$(sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$top")
[ -n "$commands" ] || { echo "manpage.sh: no commands in '$exe --help'" >&2; exit 1; }
summary=$(sed -n '3,/^$/p' <<<"$top")

mkdir -p "$(dirname "$out")"
{
  printf '.TH ALIGNBENCH 1 "" "alignbench %s" "User Commands"\n' "$version"
  printf '.SH NAME\nalignbench \\- aligned-allocation benchmarking harness\n'
  printf '.SH SYNOPSIS\n.B alignbench\n.I COMMAND\n[\\fIARGS\\fR...]\n'
  printf '.SH DESCRIPTION\n%s\n.PP\n.nf\n' "$(escape <<<"$summary")"
  escape <<<"$top"
  printf '.fi\n.SH COMMANDS\n'
  for c in $commands; do
    printf '.SS "alignbench %s"\n.nf\n' "$c"
    "$exe" "$c" --help | escape
    printf '.fi\n'
  done
  printf '.SH FILES\n'
  printf 'Installed, alignbench finds its measuring child in \\fI../libexec/alignbench/\\fR, the\n'
  printf 'recorder library in \\fI../lib/alignbench/\\fR and the gnuplot scripts in\n'
  printf '\\fI../share/alignbench/plots/\\fR, relative to its own directory;\n'
  printf '.B AB_PLOTS_DIR\noverrides the last.\n'
  printf '.SH SEE ALSO\nThe documentation in the source tree: README.md and docs/.\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
