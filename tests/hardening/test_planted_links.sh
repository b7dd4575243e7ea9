#!/usr/bin/env bash
# test_planted_links.sh: a results folder from elsewhere (a CI artifact, a tarball) cannot make
# alignbench write outside it through a symbolic link planted in it.
#   1. links at the old fixed temporary names of every chart (charts/.NAME.png.tmp,
#      charts/.NAME.svg.tmp) and at final names (a chart, a chart's data, report.html):
#      `plot RUN` leaves every link target untouched and every final name a regular file (the
#      rename replaces a link, it never writes through it);
#   2. RUN/charts itself a link to a folder outside: refused, naming it, nothing written there;
#   3. `export --to hgrm` into a folder with links at the old fixed temporary names and at a
#      final name: the targets are untouched.
#   4. `micro -o m.json` with links at the names its child once wrote (m.json.malloc.part,
#      m.json.malloc.log): the targets are untouched (skipped, saying so, in a build without
#      Google Benchmark).
#
# usage: test_planted_links.sh ALIGNBENCH
set -u
alignbench=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
check() { # NAME COMMAND...: run a check, report it
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }
untouched() { cmp -s "$1" victim.orig; }

"$alignbench" run --alloc malloc,bump --workload rpc --scale 0.002 --reps 1 --no-plots --quiet \
    --out "$work" --run-id run 2>run.err || {
    cat run.err
    exit 1
}
echo "precious data, not a chart" >victim.orig

# 1. Every chart's old temporary names, and some final names, are links to victims.
cp -r run run1
"$alignbench" plot run >/dev/null 2>&1 # (once, to learn the charts' names)
charts=$(cd run/charts && ls ./*.png | sed 's|^\./||; s|\.png$||')
check "the run draws charts" test -n "$charts"
mkdir -p run1/charts
n=0
for c in $charts; do
    for fmt in png svg; do
        n=$((n + 1))
        cp victim.orig "victim$n"
        ln -s "$work/victim$n" "run1/charts/.$c.$fmt.tmp"
    done
done
for final in charts/throughput.png charts/throughput.svg charts/throughput.dat report.html; do
    n=$((n + 1))
    cp victim.orig "victim$n"
    ln -s "$work/victim$n" "run1/$final"
done
"$alignbench" plot run1 >/dev/null 2>plot.err
rc=$?
check "plot with planted links exits 0 (got $rc)" test "$rc" -eq 0
for i in $(seq "$n"); do
    untouched "victim$i" || {
        echo "FAIL victim$i was written through a planted link"
        failures=$((failures + 1))
    }
done
echo "ok   checked $n link targets"
for final in charts/throughput.png charts/throughput.svg charts/throughput.dat report.html; do
    check "run1/$final is a regular file, not the planted link" regular "run1/$final"
done
check "throughput.png is a PNG" sh -c "head -c 8 run1/charts/throughput.png | grep -q PNG"

# 2. The charts folder is a link to a folder outside.
cp -r run run2
rm -rf run2/charts
mkdir outside
ln -s "$work/outside" run2/charts
"$alignbench" plot run2 >/dev/null 2>plot2.err
rc=$?
check "plot refuses a charts folder that is a link (exit $rc)" test "$rc" -ne 0
check "the message says why" grep -q "charts is a symbolic link" plot2.err
check "nothing written outside" test -z "$(ls -A outside)"

# 3. export --to hgrm: links at the old temporary names and at a final name.
mkdir hg
"$alignbench" export --to hgrm run -o "$work/hg" >/dev/null 2>&1
names=$(cd hg && ls)
check "export writes hgrm files" test -n "$names"
rm -rf hg
mkdir hg
m=0
for f in $names; do
    m=$((m + 1))
    cp victim.orig "hvictim$m"
    ln -s "$work/hvictim$m" "hg/$f.tmp"
done
first=$(echo "$names" | head -n1)
m=$((m + 1))
cp victim.orig "hvictim$m"
ln -s "$work/hvictim$m" "hg/$first"
"$alignbench" export --to hgrm run -o "$work/hg" >/dev/null 2>export.err
rc=$?
check "export with planted links exits 0 (got $rc)" test "$rc" -eq 0
for i in $(seq "$m"); do
    cmp -s "hvictim$i" victim.orig || {
        echo "FAIL hvictim$i was written through a planted link"
        failures=$((failures + 1))
    }
done
check "hg/$first is a regular file" regular "hg/$first"

# 4. micro's per-allocator part and log files.
mkdir micro
cp victim.orig micro/victim_part
cp victim.orig micro/victim_log
ln -s "$work/micro/victim_part" micro/m.json.malloc.part
ln -s "$work/micro/victim_log" micro/m.json.malloc.log
"$alignbench" micro --alloc malloc --quick --quiet --filter malloc \
    -o "$work/micro/m.json" >/dev/null 2>micro.err
rc=$?
if [ "$rc" -ne 0 ] && grep -q "no Google Benchmark" micro.err; then
    echo "skipped: micro (this build has no Google Benchmark)"
    : >micro.err
else
    check "micro with planted links exits 0 (got $rc)" test "$rc" -eq 0
    check "micro wrote through no planted link" sh -c \
        "cmp -s micro/victim_part victim.orig && cmp -s micro/victim_log victim.orig"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    cat ./*.err
    exit 1
fi
echo "all planted-link checks passed"
