# kernel.gp: what each allocator asked of the kernel, per workload, three panels side by side:
# page faults and system calls per 1000 ops (net of the replay floor) and the kernel's share of
# the allocator's CPU time (%), clusters per workload, one bar per allocator in its colour.
# Data and ARG7..ARG9: see panels.gp (harness/report/chart_data.c writes them).
width = 1200
height = 520
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
ptitle(p) = (p == 1 ? "faults_per_kop: page faults" : p == 2 ? "syscalls_per_kop: system calls (madvise, mmap, ...)" : "sys_share: time in the kernel")
pylabel(p) = (p == 1 ? "per 1000 ops, net of the floor" : p == 2 ? "per 1000 ops, net of the floor" : "% of the CPU time (system / total)")
pa1 = ARG7; pa2 = ARG8; pa3 = ARG9 # (load hides the caller's ARGn)
load "panels.gp"
