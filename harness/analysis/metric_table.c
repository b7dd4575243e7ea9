/* metric_table.c: every reported metric once (see metric_table.h). The results.csv columns are
 * the entries with csv = 1, in this order; keep that order stable, scripts read columns by
 * position. */
#include "harness/analysis/metric_table.h"

#include <string.h>

const ab_metric_def ab_metric_defs[] = {
    {"ns_per_op", AB_UNIT_NS, 0, 1,
     "time per replayed operation, raw: the mean of whole replays of the trace (every op the "
     "allocator served, rare long pauses included), less the time other processes held the "
     "CPU, over the timed ops (alloc, free, realloc, reset)"},
    {"ns_per_op_net", AB_UNIT_NS, 0, 1,
     "ns_per_op minus the replay floor: what the allocator itself costs"},
    {"floor_ns_per_op", AB_UNIT_NS, 0, 1,
     "the replay floor: the same trace replayed against a null allocator in the same child"},
    {"mops", AB_UNIT_MOPS, 1, 1, "millions of operations per second, 1000 / ns_per_op (raw)"},
    {"mops_wall", AB_UNIT_MOPS, 1, 1,
     "Mops/s of the fastest whole repetition (threads: total throughput)"},
    {"threads", AB_UNIT_COUNT, 0, 1, "the trace's thread count"},
    {"alloc_p50", AB_UNIT_NS, 0, 1,
     "median time of one allocation, per-op fenced TSC timing, net op by op (each sample minus "
     "the same op replayed against the null allocator); marked unresolved under 3 timer steps"},
    {"alloc_p99", AB_UNIT_NS, 0, 1, "99th percentile of the time of one allocation, net"},
    {"alloc_p999", AB_UNIT_NS, 0, 1, "99.9th percentile of the time of one allocation, net"},
    {"alloc_mean", AB_UNIT_NS, 0, 1,
     "mean time of one allocation, net op by op: unbiased where the clock's step quantizes "
     "every single sample, so it resolves differences below a step"},
    {"free_p50", AB_UNIT_NS, 0, 1, "median time of one free, net"},
    {"free_p99", AB_UNIT_NS, 0, 1, "99th percentile of the time of one free, net"},
    {"free_mean", AB_UNIT_NS, 0, 1, "mean time of one free, net op by op"},
    {"frag_peak", AB_UNIT_RATIO, 0, 1,
     "max F / max L - 1, F = resident memory above baseline, L = live requested bytes"},
    {"frag_at_peak", AB_UNIT_RATIO, 0, 1, "max F / L(at the time of max F) - 1"},
    {"frag_avg", AB_UNIT_RATIO, 0, 1, "(integral of F) / (integral of L) - 1, over operation time"},
    {"internal", AB_UNIT_RATIO, 0, 1, "sum of block footprints / L - 1 at the live peak"},
    {"retained", AB_UNIT_BYTES, 0, 1, "F after everything was released and the allocator purged"},
    {"peak_rss", AB_UNIT_BYTES, 0, 1,
     "peak resident memory of the runner (VmHWM), for comparison with other suites; of a whole "
     "program (run --program): wait4's ru_maxrss, the largest of the shell and the processes it "
     "waited for"},
    {"harness_peak_rss", AB_UNIT_BYTES, 0, 1,
     "peak resident memory of the runner before the allocator under test was used (VmHWM at the "
     "baseline): what the replay itself held (program, trace window, decoded op window, id "
     "tables), bounded whatever the trace's length"},
    {"peak_live", AB_UNIT_BYTES, 0, 1, "max L: the most bytes the trace held live"},
    {"peak_footprint", AB_UNIT_BYTES, 0, 1,
     "max F over the checkpoints: the most resident memory used"},
    {"align_cost_bytes", AB_UNIT_BYTES, 0, 1,
     "peak_footprint minus that of the same trace with every alignment lowered to 16: what the "
     "alignments cost in memory"},
    {"align_cost_ns_per_op", AB_UNIT_NS, 0, 1,
     "ns_per_op_net minus that of the same trace lowered to 16-byte alignment"},
    {"tsc_drift_ppm", AB_UNIT_PPM, 0, 1,
     "disagreement of the TSC calibrations at start and end of the run (over 1000 = noisy)"},
    {"cpu_ms", AB_UNIT_MS, 0, 1,
     "a whole program's CPU time, user + system, from wait4's rusage: the program's, the "
     "shell's and every process they waited for, all threads"},
    {"user_ms", AB_UNIT_MS, 0, 1, "a whole program's user CPU time (wait4's ru_utime)"},
    {"cpu_mcycles", AB_UNIT_MCYCLES, 0, 1,
     "a whole program's CPU time in millions of core cycles: cpu_ms times the core's clock, "
     "probed in each of its processes at start and exit; it does not move when the host changes "
     "the clock (fidelity compares it with the replay's cycles)"},
    {"sys_ms", AB_UNIT_MS, 0, 1,
     "a whole program's system CPU time (wait4's ru_stime): page faults, mmap, munmap, madvise"},
    {"wall_ms", AB_UNIT_MS, 0, 1,
     "a whole program's elapsed time, from its start (fork) to its end (wait4), monotonic clock"},
    {"minor_faults", AB_UNIT_COUNT, 0, 1,
     "a whole program's minor page faults (ru_minflt): pages it touched for the first time, "
     "mostly fresh memory from the allocator"},
    {"major_faults", AB_UNIT_COUNT, 0, 1,
     "a whole program's major page faults (ru_majflt): pages read from disk"},
    {"exit_status", AB_UNIT_RATIO, 0, 1,
     "a whole program's exit status (0, or one accepted with --program-ok-status)"},
    {"faults_per_kop", AB_UNIT_RATIO, 0, 1,
     "page faults (minor + major) per 1000 ops of the batch pass, net of the floor (the same "
     "passes against the null allocator): memory the allocator handed out for the first time, or "
     "again after giving it back to the kernel"},
    {"syscalls_per_kop", AB_UNIT_RATIO, 0, 1,
     "system calls per 1000 ops of the batch pass, net of the floor (syscall tracepoints): every "
     "kind but the threaded replay's own sched_yield"},
    {"sys_share", AB_UNIT_RATIO, 0, 1,
     "the kernel's share of the CPU time of the allocator's batch pass, raw (getrusage: system / "
     "(user + system)); 0.76 means 76 % of its time in the kernel"},
    {"sys_ns_per_op_net", AB_UNIT_NS, 0, 1,
     "system CPU time per op of the batch pass, net of the floor (getrusage ru_stime)"},
    {"minor_faults_per_kop", AB_UNIT_RATIO, 0, 1,
     "minor page faults per 1000 ops, net of the floor (perf software counter; rusage where perf "
     "cannot count): a page touched for the first time, or after MADV_DONTNEED"},
    {"major_faults_per_kop", AB_UNIT_RATIO, 0, 1,
     "major page faults per 1000 ops, net of the floor (pages read from disk or swap)"},
    {"ctx_voluntary_per_kop", AB_UNIT_RATIO, 0, 1,
     "voluntary context switches per 1000 ops, net of the floor (rusage ru_nvcsw): the process "
     "blocked, on a lock or in the kernel"},
    {"ctx_involuntary_per_kop", AB_UNIT_RATIO, 0, 1,
     "involuntary context switches per 1000 ops, net of the floor (rusage ru_nivcsw): preempted"},
    {"migrations_per_kop", AB_UNIT_RATIO, 0, 1,
     "CPU migrations per 1000 ops, net of the floor (perf software counter)"},
    {"sys_mmap_per_kop", AB_UNIT_RATIO, 0, 1,
     "mmap calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_mmap)"},
    {"sys_munmap_per_kop", AB_UNIT_RATIO, 0, 1,
     "munmap calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_munmap)"},
    {"sys_madvise_per_kop", AB_UNIT_RATIO, 0, 1,
     "madvise calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_madvise): "
     "purges (MADV_DONTNEED, MADV_FREE) and hints"},
    {"sys_mprotect_per_kop", AB_UNIT_RATIO, 0, 1,
     "mprotect calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_mprotect)"},
    {"sys_brk_per_kop", AB_UNIT_RATIO, 0, 1,
     "brk calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_brk)"},
    {"sys_futex_per_kop", AB_UNIT_RATIO, 0, 1,
     "futex calls per 1000 ops, net of the floor (tracepoint syscalls:sys_enter_futex): "
     "contended locks"},
    {"sys_sched_yield_per_kop", AB_UNIT_RATIO, 0, 1,
     "sched_yield calls per 1000 ops, net of the floor (tracepoint "
     "syscalls:sys_enter_sched_yield): "
     "the threaded replay's handoff waits, the harness's own (more when a thread waits for a "
     "slower one); not in syscalls_per_kop"},
    {"sys_other_per_kop", AB_UNIT_RATIO, 0, 1,
     "every other system call per 1000 ops, net of the floor (tracepoint raw_syscalls:sys_enter "
     "less the kinds above)"},
    {"instructions_per_kop", AB_UNIT_RATIO, 0, 1,
     "instructions retired per 1000 ops, net of the floor (PMU; \"unavailable: why\" without "
     "one)"},
    {"hw_cycles_per_kop", AB_UNIT_RATIO, 0, 1,
     "core cycles per 1000 ops counted by the PMU, net of the floor"},
    {"l1d_misses_per_kop", AB_UNIT_RATIO, 0, 1,
     "L1 data cache read misses per 1000 ops, net of the floor (PMU)"},
    {"llc_misses_per_kop", AB_UNIT_RATIO, 0, 1,
     "last-level cache read misses per 1000 ops, net of the floor (PMU)"},
    {"dtlb_misses_per_kop", AB_UNIT_RATIO, 0, 1,
     "data TLB read misses per 1000 ops, net of the floor (PMU)"},
    {"branch_misses_per_kop", AB_UNIT_RATIO, 0, 1,
     "mispredicted branches per 1000 ops, net of the floor (PMU)"},
    {"ctx_voluntary", AB_UNIT_RATIO, 0, 1,
     "a whole program's voluntary context switches (wait4's ru_nvcsw)"},
    {"ctx_involuntary", AB_UNIT_RATIO, 0, 1,
     "a whole program's involuntary context switches (wait4's ru_nivcsw)"},
    {"realloc_mean", AB_UNIT_NS, 0, 0, "mean time of one realloc, net op by op"},
    {"reset_mean", AB_UNIT_NS, 0, 0,
     "mean time of one bulk release, net op by op (the harness's own walk of that scope's "
     "blocks, for allocators that cannot reset, is in the floor of that very op)"},
    {"realloc_p50", AB_UNIT_NS, 0, 0, "median time of one realloc, net"},
    {"realloc_p99", AB_UNIT_NS, 0, 0, "99th percentile of the time of one realloc, net"},
    {"reset_p50", AB_UNIT_NS, 0, 0, "median time of one bulk release (reset), net"},
    {"reset_p99", AB_UNIT_NS, 0, 0, "99th percentile of the time of one bulk release (reset), net"},
    {"footprint_at_peak_live", AB_UNIT_BYTES, 0, 0,
     "sum of the blocks' footprints at the live peak"},
    {"ns_per_op_minbatch", AB_UNIT_NS, 0, 0,
     "diagnostic only: each batch of 1024 ops at its fastest repetition, summed; it drops "
     "preemptions and the allocator's own rare pauses alike"},
    {"floor_ns_per_op_minbatch", AB_UNIT_NS, 0, 0, "the floor's ns_per_op_minbatch"},
    {"batch_median_ns_per_op", AB_UNIT_NS, 0, 0,
     "median over the batches of the time per op (raw)"},
    {"floor_batch_median_ns_per_op", AB_UNIT_NS, 0, 0, "the floor's batch_median_ns_per_op"},
    {"perop_ns_per_op", AB_UNIT_NS, 0, 0,
     "cost per op of the per-op timing pass itself, timer reads included (harness cost)"},
    {"floor_perop_ns_per_op", AB_UNIT_NS, 0, 0, "the floor's perop_ns_per_op"},
    {"cycles_per_op", AB_UNIT_CYCLES, 0, 0,
     "ns_per_op in core cycles: each repetition's ticks times the core's clock, probed around it; "
     "it does not move when the host changes the clock"},
    {"floor_cycles_per_op", AB_UNIT_CYCLES, 0, 0, "the floor's cycles_per_op"},
    {"cycles_per_op_net", AB_UNIT_CYCLES, 0, 0, "cycles_per_op minus the floor's"},
    {"cpu_ghz", AB_UNIT_GHZ, 1, 0,
     "the core's clock during the batch pass, from a chain of dependent additions timed with the "
     "TSC; of a whole program: the mean of the same probe at the start and exit of each of its "
     "processes"},
    {"wall_mcycles", AB_UNIT_MCYCLES, 0, 0,
     "a whole program's wall time times its probed clock, in millions of cycles"},
    {"mops_per_thread", AB_UNIT_MOPS, 1, 0, "mops_wall divided by the threads"},
    {"syscalls", AB_UNIT_RATIO, 0, 0,
     "a whole program's system calls, every kind, over its process tree from its exec to its end "
     "(perf on the tracepoint raw_syscalls:sys_enter, inherited by every process it starts)"},
    {"sys_mmap", AB_UNIT_RATIO, 0, 0, "a whole program's mmap calls (process tree, tracepoint)"},
    {"sys_munmap", AB_UNIT_RATIO, 0, 0, "a whole program's munmap calls (process tree)"},
    {"sys_madvise", AB_UNIT_RATIO, 0, 0, "a whole program's madvise calls (process tree)"},
    {"sys_mprotect", AB_UNIT_RATIO, 0, 0, "a whole program's mprotect calls (process tree)"},
    {"sys_brk", AB_UNIT_RATIO, 0, 0, "a whole program's brk calls (process tree)"},
    {"sys_futex", AB_UNIT_RATIO, 0, 0, "a whole program's futex calls (process tree)"},
    {"sys_sched_yield", AB_UNIT_RATIO, 0, 0, "a whole program's sched_yield calls (process tree)"},
    {"sys_other", AB_UNIT_RATIO, 0, 0,
     "a whole program's other system calls (process tree): syscalls less the kinds above"},
    {"migrations", AB_UNIT_RATIO, 0, 0,
     "a whole program's CPU migrations (process tree, perf software counter)"},
    {"instructions", AB_UNIT_RATIO, 0, 0,
     "a whole program's instructions (process tree, PMU; \"unavailable: why\" without one); "
     "hw_cycles, l1d_misses, llc_misses, dtlb_misses and branch_misses likewise"},
    /* run --measure instructions: counts of one warm counted replay, not times */
    {"instructions_per_op_net", AB_UNIT_INSTR, 0, 0,
     "instructions executed per op (a count, not a time), net of the same counted replay "
     "against the null allocator: the allocator's calls and the writes to its memory"},
    {"instructions_per_op", AB_UNIT_INSTR, 0, 0,
     "instructions executed per op over the counted replay, raw (replay floor included)"},
    {"floor_instructions_per_op", AB_UNIT_INSTR, 0, 0, "the floor's instructions_per_op"},
    {"est_cycles_per_op_net", AB_UNIT_EST_CYCLES, 0, 0,
     "estimated cycles per op net of the floor, from callgrind's counts: L1 hits + 5 x LL hits + "
     "35 x RAM hits (iai-callgrind's and CodSpeed's formula; a model, not a time)"},
    {"est_cycles_per_op", AB_UNIT_EST_CYCLES, 0, 0, "estimated cycles per op, raw"},
    {"floor_est_cycles_per_op", AB_UNIT_EST_CYCLES, 0, 0, "the floor's est_cycles_per_op"},
    {"l1_misses_per_op_net", AB_UNIT_MISSES, 0, 0,
     "simulated L1 misses per op (instruction and data; 32 KiB 8-way caches), net of the floor"},
    {"l1_misses_per_op", AB_UNIT_MISSES, 0, 0, "simulated L1 misses per op, raw"},
    {"floor_l1_misses_per_op", AB_UNIT_MISSES, 0, 0, "the floor's l1_misses_per_op"},
    {"ll_misses_per_op_net", AB_UNIT_MISSES, 0, 0,
     "simulated last-level misses per op (8 MiB 16-way), net of the floor"},
    {"ll_misses_per_op", AB_UNIT_MISSES, 0, 0, "simulated last-level misses per op, raw"},
    {"floor_ll_misses_per_op", AB_UNIT_MISSES, 0, 0, "the floor's ll_misses_per_op"},
};
const size_t ab_metric_def_count = sizeof ab_metric_defs / sizeof ab_metric_defs[0];

