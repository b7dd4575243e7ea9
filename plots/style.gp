# style.gp: the look shared by every alignbench chart; each plots/*.gp script runs it first with
# `call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6` (`load` would not pass the arguments on).
#
# Every chart script is run as
#   gnuplot -c SCRIPT.gp FORMAT OUTPUT DATAFILE TITLE CORNER ALLOCATORS [ARG7 ...]
# FORMAT is png or svg, DATAFILE was written by alignbench (harness/report/chart_data.c), CORNER is the
# machine and date printed in the bottom-right corner, ALLOCATORS the space-separated allocator
# names in the data file's column (or block) order. A script sets `width` and `height` (pixels)
# before loading this file when it needs another size. Text is not "enhanced": names such as
# aligned_malloc print as written.

fmt = ARG1
outfile = ARG2
datafile = ARG3
charttitle = ARG4
corner = ARG5
allocs = ARG6
nalloc = words(allocs)
if (!exists("width")) width = 960
if (!exists("height")) height = 560

if (fmt eq "svg") {
    set terminal svg size width, height dynamic noenhanced font "DejaVu Sans,12" background "white"
} else {
    set terminal pngcairo size width, height noenhanced font "DejaVu Sans,10" background "white"
}
set output outfile

# One colour per allocator, the same in every chart: the Okabe-Ito colour-blind-safe palette.
# Black is kept for the live-bytes reference (L) and grey for allocators not listed here
# (plug-ins); tcmalloc takes the yellow, the palette's least visible colour on white.
alloc_color(n) = (n eq "malloc") ? 0x0072B2 : \
                 (n eq "aligned_malloc") ? 0x56B4E9 : \
                 (n eq "jemalloc") ? 0xD55E00 : \
                 (n eq "mimalloc") ? 0x009E73 : \
                 (n eq "bump") ? 0xE69F00 : \
                 (n eq "rpcss") ? 0xCC79A7 : \
                 (n eq "tcmalloc") ? 0xF0E442 : 0x999999
alloc(i) = word(allocs, i)

# The y scale chosen by alignbench from the values (harness/report/chart_data.c, scale_for): "log";
# "zero", linear from 0; "free", linear and autoscaled (negative values); "unit", [0:1] when
# there is nothing to scale. Used as `eval yscale(word)`.
yscale(s) = (s eq "log") ? "set yrange [*:*]; set logscale y 10" : \
            (s eq "zero") ? "unset logscale y; set yrange [0:*]" : \
            (s eq "unit") ? "unset logscale y; set yrange [0:1]" : \
                            "unset logscale y; set yrange [*:*]"

# A second title line (after a newline) is a note, printed small in the bottom-left corner:
# alignbench puts there which allocators were not applicable to this chart's workload.
title_nl = strstrt(charttitle, "\n")
if (title_nl > 0) {
    set label 1001 charttitle[title_nl + 1:] at screen 0.005, 0.012 left font ",8" \
        textcolor rgb "#a04000"
    charttitle = charttitle[1:title_nl - 1]
}
set title charttitle font ",13"
set label 1000 corner at screen 0.995, 0.012 right font ",8" textcolor rgb "#555555"
set border 3 lc rgb "#444444"
set tics nomirror
set grid ytics lc rgb "#dddddd" lw 1 dt 1
set key outside right top vertical Left reverse noautotitle samplen 2 spacing 1.2
set datafile missing "NaN"
set bmargin 5
