# align_overhead.gp: what alignment costs in one workload, per alignment class (16, 32, 64,
# 4096...), two panels: bytes of footprint per requested byte (1 = no overhead) and the alloc
# latency p50, one bar per allocator in its colour.
# Data (harness/report/chart_data.c): two blocks, rows "align v_alloc1 ...". ARG7, ARG8, one per
# panel: its y scale (see yscale in style.gp), then the positions in the allocator list of the
# allocators that have a value in that panel ("log 1 2 3").
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
    pa = (p == 1) ? ARG7 : ARG8
    eval yscale(word(pa, 1))
    set title (p == 1 ? "footprint per requested byte (1 = none wasted)" : "alloc latency p50") font ",11"
    set ylabel (p == 1 ? "footprint bytes / requested bytes" : "ns per alloc, net of replay floor") offset 1, 0
    if (p == 2) { set key at screen 0.995, screen 0.88 top right vertical Left reverse noautotitle samplen 2 spacing 1.2 }
    # the legend (last panel) lists every allocator, also one without data in that panel
    nkey = (p == 2) ? nalloc : 0
    if (words(pa) > 1) {
        plot for [w=2:words(pa)] datafile index (p - 1) using (column(int(word(pa, w)) + 1)):xtic(1) \
             notitle lc rgb alloc_color(alloc(int(word(pa, w)))), \
             for [i=1:nkey] keyentry with boxes fs solid 0.9 lc rgb alloc_color(alloc(i)) title alloc(i)
    } else {
        set label 99 "no data" at graph 0.5, 0.5 center
        plot [0:1][0:1] -1 notitle, \
             for [i=1:nkey] keyentry with boxes fs solid 0.9 lc rgb alloc_color(alloc(i)) title alloc(i)
        unset label 99
    }
}
unset multiplot