const ab_metric_def *ab_metric_def_find(const char *name)
{
    for (size_t i = 0; name && i < ab_metric_def_count; i++)
        if (!strcmp(ab_metric_defs[i].name, name))
            return &ab_metric_defs[i];
    return NULL;
}

const char *ab_unit_name(ab_unit u)
{
    static const char *const names[] = {"ns", "cycles",  "", "B",     "Mops/s", "ppm",       "GHz",
                                        "ms", "Mcycles", "", "instr", "misses", "est.cycles"};
    return (unsigned)u < sizeof names / sizeof names[0] ? names[u] : "";
}

ab_unit ab_metric_unit(const char *name)
{
    const ab_metric_def *def = ab_metric_def_find(name);
    if (def)
        return def->unit;
    size_t n = strlen(name);
    if ((n >= 9 && !strcmp(name + n - 9, "ns_per_op")) || strstr(name, "_p50") ||
        strstr(name, "_p99") || strstr(name, "_mean"))
        return AB_UNIT_NS;
    if (n >= 13 && !strcmp(name + n - 13, "cycles_per_op"))
        return AB_UNIT_CYCLES;
    if (strstr(name, "bytes") || strstr(name, "footprint") || strstr(name, "rss"))
        return AB_UNIT_BYTES;
    return AB_UNIT_RATIO;
}
