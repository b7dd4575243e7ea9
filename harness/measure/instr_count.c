/* instr_count.c: the instruction counters of instr_count.h, perf_event_open and callgrind.
 *
 * Nothing here calls malloc (the allocator under test serves this process): the callgrind dump's
 * header is read with open/read into a stack buffer, the perf counter is a file descriptor.
 */
#include "harness/measure/instr_count.h"
#include "harness/common/error_message.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

static const char *const source_names[] = {"?", "perf", "callgrind"};

int ab_icount_source_parse(const char *s, ab_icount_source *out)
{
    for (int i = AB_ICOUNT_PERF; i <= AB_ICOUNT_CALLGRIND; i++)
        if (!strcmp(s, source_names[i])) {
            *out = (ab_icount_source)i;
            return 0;
        }
    return -1;
}

const char *ab_icount_source_name(ab_icount_source s)
{
    return (unsigned)s <= AB_ICOUNT_CALLGRIND ? source_names[s] : "?";
}

uint64_t ab_icount_l1_misses(const ab_icount_values *v)
{
    return v->i1mr + v->d1mr + v->d1mw;
}

uint64_t ab_icount_ll_misses(const ab_icount_values *v)
{
    return v->ilmr + v->dlmr + v->dlmw;
}

double ab_icount_est_cycles(const ab_icount_values *v)
{
    double l1m = (double)ab_icount_l1_misses(v), llm = (double)ab_icount_ll_misses(v);
    double l1_hits = (double)(v->ir + v->dr + v->dw) - l1m;
    return l1_hits + 5.0 * (l1m - llm) + 35.0 * llm;
}

/* ---- perf --------------------------------------------------------------------------------- */

static int perf_open(void)
{
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.size = sizeof pe;
    pe.type = PERF_TYPE_HARDWARE;
    pe.config = PERF_COUNT_HW_INSTRUCTIONS;
    pe.disabled = 1;
    pe.exclude_kernel = 1;
    pe.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

int ab_icount_perf_available(char *why, size_t len)
{
    int fd = perf_open();
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    int e = errno;
    ab_fail(why, len, "perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) failed: %s (%s)", strerror(e),
            e == ENOENT || e == EOPNOTSUPP
                ? "this machine exposes no hardware performance counters; use --counter callgrind"
            : e == EACCES || e == EPERM
                ? "not allowed: see /proc/sys/kernel/perf_event_paranoid, or run as root"
                : "no instruction counter for this process");
    return 0;
}

/* ---- callgrind ---------------------------------------------------------------------------- */

/* The value after "key" on its own line in buf, or NULL. */
static const char *header_line(const char *buf, const char *key)
{
    size_t klen = strlen(key);
    for (const char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (!strncmp(l, key, klen))
            return l + klen;
    return NULL;
}

int ab_icount_parse_callgrind(const char *path, ab_icount_values *v, char *err, size_t errlen)
{
    char buf[16384];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ab_fail(err, errlen, "cannot read callgrind's dump %s: %s", path, strerror(errno));
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return ab_fail(err, errlen, "callgrind's dump %s is empty", path);
    buf[n] = '\0';
    const char *events = header_line(buf, "events:"), *summary = header_line(buf, "summary:");
    if (!events || !summary)
        return ab_fail(err, errlen, "callgrind's dump %s has no events: or summary: line", path);
    static const char *const names[] = {"Ir",   "Dr",   "Dw",   "I1mr", "D1mr",
                                        "D1mw", "ILmr", "DLmr", "DLmw"};
    uint64_t *const dst[] = {&v->ir,   &v->dr,   &v->dw,   &v->i1mr, &v->d1mr,
                             &v->d1mw, &v->ilmr, &v->dlmr, &v->dlmw};
    memset(v, 0, sizeof *v);
    unsigned seen = 0;
    const char *e = events, *s = summary;
    for (;;) { /* event names and values side by side; callgrind leaves trailing zeros out */
        e += strspn(e, " \t");
        if (*e == '\n' || *e == '\0')
            break;
        size_t len = strcspn(e, " \t\n");
        s += strspn(s, " \t");
        uint64_t val = 0;
        if (*s != '\n' && *s != '\0') {
            char *end;
            val = strtoull(s, &end, 10);
            s = end;
        }
        for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strlen(names[k]) == len && !strncmp(e, names[k], len)) {
                *dst[k] = val;
                seen |= 1u << k;
            }
        e += len;
    }
    if (!(seen & 1u))
        return ab_fail(err, errlen, "callgrind's dump %s counts no instructions (Ir)", path);
    v->have_cache = (seen & 0x1ffu) == 0x1ffu;
    if (!v->have_cache)
        return ab_fail(err, errlen,
                       "callgrind's dump %s has no cache figures: run it with --cache-sim=yes",
                       path);
    return 0;
}

/* ---- the interface ------------------------------------------------------------------------- */

int ab_icount_open(ab_icount *c, ab_icount_source source, const char *callgrind_out, char *err,
                   size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->source = source;
    if (source == AB_ICOUNT_PERF) {
        if (!ab_icount_perf_available(err, errlen))
            return -1;
        c->fd = perf_open();
        return c->fd >= 0 ? 0 : ab_fail(err, errlen, "perf_event_open: %s", strerror(errno));
    }
    if (!RUNNING_ON_VALGRIND)
        return ab_fail(err, errlen,
                       "--count callgrind: this process is not running under valgrind "
                       "--tool=callgrind (alignbench run --measure instructions starts it so)");
    if (!callgrind_out || !callgrind_out[0] ||
        (size_t)snprintf(c->out_base, sizeof c->out_base, "%s", callgrind_out) >=
            sizeof c->out_base)
        return ab_fail(err, errlen,
                       "--count callgrind needs --callgrind-out FILE (valgrind's "
                       "--callgrind-out-file), of at most 500 characters");
    return 0;
}

void ab_icount_close(ab_icount *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

void ab_icount_begin(ab_icount *c)
{
    if (c->source == AB_ICOUNT_CALLGRIND)
        CALLGRIND_START_INSTRUMENTATION;
}

void ab_icount_reset(ab_icount *c)
{
    if (c->source == AB_ICOUNT_CALLGRIND)
        CALLGRIND_ZERO_STATS;
    else
        ioctl(c->fd, PERF_EVENT_IOC_RESET, 0);
}

/* Collection is off at start (--collect-atstart=no) and each toggle flips it. */
void ab_icount_on(ab_icount *c)
{
    if (c->source == AB_ICOUNT_CALLGRIND)
        CALLGRIND_TOGGLE_COLLECT;
    else
        ioctl(c->fd, PERF_EVENT_IOC_ENABLE, 0);
}

void ab_icount_off(ab_icount *c)
{
    if (c->source == AB_ICOUNT_CALLGRIND)
        CALLGRIND_TOGGLE_COLLECT;
    else
        ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
}

int ab_icount_read(ab_icount *c, const char *label, ab_icount_values *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (c->source == AB_ICOUNT_PERF) {
        uint64_t v;
        if (read(c->fd, &v, sizeof v) != (ssize_t)sizeof v)
            return ab_fail(err, errlen, "cannot read the instruction counter: %s", strerror(errno));
        out->ir = v;
        return 0;
    }
    CALLGRIND_DUMP_STATS_AT(label);
    char path[600];
    snprintf(path, sizeof path, "%s.%u", c->out_base, ++c->dumps);
    int rc = ab_icount_parse_callgrind(path, out, err, errlen);
    unlink(path); /* read: nothing of it is kept */
    return rc;
}
