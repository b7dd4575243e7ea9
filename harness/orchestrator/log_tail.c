/* log_tail.c: the last non-empty lines of a child's log (log_tail.h). */
#include "harness/orchestrator/log_tail.h"

#include <stdio.h>
#include <string.h>

#define SEP " | "

void ab_log_tail(const char *path, unsigned want, char *buf, size_t len)
{
    char lines[AB_LOG_TAIL_MAX][1024];
    unsigned n = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            snprintf(lines[n++ % AB_LOG_TAIL_MAX], sizeof lines[0], "%s", line);
    }
    fclose(f);
    if (want < 1)
        want = 1;
    if (want > AB_LOG_TAIL_MAX)
        want = AB_LOG_TAIL_MAX;
    unsigned first = n > want ? n - want : 0;
    /* each line's share of buf, so the last one is never cut for the first ones */
    size_t seps = (sizeof SEP - 1) * (want - 1);
    size_t share = len > seps + want ? (len - seps) / want - 1 : 0;
    size_t off = 0;
    for (unsigned i = first; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%.*s", i > first ? SEP : "", (int)share,
                                lines[i % AB_LOG_TAIL_MAX]);
}
