/* trace_io.c: opening traces (trace_io.h): a binary trace is mapped read-only (MAP_PRIVATE,
 * MADV_SEQUENTIAL) so a trace larger than memory streams through the page cache; a text trace
 * (trace_text.c) is parsed into memory. The layout checks here (magic, version, header size, op
 * count against the file size) run before anything else looks at the ops; the op-by-op checks
 * are the validator's (trace_validate.c).
 */
#include "workloads/trace_io.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"
#include "workloads/trace_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void ab_trace_limits_default(ab_trace_limits *lim)
{
    lim->max_size = 1ull << 30;
    lim->max_align_log2 = 30;
}

/* The layout of a binary trace of len bytes whose first bytes are buf. */
static int check_layout(const void *buf, size_t len, ab_trace_header *h, char *err, size_t errlen)
{
    if (len < sizeof *h)
        return ab_fail(err, errlen, "truncated: %zu bytes, a binary trace header takes %zu", len,
                       sizeof *h);
    memcpy(h, buf, sizeof *h);
    if (memcmp(h->magic, AB_TRACE_MAGIC, 8) != 0)
        return ab_fail(err, errlen, "wrong magic: not an alignbench trace");
    if (h->version < AB_TRACE_VERSION_OLDEST || h->version > AB_TRACE_VERSION)
        return ab_fail(err, errlen, "trace version %u, this build reads versions %u to %u",
                       h->version, AB_TRACE_VERSION_OLDEST, AB_TRACE_VERSION);
    if (h->header_size != sizeof *h)
        return ab_fail(err, errlen, "header_size %u, version %u headers are %zu bytes",
                       h->header_size, h->version, sizeof *h);
    uint64_t body = len - sizeof *h;
    if (body % sizeof(ab_op) != 0 || h->op_count != body / sizeof(ab_op)) {
        if (h->op_count > body / sizeof(ab_op))
            return ab_fail(
                err, errlen, "truncated: the header says %llu ops, the file holds %llu%s",
                (unsigned long long)h->op_count, (unsigned long long)(body / sizeof(ab_op)),
                body % sizeof(ab_op) ? " and a partial op" : "");
        return ab_fail(err, errlen, "the header says %llu ops, the file holds %llu bytes of ops",
                       (unsigned long long)h->op_count, (unsigned long long)body);
    }
    return 0;
}

static int is_text(const void *buf, size_t len)
{
    size_t ml = strlen(AB_TRACE_TEXT_MAGIC);
    return len >= ml && memcmp(buf, AB_TRACE_TEXT_MAGIC, ml) == 0;
}

int ab_trace_open_memory(const void *buf, size_t len, ab_trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (is_text(buf, len))
        return ab_trace_parse_text(buf, len, t, err, errlen);
    if (check_layout(buf, len, &t->hdr, err, errlen))
        return -1;
    size_t bytes = (size_t)t->hdr.op_count * sizeof(ab_op);
    if (bytes) {
        /* A copy, so the ops are aligned whatever the caller's buffer is. */
        t->owned = malloc(bytes);
        if (!t->owned)
            return ab_fail(err, errlen, "out of memory for %zu bytes of ops", bytes);
        memcpy(t->owned, (const char *)buf + sizeof(ab_trace_header), bytes);
    }
    t->ops = t->owned;
    return 0;
}

static int open_text_file(int fd, const char *path, size_t len, ab_trace *t, char *err,
                          size_t errlen)
{
    char *buf = malloc(len ? len : 1);
    if (!buf)
        return ab_fail(err, errlen, "%s: out of memory reading %zu bytes", path, len);
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)got);
        if (r <= 0) {
            ab_fail(err, errlen, "%s: read failed: %s", path, r ? strerror(errno) : "short");
            free(buf);
            return -1;
        }
        got += (size_t)r;
    }
    char msg[400];
    int rc = ab_trace_parse_text(buf, len, t, msg, sizeof msg);
    if (rc)
        ab_fail(err, errlen, "%s: %s", path, msg);
    free(buf);
    return rc;
}

int ab_trace_open(const char *path, ab_trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    int fd = ab_open_regular(path, err, errlen);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ab_fail(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    char head[32] = {0};
    ssize_t hn = pread(fd, head, sizeof head, 0);
    if (hn < 0) {
        ab_fail(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (is_text(head, (size_t)hn)) {
        int rc = open_text_file(fd, path, len, t, err, errlen);
        close(fd);
        return rc;
    }
    char msg[400];
    if (len < sizeof(ab_trace_header)) {
        check_layout(head, (size_t)hn < len ? (size_t)hn : len, &t->hdr, msg, sizeof msg);
        close(fd);
        memset(t, 0, sizeof *t);
        return ab_fail(err, errlen, "%s: %s", path, msg);
    }
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (map == MAP_FAILED)
        return ab_fail(err, errlen, "%s: mmap failed: %s", path, strerror(saved));
    if (check_layout(map, len, &t->hdr, msg, sizeof msg)) {
        munmap(map, len);
        memset(t, 0, sizeof *t);
        return ab_fail(err, errlen, "%s: %s", path, msg);
    }
    madvise(map, len, MADV_SEQUENTIAL);
    t->map = map;
    t->map_len = len;
    t->ops = (const ab_op *)((const char *)map + sizeof(ab_trace_header));
    return 0;
}

void ab_trace_close(ab_trace *t)
{
    if (t->map)
        munmap(t->map, t->map_len);
    free(t->owned);
    memset(t, 0, sizeof *t);
}

/* ---- streaming (trace_io.h) -------------------------------------------------------------- */

void ab_trace_window_init(ab_trace_window *w, const ab_trace *t)
{
    memset(w, 0, sizeof *w);
    w->next = UINT64_MAX;
    if (!t->map)
        return;
    w->map = t->map;
    w->ops = (const char *)t->ops;
    w->map_len = t->map_len;
    w->lo = 0;
    w->hi = t->map_len;
    w->next = 0;
}

void ab_trace_window_step(ab_trace_window *w, uint64_t pos)
{
    if (!w->map)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t at = (size_t)(w->ops - w->map) + (size_t)pos * sizeof(ab_op);
    size_t lo = (at < w->map_len ? at : w->map_len) & ~(page - 1);
    size_t hi = at + 2 * (size_t)AB_TRACE_WINDOW_OPS * sizeof(ab_op);
    hi = hi < w->map_len ? (hi + page - 1) & ~(page - 1) : w->map_len;
    if (hi > w->map_len)
        hi = w->map_len;
    /* drop what this process holds outside [lo, hi) */
    if (w->lo < lo)
        madvise((void *)(w->map + w->lo), (w->hi < lo ? w->hi : lo) - w->lo, MADV_DONTNEED);
    if (w->hi > hi) {
        size_t from = w->lo > hi ? w->lo : hi;
        madvise((void *)(w->map + from), w->hi - from, MADV_DONTNEED);
    }
    if (hi > lo && madvise((void *)(w->map + lo), hi - lo, MADV_POPULATE_READ) != 0)
        madvise((void *)(w->map + lo), hi - lo, MADV_WILLNEED);
    w->lo = lo;
    w->hi = hi;
    w->next = pos + AB_TRACE_WINDOW_OPS;
}
