#!/usr/bin/env bash
# check_charts.sh: every chart kind of plots/ is drawn from a real tiny run without a single
# gnuplot warning (`alignbench plot --strict` fails on any), as a non-empty PNG and SVG, every
# data file has both images, report.html embeds every PNG, and `plot BASE NEW` draws the
# comparison (panels.gp is a part of the three-panel charts, not a chart). usage: check_charts.sh ALIGNBENCH PLOTS_SRC_DIR RUN_DIR SCRATCH_DIR
set -euo pipefail
alignbench=$1 plots=$2 run=$3 scratch=$4
. "$(dirname "$0")/../lib.sh"

rm -rf "$run/charts" "$run/report.html" "$scratch"
mkdir -p "$scratch"
"$alignbench" plot --strict "$run" || die "alignbench plot --strict failed"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_svg() { grep -q '<svg' "$1" && grep -q '</svg>' "$1"; }

kinds=0
for script in "$plots"/*.gp; do
  kind=$(basename "$script" .gp)
  # programs: needs a run --program; tests/programs/program_run.sh draws it with --strict
  case $kind in style|panels|compare|fleet|programs) continue ;; esac
  kinds=$((kinds + 1))
  found=0
  for png in "$run/charts/$kind"*.png; do
    [ -e "$png" ] || continue
    svg=${png%.png}.svg
    [ -s "$png" ] && is_png "$png" || die "$png is not a non-empty PNG"
    [ -s "$svg" ] && is_svg "$svg" || die "$svg is not a non-empty SVG"
    found=$((found + 1))
  done
  [ "$found" -gt 0 ] || die "chart kind $kind ($script) produced no chart"
  echo "chart kind $kind: $found chart(s), PNG and SVG"
done
[ "$kinds" -ge 6 ] || die "expected at least 6 chart kinds in $plots, found $kinds"

ndat=0
for dat in "$run/charts"/*.dat; do
  ndat=$((ndat + 1))
  for ext in png svg; do
    [ -s "${dat%.dat}.$ext" ] || die "${dat%.dat}.$ext missing for $dat"
  done
done
npng=$(ls "$run/charts"/*.png | wc -l)
[ "$npng" -eq "$ndat" ] || die "$npng PNG files for $ndat data files"
[ -z "$(ls -A "$run/charts" | grep '\.tmp$' || true)" ] || die "temporary files left behind"

nimg=$(grep -o 'src="data:image/png;base64,[A-Za-z0-9+/=]\{100,\}"' "$run/report.html" | wc -l)
[ "$nimg" -eq "$npng" ] || die "report.html embeds $nimg images, charts/ has $npng PNG files"

"$alignbench" plot --strict -o "$scratch/cmp" "$run" "$run" || die "plot BASE NEW failed"
[ -s "$scratch/cmp/compare.png" ] && is_png "$scratch/cmp/compare.png" || die "no compare.png"
[ -s "$scratch/cmp/compare.svg" ] && is_svg "$scratch/cmp/compare.svg" || die "no compare.svg"
# default folder: NEW/compare-vs-<base run id>/
"$alignbench" plot --quiet "$run" "$run" || die "plot BASE NEW (default folder) failed"
[ -s "$run/compare-vs-run-tiny/compare.png" ] || die "no NEW/compare-vs-run-tiny/compare.png"
rm -rf "$run/compare-vs-run-tiny"
echo "check_charts.sh: $npng charts of $kinds kinds, report embeds all, comparison drawn"
