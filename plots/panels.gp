# panels.gp: three panels of cell medians side by side, clusters per workload and one bar per
# allocator in its colour; loaded (`load "panels.gp"`) by the three-panel charts after style.gp,
# with ptitle(p) and pylabel(p) defined (each panel's title and y label, p = 1..3) and pa1, pa2,
# pa3 set to the caller's ARG7..ARG9.
# Data (harness/report/chart_data.c): three blocks (index 0, 1, 2), rows "workload v_alloc1 ...".
# pa1..pa3 (the chart's ARG7..ARG9), one per panel: its y scale (see yscale in style.gp), then the positions in the
# allocator list of the allocators that have a value in that panel ("zero 1 2 4").
unset title
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
unset key
set multiplot layout 1, 3 title charttitle font ",13" margins 0.06, 0.86, 0.12, 0.88 spacing 0.06, 0.1
do for [p=1:3] {
    pa = (p == 1) ? pa1 : (p == 2) ? pa2 : pa3
    eval yscale(word(pa, 1))
    set title ptitle(p) font ",11"
    set ylabel pylabel(p) offset 1, 0
    if (p == 3) { set key at screen 0.995, screen 0.88 top right vertical Left reverse noautotitle samplen 2 spacing 1.2 }
    # the legend (last panel) lists every allocator, also one without data in that panel
    nkey = (p == 3) ? nalloc : 0
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
