# fleet.gp: several runs (machines or settings) side by side for one workload, drawn by
# `alignbench report R1 R2 ...`: one group of bars per run, one bar per allocator in its colour;
# three panels: median time per op, median Mops/s, median frag_peak.
# Data (harness/report/chart_data.c, ab_chart_data_write_fleet): one row per run, "label" then
# nalloc times, nalloc Mops/s, nalloc frag_peak values (NaN where the run has no such cell).
# The label is "run id|field=value|...": one line each under the run's bar group. ARG7: the time
# metric's key (ns_per_op_net, or ns_per_op), which the top panel's title names.
stats ARG3 using 2 nooutput
n_rows = STATS_records
nalloc = words(ARG6)
width = (n_rows * (nalloc * 40 + 160) + 300 > 960) ? n_rows * (nalloc * 40 + 160) + 300 : 960
height = 1100
lines(s) = (strstrt(s, "|") > 0) ? s[1:strstrt(s, "|") - 1]."\n".lines(s[strstrt(s, "|") + 1:]) : s
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
set xtics font ",9" noenhanced
set key outside right top vertical Left reverse samplen 2 spacing 1.2
set xrange [-0.6:n_rows - 0.4]
set multiplot layout 3, 1 title charttitle font ",13" margins 0.08, 0.83, 0.1, 0.93 spacing 0.1, 0.16
do for [p=1:3] {
    set title (p == 1 ? ARG7.": median ns per op" : p == 2 ? "mops: median Mops/s (higher is better)" : "frag_peak: median (max F / max L - 1)") font ",11"
    set ylabel (p == 1 ? "ns per op" : p == 2 ? "Mops/s" : "frag_peak")
    set yrange [*<0:*]
    plot for [i=1:nalloc] datafile using (column(1 + (p - 1) * nalloc + i)):xtic(lines(strcol(1))) \
         title alloc(i) lc rgb alloc_color(alloc(i))
    unset key
}
unset multiplot
