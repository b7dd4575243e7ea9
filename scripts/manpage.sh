#!/usr/bin/env bash
# manpage.sh ALIGNBENCH OUT VERSION DOCDIR: writes the man page alignbench.1 (roff) from the
# program's own `--help` and each command's `--help`, so that the installed man page can never
# disagree with the program, then the sections no --help has: EXIT STATUS (harness/common/
# exit_codes.h), ENVIRONMENT, FILES and SEE ALSO (the documentation installed in DOCDIR, relative
# to the prefix: share/doc/alignbench). The help text is kept as it is printed (.nf), escaped for
# roff. Run by the build (CMakeLists.txt, target ab_manpage); installed to share/man/man1/.
set -euo pipefail
exe=$1 out=$2 version=$3 docdir=$4

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
  cat <<'ROFF'
.SH EXIT STATUS
Every command:
.TP
.B 0
it did its job (\fBcompare\fR: no significant regression; \fBcheck\fR: every check passed).
.TP
.B 1
it ran but failed: \fBrun\fR finished no run ok, a \fB\-\-program\fR run failed, or the
results could not be written; \fBcompare\fR found a regression or a failed cell; \fBcheck\fR
saw a check fail or a child crash; \fBmicro\fR had an allocator fail; a file could not be read
or written; \fBrecord\fR got no valid trace.
.TP
.B 2
bad usage, refused before any work: an unknown command or option, a bad value, an unknown
allocator or workload, an invalid trace given to \fBrun\fR, unreadable or mismatched files given
to \fBcompare\fR. Nothing is created.
.TP
.B 77
\fBcheck\fR: no chosen allocator can run here, so nothing was checked.
.TP
.B 127
\fBrecord\fR: the program could not be executed.
.TP
.B 128 + N
\fBrun\fR was interrupted by signal N (130 for SIGINT, 143 for SIGTERM): the results so far are
kept, with "complete": false; \fBrecord\fR: the program was killed by signal N.
.SH ENVIRONMENT
.TP
.B AB_PLOTS_DIR
the folder of the gnuplot scripts of the charts (default: the installed ones, below).
.TP
.B AB_GNUPLOT
the gnuplot program to run (default: \fBgnuplot\fR on the PATH).
.TP
.B TMPDIR
where \fBrun \-\-list\fR, \fBlist\fR, \fBrecord\fR and \fBbench\-harness\fR make their temporary
files (default /tmp).
.TP
.B GITHUB_STEP_SUMMARY
when set and not empty, \fBcompare \-\-format markdown\fR also appends its table to the file it
names.
.TP
.B GLIBC_TUNABLES, MALLOC_ARENA_MAX, MALLOC_*_, MALLOC_CONF, MIMALLOC_*, TCMALLOC_*
allocator settings: passed on to the measured children of the allocators they apply to, and
recorded in the results (context.settings); a variant (\fB\-\-alloc NAME=BASE:VAR=value\fR) sets
them for its own children only.
.TP
.B LD_PRELOAD
\fBrecord\fR puts its recorder in front of it; \fBrun\fR drops an inherited one from the measured
children, which get only the allocator under test.
ROFF
  printf '.SH FILES\n'
  printf 'Installed, alignbench finds its measuring child in \\fI../libexec/alignbench/\\fR, the\n'
  printf 'recorder and the malloc probe in \\fI../lib/alignbench/\\fR and the gnuplot scripts in\n'
  printf '\\fI../share/alignbench/plots/\\fR, relative to its own directory;\n'
  printf '.B AB_PLOTS_DIR\noverrides the last.\n'
  printf '.TP\n.I RUN_DIR/results.json, results.csv\n'
  printf 'what \\fBrun\\fR writes (default RUN_DIR: results/<UTC date-time>), with \\fItraces/\\fR,\n'
  printf '\\fIlogs/\\fR, \\fIcharts/\\fR and \\fIreport.html\\fR; the schema is in\n'
  printf '\\fI../%s/results/README.md\\fR.\n' "$docdir"
  printf '.TP\n.I ../include/alignbench/alignbench_plugin.h\n'
  printf 'the plug-in SDK, with \\fBpkg\-config \-\-cflags alignbench\-plugin\\fR and CMake'"'"'s\n'
  printf '\\fBfind_package(alignbench)\\fR.\n'
  printf '.SH SEE ALSO\n'
  printf 'The documentation installed with alignbench, in \\fI../%s/\\fR relative to its own\n' "$docdir"
  printf 'directory (\\fI/usr/local/%s/\\fR for the prefix /usr/local): \\fIREADME.md\\fR, then\n' "$docdir"
  printf '\\fIdocs/README.md\\fR (the index), \\fIdocs/running.md\\fR, \\fIdocs/allocators.md\\fR,\n'
  printf '\\fIdocs/measurement.md\\fR, \\fIdocs/micro\-and\-ci.md\\fR, \\fIdocs/install.md\\fR and the\n'
  printf 'results files'"'"' schema \\fIresults/README.md\\fR.\n'
  printf '.PP\n\\fBgnuplot\\fR(1), \\fBpkg\-config\\fR(1), \\fBld.so\\fR(8)\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
