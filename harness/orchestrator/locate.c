/* locate.c: the companions of the alignbench executable, installed layout first, build tree
 * second (locate.h). */
#include "harness/orchestrator/locate.h"
#include "harness/orchestrator/child.h"

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static int candidate(const char *dir, const char *rel, const char *name, char *buf, size_t len)
{
    int n = (rel && *rel) ? snprintf(buf, len, "%s/%s/%s", dir, rel, name)
                          : snprintf(buf, len, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int ab_locate(const char *install_rel, const char *build_rel, const char *name, char *buf,
              size_t len)
{
    char dir[PATH_MAX];
    if (len == 0)
        return -1;
    buf[0] = '\0';
    if (ab_self_dir(dir, sizeof dir) != 0)
        return -1;
    if (install_rel && candidate(dir, install_rel, name, buf, len) == 0 && access(buf, F_OK) == 0)
        return 0;
    if (candidate(dir, build_rel, name, buf, len) != 0) {
        buf[0] = '\0';
        return -1;
    }
    return access(buf, F_OK) == 0 ? 0 : -1;
}
