# latency_percentiles.gp: allocation latency percentiles of one workload, grouped bars.
# Clusters are the percentiles (p50, p99, p99.9); inside a cluster one bar per allocator, in
# the allocator's colour. Data (harness/report/chart_data.c): one row per percentile, label then one
# column per allocator. ARG7: the y scale (see yscale in style.gp), for "log" followed by the
# axis' bottom, at which a smaller value (a net percentile of 0 or below) is drawn; ARG8: the y
# axis label;
# ARG9: the resolution threshold in ns (3 steps of the timer; 0: unknown): the band below it is
# shaded, since a percentile there is unresolved.
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
eval yscale(word(ARG7, 1))
bottom = (word(ARG7, 1) eq "log" && words(ARG7) >= 2) ? real(word(ARG7, 2)) : 0
if (bottom > 0) { set yrange [bottom:*] }
set ylabel ARG8
set xlabel "percentile of the alloc operation"
unresolved_below = (ARGC >= 9) ? real(ARG9) : 0
if (unresolved_below > 0) {
    set object 1 rect from graph 0, graph 0 to graph 1, first unresolved_below behind \
        fc rgb "#eeeeee" fs solid 1.0 noborder
    set label 1 sprintf("below %.0f ns (3 clock steps): unresolved", unresolved_below) \
        at graph 0.01, first unresolved_below left offset 0, 0.7 font ",8" tc rgb "#a04000"
}
plot for [i=1:nalloc] datafile using (bottom > 0 && column(i + 1) < bottom ? bottom : column(i + 1)):xtic(1) \
     title alloc(i) lc rgb alloc_color(alloc(i))
