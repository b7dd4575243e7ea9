# programs.gp: whole programs (alignbench run --program), two panels side by side: the CPU time
# (user + system) and the peak RSS of each program under each allocator, cell medians with the
# interval of the median as error bars; clusters per program, one bar per allocator in its colour.
# Data (harness/report/chart_data.c): two blocks (index 0: cpu_mcycles, 1: peak_rss in MiB), rows
# "program median ci_lo ci_hi" with the three columns repeated per allocator.
# ARG7, ARG8, one per panel: its y scale (see yscale in style.gp), then the positions in the
# allocator list of the allocators that have a value in that panel ("zero 1 2 4").
width = 1100
height = 520
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
unset title
set style data histogram
set style histogram errorbars gap 1.5 lw 1.2
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.92
unset key
set multiplot layout 1, 2 title charttitle font ",13" margins 0.07, 0.86, 0.12, 0.88 spacing 0.08, 0.1
do for [p=1:2] {
    pa = (p == 1) ? ARG7 : ARG8
    eval yscale(word(pa, 1))
    set title (p == 1 ? "cpu_mcycles: CPU time (user + system) in cycles" : "peak_rss: peak resident memory") font ",11"
    set ylabel (p == 1 ? "Mcycles, median [interval of the median]" : "MiB, median [interval of the median]") offset 1, 0
    set xlabel "program"
    if (p == 2) { set key at screen 0.995, screen 0.88 top right vertical Left reverse noautotitle samplen 2 spacing 1.2 }
    nkey = (p == 2) ? nalloc : 0
    if (words(pa) > 1) {
        plot for [w=2:words(pa)] datafile index (p - 1) \
             using (column(3 * int(word(pa, w)) - 1)):(column(3 * int(word(pa, w)))):(column(3 * int(word(pa, w)) + 1)):xtic(1) \
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
