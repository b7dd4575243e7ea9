/* log_capture.c: capped copying of a child's output into its log (log_capture.h). */
#include "harness/orchestrator/log_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes all of buf (a full disk or a closed file: the rest is lost, as the child's own write
 * would have been). */
static void write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

int ab_log_capture_open(ab_log_capture *c, int fd)
{
    int p[2];
    memset(c, 0, sizeof *c);
    c->rd = c->wr = -1;
    c->fd = fd;
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    c->rd = p[0];
    c->wr = p[1];
    /* The parent's end never blocks: it is read only when poll says so, and drained at the end. */
    fcntl(c->rd, F_SETFL, fcntl(c->rd, F_GETFL) | O_NONBLOCK);
    return 0;
}

static void take(ab_log_capture *c, const char *buf, size_t n)
{
    c->total += n;
    if (c->head < AB_LOG_CAP_HEAD) {
        size_t k = n < AB_LOG_CAP_HEAD - c->head ? n : AB_LOG_CAP_HEAD - c->head;
        write_all(c->fd, buf, k);
        c->head += k;
        buf += k;
        n -= k;
    }
    if (n && !c->tail && !(c->tail = malloc(AB_LOG_CAP_TAIL)))
        return;                  /* no room for a tail: only the head and the note */
    for (size_t i = 0; i < n;) { /* the ring keeps the newest AB_LOG_CAP_TAIL bytes */
        size_t k = AB_LOG_CAP_TAIL - c->tail_pos;
        if (k > n - i)
            k = n - i;
        memcpy(c->tail + c->tail_pos, buf + i, k);
        c->tail_pos = (c->tail_pos + k) % AB_LOG_CAP_TAIL;
        c->tail_len = c->tail_len + k < AB_LOG_CAP_TAIL ? c->tail_len + k : AB_LOG_CAP_TAIL;
        i += k;
    }
}

int ab_log_capture_pump(ab_log_capture *c)
{
    char buf[65536];
    while (c->rd >= 0) {
        ssize_t n = read(c->rd, buf, sizeof buf);
        if (n > 0) {
            take(c, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        close(c->rd); /* the end of the pipe (or an error: nothing more can come) */
        c->rd = -1;
    }
    return 0;
}

void ab_log_capture_finish(ab_log_capture *c)
{
    if (c->wr >= 0)
        close(c->wr);
    c->wr = -1;
    ab_log_capture_pump(c);
    if (c->rd >= 0)
        close(c->rd);
    c->rd = -1;
    unsigned long long dropped = c->total - c->head - c->tail_len;
    if (dropped) {
        char note[256];
        int n =
            snprintf(note, sizeof note,
                     "\n[alignbench: this log was cut: %llu bytes of output dropped here; a log "
                     "keeps its first %u and last %u bytes (%u in all)]\n",
                     dropped, AB_LOG_CAP_HEAD, AB_LOG_CAP_TAIL, AB_LOG_CAP);
        write_all(c->fd, note, (size_t)n);
    }
    if (c->tail_len) { /* oldest first: from tail_pos when the ring is full */
        size_t start = c->tail_len == AB_LOG_CAP_TAIL ? c->tail_pos : 0;
        write_all(c->fd, c->tail + start, c->tail_len - start);
        write_all(c->fd, c->tail, start);
    }
    free(c->tail);
    c->tail = NULL;
    close(c->fd);
    c->fd = -1;
}
