# compare.gp: two runs side by side, per cell (allocator/workload, as compare names it): median time per op (top) and
# frag_peak (bottom); the base run hatched, the new run solid, in the allocator's colour, with
# the change in percent above each pair.
# Data (harness/report/chart_data.c): rows "allocator/workload allocator base_ns new_ns base_frag
# new_frag". ARG7, ARG8: the legend names of the base and the new run; ARG9: the time's unit,
# "cycles" (core cycles per op: what compare judges) or "ns" (older results).
stats ARG3 using 3 nooutput
n_rows = STATS_records
width = (n_rows * 70 + 260 > 960) ? n_rows * 70 + 260 : 960
height = 760
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set style fill solid 0.9 border
set xrange [-0.6:n_rows - 0.4]
set xtics rotate by -35 left font ",9"
set key outside right top vertical Left reverse noautotitle samplen 2 spacing 1.2
pct(b, n) = (b > 0 && n == n && b == b) ? sprintf("%+.0f%%", 100 * (n / b - 1)) : ""
set multiplot layout 2, 1 title charttitle font ",13" margins 0.08, 0.83, 0.15, 0.9 spacing 0.1, 0.13
do for [p=1:2] {
    b = (p == 1) ? 3 : 5
    tunit = (ARGC >= 9) ? ARG9 : "ns"
    set title (p == 1 ? tunit."_per_op: median ".tunit." per op (replay floor included)" : "frag_peak: median (max F / max L - 1)") font ",11"
    set ylabel (p == 1 ? tunit." per op" : "frag_peak")
    set yrange [*<0:*] # 0 always shown; a negative frag_peak (F under L) stays visible
    set offsets 0, 0, graph 0.12, 0
    plot datafile using ($0 - 0.2):(column(b)):(0.38):(alloc_color(strcol(2))):xtic(1) with boxes lc rgb variable fs pattern 4 border notitle, \
         '' using ($0 + 0.2):(column(b + 1)):(0.38):(alloc_color(strcol(2))) with boxes lc rgb variable fs solid 0.9 border rgb "#333333" notitle, \
         '' using ($0):((column(b) > column(b + 1) ? column(b) : column(b + 1))):(pct(column(b), column(b + 1))) with labels offset 0, 0.7 font ",8" notitle, \
         keyentry with boxes fs pattern 4 lc rgb "#333333" title ARG7, \
         keyentry with boxes fs solid 0.9 lc rgb "#333333" title ARG8
    unset key
}
unset multiplot
