#!/usr/bin/env bash
# check_fleet.sh: `alignbench report` merges two tiny runs made under different settings (B with
# MALLOC_ARENA_MAX=1 in its environment): the page lists both runs with the setting that
# differs, every chart is drawn without a gnuplot warning (--strict), the page embeds each one,
# and the warnings before a run are printed even with --quiet.
# usage: check_fleet.sh ALIGNBENCH SCRATCH_DIR   (the Chromium check runs on SCRATCH_DIR/fleet)
set -euo pipefail
alignbench=$1 scratch=$2
. "$(dirname "$0")/../lib.sh"
rm -rf "$scratch"
mkdir -p "$scratch"
tiny() { "$alignbench" run --alloc malloc,bump --workload rpc --scale 0.02 --reps 2 --no-plots \
  --quiet --out "$scratch" --run-id "$1"; }
tiny A 2>"$scratch/A.stderr" || die "run A failed: $(cat "$scratch/A.stderr")"
MALLOC_ARENA_MAX=1 tiny B 2>/dev/null || die "run B failed"
aslr=$(cat /proc/sys/kernel/randomize_va_space 2>/dev/null || echo 0)
if [ "$aslr" != 0 ]; then
  grep -q '^alignbench run: warning: ASLR is on' "$scratch/A.stderr" ||
    die "no ASLR warning with --quiet: $(cat "$scratch/A.stderr")"
fi

"$alignbench" report --strict --quiet -o "$scratch/fleet/report.html" "$scratch/A" "$scratch/B" ||
  die "alignbench report --strict failed"
page=$scratch/fleet/report.html
[ -s "$page" ] || die "no report.html"
grep -q '<h1>alignbench report, 2 runs on 1 machine</h1>' "$page" || die "heading"
for id in A B; do grep -q "<td class=l>$id</td>" "$page" || die "run $id not listed"; done
grep -q '<code>settings.MALLOC_ARENA_MAX</code> = 1' "$page" || die "B's MALLOC_ARENA_MAX=1 not shown"
grep -q '<code>settings.MALLOC_ARENA_MAX</code> = unset' "$page" || die "A's unset MALLOC_ARENA_MAX not shown"
npng=$(ls "$scratch/fleet/charts"/*.png | wc -l)
ndat=$(ls "$scratch/fleet/charts"/*.dat | wc -l)
[ "$npng" -ge 1 ] && [ "$npng" -eq "$ndat" ] || die "$npng PNG for $ndat data files"
for dat in "$scratch/fleet/charts"/*.dat; do
  [ -s "${dat%.dat}.svg" ] || die "${dat%.dat}.svg missing"
done
grep -q '"A|.*MALLOC_ARENA_MAX=unset"' "$scratch/fleet/charts/fleet-rpc.dat" || die "chart label of A"
grep -q '"B|.*MALLOC_ARENA_MAX=1"' "$scratch/fleet/charts/fleet-rpc.dat" || die "chart label of B"
nimg=$(grep -o 'src="data:image/png;base64,[A-Za-z0-9+/=]\{100,\}"' "$page" | wc -l)
[ "$nimg" -eq "$npng" ] || die "the page embeds $nimg images, charts/ has $npng"
"$alignbench" report "$scratch/A" 2>/dev/null && die "one folder accepted"
echo "check_fleet.sh: 2 runs, $npng charts drawn and embedded, differing setting shown"
