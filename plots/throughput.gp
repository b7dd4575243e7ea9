# throughput.gp: median Mops/s per allocator and workload with min-max error bars from the
# repetitions; clusters per workload, one bar per allocator in its colour.
# Data (harness/report/chart_data.c): rows "workload median min max" with the three columns repeated
# per allocator. ARG7: the y scale first (see yscale in style.gp); ARG8: the y axis label.
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
set style data histogram
set style histogram errorbars gap 1.5 lw 1.2
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
# many workloads (recorded traces named after their process) would print their names over each
# other: slant them. Rows are counted before the y range is set and from a constant column: a
# stats of the medians checks them against the y range, and a net Mops/s below 0 (noise on a
# loaded machine) was "out of range", leaving STATS_records undefined.
stats datafile using (1) nooutput
eval yscale(word(ARG7, 1))
set ylabel ARG8
set xlabel "workload"
if (STATS_records > 6) { set xtics rotate by 30 right; set bmargin 7 }
plot for [i=1:nalloc] datafile using (column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)):xtic(1) \
     title alloc(i) lc rgb alloc_color(alloc(i))
