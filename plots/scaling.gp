# scaling.gp: throughput against threads, one panel per workload generator, one line per
# allocator (alignbench run --threads 1,2,...): Mops/s of all threads together, so perfect
# scaling doubles from 1 to 2 threads and a flat line does not scale.
# Data (harness/report/chart_data.c): one block per generator, rows "threads mops..." with one column
# per allocator (NaN where a cell has no value). ARG7: the generator names in block order;
# ARG8: the y axis label.
nfam = words(ARG7)
width = 360 * nfam + 260
height = 480
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set yrange [0:*]
set xlabel "threads"
set ylabel ARG8
set xtics 1
set autoscale xfix
set offsets graph 0.12, graph 0.12, graph 0.05, 0
set key outside right top vertical Left reverse noautotitle samplen 2 spacing 1.2
set multiplot layout 1, nfam title charttitle font ",13" margins 0.07, 1 - 200.0 / width, 0.14, 0.86 spacing 0.06, 0
do for [f=1:nfam] {
    set title word(ARG7, f) font ",11"
    if (f < nfam) { unset key } else { set key }
    # the key comes from NaN functions, one per allocator: a data line with no valid point (bump
    # and rpcss on simd) would drop its allocator from the key of the panel that draws it
    plot for [i=1:nalloc] datafile index (f - 1) using 1:(column(i + 1)) with linespoints \
         lw 2 pt 7 ps 0.8 lc rgb alloc_color(alloc(i)) notitle, \
         for [i=1:nalloc] NaN with linespoints lw 2 pt 7 ps 0.8 lc rgb alloc_color(alloc(i)) \
         title alloc(i)
}
unset multiplot
