# align_overhead.gp: what alignment costs in one workload, per alignment class (16, 32, 64,
# 4096...), two panels: bytes of footprint per requested byte (1 = no overhead) and the alloc
# latency p50, one bar per allocator in its colour.
# Data (harness/chart_data.c): two blocks, rows "align v_alloc1 ...". ARG7, ARG8: "log" or
# "linear" for each panel.
width = 1160
height = 520
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
set xlabel "requested alignment, bytes"
unset key
set multiplot layout 1, 2 title charttitle font ",13" margins 0.07, 0.86, 0.14, 0.88 spacing 0.08, 0.1
do for [p=1:2] {
    scale = (p == 1) ? ARG7 : ARG8
    unset logscale y
    if (scale eq "log") { set logscale y 10; set yrange [*:*] } else { set yrange [0:*] }
    set title (p == 1 ? "footprint per requested byte (1 = none wasted)" : "alloc latency p50") font ",11"
    set ylabel (p == 1 ? "footprint bytes / requested bytes" : "ns per alloc, net of replay floor") offset 1, 0
    if (p == 2) { set key at screen 0.995, screen 0.88 top right vertical Left reverse noautotitle samplen 2 spacing 1.2 }
    plot for [i=1:nalloc] datafile index (p - 1) using (column(i + 1)):xtic(1) \
         title alloc(i) lc rgb alloc_color(alloc(i))
}
unset multiplot
