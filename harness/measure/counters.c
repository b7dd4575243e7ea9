/* counters.c: the counters of counters.h, through perf_event_open(2) and getrusage(2).
 *
 * Every event is opened for this process on any CPU (pid 0, cpu -1) with inherit set, so the
 * threads a threaded replay starts later count too; each is read on its own (inherit forbids
 * group reads) with the times it was enabled and running, and scaled by them when the PMU had
 * to multiplex hardware events. */
#include "harness/measure/counters.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const ab_counter_def ab_counter_defs[AB_CTR_COUNT] = {
    [AB_CTR_MINOR_FAULTS] = {"minor_faults_per_kop", "minor faults"},
    [AB_CTR_MAJOR_FAULTS] = {"major_faults_per_kop", "major faults"},
    [AB_CTR_CTX_VOLUNTARY] = {"ctx_voluntary_per_kop", "voluntary context switches"},
    [AB_CTR_CTX_INVOLUNTARY] = {"ctx_involuntary_per_kop", "involuntary context switches"},
    [AB_CTR_MIGRATIONS] = {"migrations_per_kop", "CPU migrations"},
    [AB_CTR_SYS_MMAP] = {"sys_mmap_per_kop", "mmap"},
    [AB_CTR_SYS_MUNMAP] = {"sys_munmap_per_kop", "munmap"},
    [AB_CTR_SYS_MADVISE] = {"sys_madvise_per_kop", "madvise"},
    [AB_CTR_SYS_MPROTECT] = {"sys_mprotect_per_kop", "mprotect"},
    [AB_CTR_SYS_BRK] = {"sys_brk_per_kop", "brk"},
    [AB_CTR_SYS_FUTEX] = {"sys_futex_per_kop", "futex"},
    [AB_CTR_SYS_SCHED_YIELD] = {"sys_sched_yield_per_kop", "sched_yield (handoff waits)"},
    [AB_CTR_SYS_OTHER] = {"sys_other_per_kop", "other system calls"},
    [AB_CTR_INSTRUCTIONS] = {"instructions_per_kop", "instructions"},
    [AB_CTR_HW_CYCLES] = {"hw_cycles_per_kop", "core cycles (PMU)"},
    [AB_CTR_L1D_MISSES] = {"l1d_misses_per_kop", "L1d read misses"},
    [AB_CTR_LLC_MISSES] = {"llc_misses_per_kop", "LLC read misses"},
    [AB_CTR_DTLB_MISSES] = {"dtlb_misses_per_kop", "dTLB read misses"},
    [AB_CTR_BRANCH_MISSES] = {"branch_misses_per_kop", "branch misses"},
};

static int perf_open(const ab_counters *c, uint32_t type, uint64_t config)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = type;
    attr.config = config;
    attr.inherit = 1;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    if (c->pid > 0) { /* another process: from its exec on */
        attr.disabled = 1;
        attr.enable_on_exec = 1;
    }
    return (int)syscall(SYS_perf_event_open, &attr, c->pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ab_tracefs_dir(char *why, unsigned whylen)
{
    static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char ev[128];
        snprintf(ev, sizeof ev, "%s/events", dirs[i]);
        if (is_dir(ev))
            return dirs[i];
    }
    /* not mounted: mount it where the kernel offers its mount point, if this process may */
    if (is_dir(dirs[0]) && mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0 &&
        is_dir("/sys/kernel/tracing/events"))
        return dirs[0];
    snprintf(why, whylen, "tracefs is not mounted and mounting it on %s failed: %s", dirs[0],
             strerror(errno));
    return "";
}

/* The id of tracepoint GROUP:NAME, or -1 with the reason. Read with open/read, not stdio: this
 * runs before the memory baseline, where nothing may go through the allocator under test. */
