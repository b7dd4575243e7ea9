# fragmentation.gp: the fragmentation summary of a run, three panels side by side: frag_peak,
# frag_avg and retained (MiB), clusters per workload, one bar per allocator in its colour.
# Data (harness/chart_data.c): three blocks (index 0, 1, 2), rows "workload v_alloc1 ...".
# ARG7..ARG9: "log" or "linear" for each panel.
width = 1200
height = 520
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
unset key
set multiplot layout 1, 3 title charttitle font ",13" margins 0.06, 0.86, 0.12, 0.88 spacing 0.06, 0.1
do for [p=1:3] {
    scale = (p == 1) ? ARG7 : (p == 2) ? ARG8 : ARG9
    unset logscale y
    # linear panels always show 0 (a bar's height is read against it)
    if (scale eq "log") { set logscale y 10; set yrange [*:*] } else { set yrange [*<0:*] }
    set title (p == 1 ? "frag_peak" : p == 2 ? "frag_avg" : "retained") font ",11"
    set ylabel (p == 1 ? "max F / max L - 1" : p == 2 ? "(integral F) / (integral L) - 1" : "MiB resident after all frees") offset 1, 0
    if (p == 3) { set key at screen 0.995, screen 0.88 top right vertical Left reverse noautotitle samplen 2 spacing 1.2 }
    plot for [i=1:nalloc] datafile index (p - 1) using (column(i + 1)):xtic(1) \
         title alloc(i) lc rgb alloc_color(alloc(i))
}
unset multiplot
