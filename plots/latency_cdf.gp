# latency_cdf.gp: the latency distribution of one op kind in one workload, as a CDF.
# One step line per allocator, x on a log scale. Data (harness/report/chart_data.c): one block per
# allocator (`index i-1`), rows "ns_upper cumulative_fraction". ARG7: the x axis label.
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
set logscale x 10
set yrange [0:1.02]
set ytics 0, 0.1, 1
set format x "%.0s%c"
set grid xtics ytics lc rgb "#dddddd"
set xlabel ARG7
set ylabel "fraction of operations at or below x"
# the usual reading points of a latency distribution
set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 2 lc rgb "#888888"
set arrow 2 from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 2 lc rgb "#888888"
set label 1 "p50" at graph 0.005, first 0.5 offset 0, 0.5 font ",8" tc rgb "#555555"
set label 2 "p99" at graph 0.005, first 0.99 offset 0, -0.7 font ",8" tc rgb "#555555"
plot for [i=1:nalloc] datafile index (i - 1) using 1:2 title alloc(i) \
     with steps lw 2 lc rgb alloc_color(alloc(i))