static long tracepoint_id(const char *dir, const char *group, const char *name, char *why,
                          size_t whylen)
{
    char path[200], text[32];
    snprintf(path, sizeof path, "%s/events/%s/%s/id", dir, group, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    char *end = text;
    long id = -1;
    if (n > 0) {
        text[n] = '\0';
        id = strtol(text, &end, 10);
    }
    if (n <= 0 || end == text || id < 0) {
        snprintf(why, whylen, "cannot read %s: no id", path);
        return -1;
    }
    return id;
}

static void open_one(ab_counters *c, ab_counter_id id, uint32_t type, uint64_t config,
                     const char *source)
{
    c->fd[id] = perf_open(c, type, config);
    if (c->fd[id] >= 0) {
        snprintf(c->source[id], sizeof c->source[id], "%s", source);
        return;
    }
    int e = errno;
    snprintf(c->why[id], sizeof c->why[id], "perf_event_open(%s): %s%s", source, strerror(e),
             type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE
                 ? (e == ENOENT || e == EOPNOTSUPP ? " (no PMU on this machine)" : "")
                 : "");
}

/* Faults and context switches that perf cannot count come from getrusage. */
static void rusage_fallback(ab_counters *c, ab_counter_id id, const char *source)
{
    c->use_rusage[id] = 1;
    c->why[id][0] = '\0';
    snprintf(c->source[id], sizeof c->source[id], "%s", source);
}

/* A counter of one system call as raw_syscalls:sys_enter filtered on the call's number, or -1.
 * Every kind then shares the one tracepoint, and the kernel unregisters it, waiting for an RCU
 * grace period (about 35 ms on the development VM), once when the last event closes, instead of
 * once per syscalls:sys_enter_NAME tracepoint: 8 of them added 0.3 s to every child's exit.
 * The event starts disabled so that it counts nothing before its filter is set. */
static int open_filtered_syscall(const ab_counters *c, long raw_id, int nr)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = (uint64_t)raw_id;
    attr.inherit = 1;
    attr.exclude_hv = 1;
    attr.disabled = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    if (c->pid > 0) /* another process: from its exec on */
        attr.enable_on_exec = 1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, c->pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return -1;
    char filter[32];
    snprintf(filter, sizeof filter, "id == %d", nr);
    if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) != 0 ||
        (c->pid <= 0 && ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void open_syscalls(ab_counters *c)
{
    static const char *const names[] = {
        "sys_enter_mmap", "sys_enter_munmap", "sys_enter_madvise",    "sys_enter_mprotect",
        "sys_enter_brk",  "sys_enter_futex",  "sys_enter_sched_yield"};
    static const int numbers[] = {SYS_mmap, SYS_munmap, SYS_madvise,    SYS_mprotect,
                                  SYS_brk,  SYS_futex,  SYS_sched_yield};
    char why[320] = "";
    const char *dir = ab_tracefs_dir(why, sizeof why);
    long all = dir[0] ? tracepoint_id(dir, "raw_syscalls", "sys_enter", why, sizeof why) : -1;
    if (all >= 0 && (c->fd_all_syscalls = perf_open(c, PERF_TYPE_TRACEPOINT, (uint64_t)all)) < 0)
        snprintf(why, sizeof why, "perf_event_open(tracepoint raw_syscalls:sys_enter): %s",
                 strerror(errno));
    for (int id = AB_CTR_SYS_FIRST; id <= AB_CTR_SYS_LAST; id++) {
        char src[96], own[320] = "";
        int k = id - AB_CTR_SYS_FIRST;
        if (all >= 0 && (c->fd[id] = open_filtered_syscall(c, all, numbers[k])) >= 0) {
            snprintf(c->source[id], sizeof c->source[id],
                     "tracepoint raw_syscalls:sys_enter, id == %d (%s)", numbers[k],
                     names[k] + strlen("sys_enter_"));
            continue;
        }
        /* a kernel that cannot filter: the call's own tracepoint */
        long tp =
            dir[0] ? tracepoint_id(dir, "syscalls", names[id - AB_CTR_SYS_FIRST], own, sizeof own)
                   : -1;
        snprintf(src, sizeof src, "tracepoint syscalls:%s", names[id - AB_CTR_SYS_FIRST]);
        if (tp >= 0)
            open_one(c, (ab_counter_id)id, PERF_TYPE_TRACEPOINT, (uint64_t)tp, src);
        else
            snprintf(c->why[id], sizeof c->why[id], "%s", own[0] ? own : why);
    }
    if (c->fd_all_syscalls >= 0)
        snprintf(c->source[AB_CTR_SYS_OTHER], sizeof c->source[AB_CTR_SYS_OTHER],
                 "tracepoint raw_syscalls:sys_enter less the kinds");
    else
        snprintf(c->why[AB_CTR_SYS_OTHER], sizeof c->why[AB_CTR_SYS_OTHER], "%s",
                 why[0] ? why : "raw_syscalls:sys_enter cannot be opened");
}

static uint64_t cache_event(uint64_t cache, uint64_t op, uint64_t result)
{
    return cache | (op << 8) | (result << 16);
}

void ab_counters_open(ab_counters *c)
{
    ab_counters_open_task(c, 0);
}

void ab_counters_open_task(ab_counters *c, pid_t pid)
{
    memset(c, 0, sizeof *c);
    c->pid = pid;
    for (int i = 0; i < AB_CTR_COUNT; i++)
        c->fd[i] = -1;
    c->fd_all_syscalls = -1;
    open_one(c, AB_CTR_MINOR_FAULTS, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN,
             "perf software page-faults-min");
    if (c->fd[AB_CTR_MINOR_FAULTS] < 0)
        rusage_fallback(c, AB_CTR_MINOR_FAULTS, "rusage ru_minflt");
    open_one(c, AB_CTR_MAJOR_FAULTS, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
             "perf software page-faults-maj");
    if (c->fd[AB_CTR_MAJOR_FAULTS] < 0)
        rusage_fallback(c, AB_CTR_MAJOR_FAULTS, "rusage ru_majflt");
    /* the kernel splits context switches only in the process's rusage */
    rusage_fallback(c, AB_CTR_CTX_VOLUNTARY, "rusage ru_nvcsw");
    rusage_fallback(c, AB_CTR_CTX_INVOLUNTARY, "rusage ru_nivcsw");
    open_one(c, AB_CTR_MIGRATIONS, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
             "perf software cpu-migrations");
    open_syscalls(c);
    open_one(c, AB_CTR_INSTRUCTIONS, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
             "perf hardware instructions");
    open_one(c, AB_CTR_HW_CYCLES, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
             "perf hardware cpu-cycles");
    open_one(c, AB_CTR_L1D_MISSES, PERF_TYPE_HW_CACHE,
             cache_event(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ,
                         PERF_COUNT_HW_CACHE_RESULT_MISS),
             "perf hw-cache L1-dcache-load-misses");
    open_one(c, AB_CTR_LLC_MISSES, PERF_TYPE_HW_CACHE,
             cache_event(PERF_COUNT_HW_CACHE_LL, PERF_COUNT_HW_CACHE_OP_READ,
                         PERF_COUNT_HW_CACHE_RESULT_MISS),
             "perf hw-cache LLC-load-misses");
    open_one(c, AB_CTR_DTLB_MISSES, PERF_TYPE_HW_CACHE,
             cache_event(PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_READ,
                         PERF_COUNT_HW_CACHE_RESULT_MISS),
             "perf hw-cache dTLB-load-misses");
    open_one(c, AB_CTR_BRANCH_MISSES, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES,
             "perf hardware branch-misses");
}

void ab_counters_close(ab_counters *c)
{
    for (int i = 0; i < AB_CTR_COUNT; i++)
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    if (c->fd_all_syscalls >= 0)
        close(c->fd_all_syscalls);
    for (int i = 0; i < AB_CTR_COUNT; i++)
        c->fd[i] = -1;
    c->fd_all_syscalls = -1;
}

/* The event's count, scaled up when the PMU multiplexed it (0 when it cannot be read). */
static uint64_t read_fd(int fd)
{
    uint64_t v[3] = {0, 0, 0}; /* value, time enabled, time running */
    if (fd < 0 || read(fd, v, sizeof v) != (ssize_t)sizeof v)
        return 0;
    if (v[2] > 0 && v[2] < v[1])
        return (uint64_t)((double)v[0] * (double)v[1] / (double)v[2]);
    return v[0];
}

static uint64_t tv_us(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

void ab_counters_read(const ab_counters *c, ab_counter_sample *s)
{
    struct rusage ru;
    memset(s, 0, sizeof *s);
    for (int i = 0; i < AB_CTR_COUNT; i++)
        s->v[i] = read_fd(c->fd[i]);
    s->all_syscalls = read_fd(c->fd_all_syscalls);
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        s->utime_us = tv_us(ru.ru_utime);
        s->stime_us = tv_us(ru.ru_stime);
        s->ru_minflt = (uint64_t)ru.ru_minflt;
        s->ru_majflt = (uint64_t)ru.ru_majflt;
        s->ru_nvcsw = (uint64_t)ru.ru_nvcsw;
        s->ru_nivcsw = (uint64_t)ru.ru_nivcsw;
    }
    const uint64_t from_rusage[AB_CTR_COUNT] = {
        [AB_CTR_MINOR_FAULTS] = s->ru_minflt,
        [AB_CTR_MAJOR_FAULTS] = s->ru_majflt,
        [AB_CTR_CTX_VOLUNTARY] = s->ru_nvcsw,
        [AB_CTR_CTX_INVOLUNTARY] = s->ru_nivcsw,
    };
    for (int i = 0; i < AB_CTR_COUNT; i++)
        if (c->use_rusage[i])
            s->v[i] = from_rusage[i];
    if (c->fd_all_syscalls >= 0) {
        uint64_t kinds = 0;
        for (int i = AB_CTR_SYS_FIRST; i <= AB_CTR_SYS_LAST; i++)
            kinds += s->v[i];
        s->v[AB_CTR_SYS_OTHER] = s->all_syscalls > kinds ? s->all_syscalls - kinds : 0;
    }
}

void ab_counters_delta(const ab_counter_sample *before, const ab_counter_sample *after,
                       unsigned passes, ab_counter_delta *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < AB_CTR_COUNT; i++)
        out->v[i] = (double)after->v[i] - (double)before->v[i];
    out->utime_us = (double)after->utime_us - (double)before->utime_us;
    out->stime_us = (double)after->stime_us - (double)before->stime_us;
    out->passes = passes ? passes : 1;
}

void ab_counters_end(const ab_counters *c, const ab_counter_sample *before, unsigned passes,
                     ab_counter_delta *out)
{
    ab_counter_sample now;
    ab_counters_read(c, &now);
    ab_counters_delta(before, &now, passes, out);
}
