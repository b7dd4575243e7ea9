/* progress.c: the status line and the run log of progress.h. */
#include "harness/orchestrator/progress.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void format_eta(char *buf, size_t len, double s)
{
    if (s < 0)
        snprintf(buf, len, "?");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

void ab_progress_init(ab_progress *p, FILE *out, size_t total)
{
    p->out = out;
    p->tty = out && isatty(fileno(out));
    p->total = total;
    p->done = 0;
    p->start_s = now_s();
    p->line_open = 0;
}

static void clear_line(ab_progress *p)
{
    if (p->line_open) {
        fputs("\r\033[K", p->out);
        p->line_open = 0;
    }
}

void ab_progress_begin(ab_progress *p, const char *what)
{
    if (!p->out || !p->tty)
        return;
    double elapsed = now_s() - p->start_s;
    char eta[32];
    format_eta(eta, sizeof eta,
               p->done ? elapsed / (double)p->done * (double)(p->total - p->done) : -1);
    clear_line(p);
    fprintf(p->out, "[%zu/%zu] %s  (elapsed %.0fs, ETA %s)", p->done + 1, p->total, what, elapsed,
            eta);
    fflush(p->out);
    p->line_open = 1;
}

void ab_progress_end(ab_progress *p, const char *what, const char *outcome, double wall_s)
{
    p->done++;
    if (!p->out)
        return;
    if (p->tty) {
        clear_line(p);
        return;
    }
    fprintf(p->out, "[%zu/%zu] %s: %s (%.2f s)\n", p->done, p->total, what, outcome, wall_s);
    fflush(p->out);
}

void ab_progress_note(ab_progress *p, const char *fmt, ...)
{
    clear_line(p);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void ab_progress_finish(ab_progress *p)
{
    clear_line(p);
    if (p->out)
        fflush(p->out);
}
