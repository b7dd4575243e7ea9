/* record_stale.c: removing the temporary traces a killed recorder left behind (see
 * record_stale.h). A recorder writes its trace to NAME.tmp.PID and renames it when done; SIGKILL
 * leaves that file. Only names of that exact form go, only regular files of this user, only when
 * no process PID exists any more: a recording in progress, or another user's file, stays. */
#include "harness/cli/record_stale.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_MARK ".tmp."

/* name is ".tmp." and digits, nothing else. */
static int is_tmp_suffix(const char *name)
{
    if (strncmp(name, TMP_MARK, strlen(TMP_MARK)))
        return 0;
    name += strlen(TMP_MARK);
    if (!isdigit((unsigned char)*name))
        return 0;
    while (isdigit((unsigned char)*name))
        name++;
    return *name == 0;
}

/* name is pat expanded as the recorder expands it ("%p": PID or PID-N), then the suffix. */
static int matches(const char *pat, const char *name)
{
    if (!*pat)
        return is_tmp_suffix(name);
    if (pat[0] == '%' && pat[1] == 'p') {
        for (const char *q = name; isdigit((unsigned char)*q); q++) {
            if (matches(pat + 2, q + 1))
                return 1;
            if (q[1] == '-')
                for (const char *r = q + 2; isdigit((unsigned char)*r); r++)
                    if (matches(pat + 2, r + 1))
                        return 1;
        }
        return 0;
    }
    size_t step = pat[0] == '%' && pat[1] == '%' ? 2 : 1;
    return *name == *pat && matches(pat + step, name + 1);
}

int ab_record_remove_stale(const char *path, FILE *note)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return 0;
    const char *pat = slash + 1;
    char dirpath[4200];
    snprintf(dirpath, sizeof dirpath, "%.*s", (int)(slash - path), path);
    if (strstr(dirpath, "%p"))
        return 0; /* a folder per process: not searched */
    DIR *d = opendir(dirpath[0] ? dirpath : "/");
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!matches(pat, e->d_name))
            continue;
        long pid = strtol(strrchr(e->d_name, '.') + 1, NULL, 10);
        struct stat st;
        if (pid <= 0 || pid > INT_MAX ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to signal): perhaps still recording */
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            removed++;
            fprintf(note,
                    "alignbench record: removed %s/%s, a temporary trace left by process %ld, "
                    "which is gone\n",
                    dirpath, e->d_name, pid);
        }
    }
    closedir(d);
    return removed;
}
