# latency_percentiles.gp: allocation latency percentiles of one workload, grouped bars.
# Clusters are the percentiles (p50, p99, p99.9); inside a cluster one bar per allocator, in
# the allocator's colour. Data (harness/chart_data.c): one row per percentile, label then one
# column per allocator. ARG7: the y scale (see yscale in style.gp); ARG8: the y axis label.
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
eval yscale(ARG7)
set ylabel ARG8
set xlabel "percentile of the alloc operation"
plot for [i=1:nalloc] datafile using (column(i + 1)):xtic(1) \
     title alloc(i) lc rgb alloc_color(alloc(i))
