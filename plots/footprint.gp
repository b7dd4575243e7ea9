# footprint.gp: memory over time for one workload, one panel per allocator (multiplot), all on
# the same y scale. In each panel: L, the live requested bytes (grey area, the same trace in
# every panel), F, the process's resident memory above its baseline (allocator colour), and
# what the allocator itself reports active (dashed); dots mark the peaks of F and L.
# Data (harness/report/chart_data.c): one block per allocator, rows "op L F active" in MiB.
# ARG7: the y axis maximum in MiB; ARG8: per allocator "1" or "0", whether it reports active
# bytes (a space-separated list in block order).
cols = (words(ARG6) <= 1) ? 1 : (words(ARG6) <= 4 ? 2 : 3)
rows = int((words(ARG6) + cols - 1) / cols)
width = 480 * cols + 40
height = 310 * rows + 170
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
ymax = ARG7 + 0
set yrange [0:ymax]
set xrange [0:*]
set format x "%.0s%c"
set ylabel "MiB" offset 1, 0
set xlabel "operations" offset 0, 0.5
set bmargin 3.5
set style textbox opaque noborder margins 1, 1
# one legend for all panels, under the title (the panels differ only in colour)
top = 1 - 100.0 / height
set key at screen 0.5, screen top + 45.0 / height center center horizontal Left reverse font ",10" samplen 2 spacing 1 width 2
set multiplot layout rows, cols title charttitle font ",13" margins 0.07, 0.98, 70.0 / height, top spacing 0.07, 95.0 / height
do for [i=1:nalloc] {
    c = alloc_color(alloc(i))
    stats datafile index (i - 1) using 1:3 nooutput
    fx = STATS_pos_max_y
    fy = STATS_max_y
    xend = STATS_max_x
    stats datafile index (i - 1) using 1:2 nooutput
    lx = STATS_pos_max_y
    ly = STATS_max_y
    set title alloc(i) textcolor rgb c font ",12"
    # Label placement: a peak in the right third is labelled on its left, so that the text
    # stays in the panel; the L label goes under its dot unless that is under the axis; when
    # both peaks are close the F label moves up a line so that they do not overlap.
    ly_off = (ly < 0.12 * ymax) ? 0.8 : -1.2
    fy_off = (ly_off > 0 && abs(fy - ly) < 0.12 * ymax && abs(fx - lx) < 0.4 * xend) ? 2.2 : 0.8
    set label 1 sprintf("peak F %.3g MiB", fy) at fx, fy point pt 7 ps 1 lc rgb c font ",9" boxed front
    if (fx > 0.66 * xend) { set label 1 right offset -0.8, fy_off } else { set label 1 left offset 0.8, fy_off }
    set label 2 sprintf("peak L %.3g MiB", ly) at lx, ly point pt 7 ps 0.8 lc rgb "#000000" font ",9" boxed front
    if (lx > 0.66 * xend) { set label 2 right offset -0.8, ly_off } else { set label 2 left offset 0.8, ly_off }
    if (word(ARG8, i) eq "1") {
        plot datafile index (i - 1) using 1:2 with filledcurves x1 fc rgb "#d9d9d9" fs solid 1 title "L live requested", \
             '' index (i - 1) using 1:3 with lines lw 2 lc rgb c title "F resident", \
             '' index (i - 1) using 1:4 with lines lw 1.5 dt 2 lc rgb c title "allocator active"
    } else {
        # this allocator reports no active bytes: L and F only
        plot datafile index (i - 1) using 1:2 with filledcurves x1 fc rgb "#d9d9d9" fs solid 1 title "L live requested", \
             '' index (i - 1) using 1:3 with lines lw 2 lc rgb c title "F resident"
    }
    unset key
}
unset multiplot
