#!/usr/bin/env bash
# check_html_chromium.sh: report.html opens in headless Chromium with no server and no network,
# every chart image is present and decodes (the dumped DOM has one <img> per PNG in charts/,
# each with a non-empty data URI; a copy of the page with a probe script added counts the
# images the browser decoded), and a screenshot of the page is not blank (it compresses to far
# more than a screenshot of an empty page of the same size).
# usage: check_html_chromium.sh RUN_DIR SCRATCH_DIR   (exit 77 = skipped: no chromium)
set -euo pipefail
run=$1 scratch=$2
. "$(dirname "$0")/../lib.sh"
command -v chromium >/dev/null || { echo "chromium not installed: skipped" >&2; exit 77; }
[ -s "$run/report.html" ] || die "$run/report.html missing (the chart test writes it)"
rm -rf "$scratch"
mkdir -p "$scratch"
browse() { # browse OUTFLAG URL
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$scratch/profile" \
    --window-size=1300,2400 --hide-scrollbars --virtual-time-budget=5000 "$@" 2>>"$scratch/chromium.log"
}
page="file://$(cd "$run" && pwd)/report.html"
browse --dump-dom "$page" >"$scratch/dom.html" || die "chromium --dump-dom failed (see $scratch/chromium.log)"
npng=$(ls "$run/charts"/*.png | wc -l)
nimg=$(grep -o '<img[^>]*src="data:image/png;base64,[A-Za-z0-9+/=]\{100,\}"' "$scratch/dom.html" | wc -l)
[ "$npng" -gt 0 ] || die "no charts to check"
[ "$nimg" -eq "$npng" ] || die "the loaded page has $nimg chart images, charts/ has $npng"
grep -q '<h1>alignbench report' "$scratch/dom.html" || die "the page has no title heading"
grep -q 'id="summary"' "$scratch/dom.html" || die "the page has no summary"
if grep -qi '<script\|<link\|src="http\|url(http' "$run/report.html"; then
  die "report.html refers to something outside itself (script, link or remote URL)"
fi

# The report has no script; a copy with a probe counts the images that really decoded.
sed 's|</body>|<script>window.onload=function(){var n=0;for(var i of document.images)if(i.complete\&\&i.naturalWidth>0)n++;document.title="decoded:"+n;};</script></body>|' \
  "$run/report.html" >"$run/.probe.html"
browse --dump-dom "file://$(cd "$run" && pwd)/.probe.html" >"$scratch/probe.html" || die "probe page failed"
rm -f "$run/.probe.html"
decoded=$(sed -n 's|.*<title>decoded:\([0-9]*\)</title>.*|\1|p' "$scratch/probe.html")
[ "${decoded:-0}" -eq "$npng" ] || die "the browser decoded ${decoded:-no} of $npng chart images"

browse --screenshot="$scratch/report.png" "$page" || die "screenshot of the report failed"
printf '<!DOCTYPE html><html><body></body></html>' >"$scratch/blank.html"
browse --screenshot="$scratch/blank.png" "file://$scratch/blank.html" || die "blank screenshot failed"
report_size=$(stat -c %s "$scratch/report.png") blank_size=$(stat -c %s "$scratch/blank.png")
[ "$report_size" -gt $((blank_size * 5)) ] ||
  die "the report screenshot ($report_size bytes) is not far from blank ($blank_size bytes)"
echo "check_html_chromium.sh: $nimg images present, $decoded decoded; screenshot $report_size bytes vs blank $blank_size"
