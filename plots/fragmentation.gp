# fragmentation.gp: the fragmentation summary of a run, three panels side by side: frag_peak,
# frag_avg and retained (MiB), clusters per workload, one bar per allocator in its colour.
# Data and ARG7..ARG9: see panels.gp (harness/report/chart_data.c writes them).
width = 1200
height = 520
call "style.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6
ptitle(p) = (p == 1 ? "frag_peak" : p == 2 ? "frag_avg" : "retained")
pylabel(p) = (p == 1 ? "max F / max L - 1" : p == 2 ? "(integral F) / (integral L) - 1" : "MiB resident after all frees")
pa1 = ARG7; pa2 = ARG8; pa3 = ARG9 # (load hides the caller's ARGn)
load "panels.gp"
