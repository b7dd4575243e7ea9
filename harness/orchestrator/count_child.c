/* count_child.c: the counter of a `run --measure instructions` and the command line of its
 * children (count_child.h). */
#include "harness/orchestrator/count_child.h"
#include "harness/common/error_message.h"
#include "harness/orchestrator/locate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const valgrind_options[] = {
    "--tool=callgrind",  "--collect-atstart=no", "--instr-atstart=no", "--cache-sim=yes",
    "--I1=" AB_COUNT_I1, "--D1=" AB_COUNT_D1,    "--LL=" AB_COUNT_LL,  "--quiet",
};
#define NOPTIONS (sizeof valgrind_options / sizeof valgrind_options[0])

/* valgrind on the PATH into out; 0 or -1. */
static int find_valgrind(char *out, size_t len)
{
    const char *path = getenv("PATH");
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", path && *path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        if ((size_t)snprintf(out, len, "%s/valgrind", *dir ? dir : ".") < len &&
            access(out, X_OK) == 0)
            return 0;
    }
    out[0] = '\0';
    return -1;
}

static void valgrind_version(ab_count_setup *s)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "'%s' --version 2>/dev/null", s->valgrind);
    snprintf(s->version, sizeof s->version, "unknown");
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    if (fgets(s->version, sizeof s->version, p))
        s->version[strcspn(s->version, "\n")] = '\0';
    pclose(p);
}

int ab_count_setup_choose(const char *counter, ab_count_setup *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (ab_locate(AB_INSTALL_RECORDER_REL, NULL, "libalignbench-repeatable.so", out->repeatable,
                  sizeof out->repeatable) != 0)
        return ab_fail(err, errlen, "cannot find libalignbench-repeatable.so (looked for %s)",
                       out->repeatable);
    char why_perf[256] = "";
    int want_perf = !strcmp(counter, "perf"), want_cg = !strcmp(counter, "callgrind");
    if (!want_perf && !want_cg && strcmp(counter, "auto") != 0)
        return ab_fail(err, errlen, "--counter wants auto, perf or callgrind, not '%s'", counter);
    if (!want_cg) {
        if (ab_icount_perf_available(why_perf, sizeof why_perf)) {
            out->source = AB_ICOUNT_PERF;
            return 0;
        }
        if (want_perf)
            return ab_fail(err, errlen, "--counter perf: %s", why_perf);
    }
    if (find_valgrind(out->valgrind, sizeof out->valgrind) != 0)
        return ab_fail(err, errlen,
                       "--measure instructions needs an instruction counter: %s%svalgrind is "
                       "not on the PATH (Debian: apt-get install valgrind)",
                       want_cg ? "" : why_perf, want_cg ? "" : "; and ");
    out->source = AB_ICOUNT_CALLGRIND;
    valgrind_version(out);
    return 0;
}

int ab_count_command(const ab_count_setup *s, const char *callgrind_out, char *out_opt, size_t len,
                     const char **argv)
{
    if (s->source != AB_ICOUNT_CALLGRIND)
        return 0;
    snprintf(out_opt, len, "--callgrind-out-file=%s", callgrind_out);
    int k = 0;
    argv[k++] = s->valgrind;
    for (size_t i = 0; i < NOPTIONS; i++)
        argv[k++] = valgrind_options[i];
    argv[k++] = out_opt;
    return k;
}

int ab_count_runner_options(const ab_count_setup *s, const char *callgrind_out, const char **argv,
                            int k)
{
    argv[k++] = "--count";
    argv[k++] = ab_icount_source_name(s->source);
    if (s->source == AB_ICOUNT_CALLGRIND) {
        argv[k++] = "--callgrind-out";
        argv[k++] = callgrind_out;
    }
    argv[k] = NULL;
    return k;
}

const char *ab_count_preload(const ab_count_setup *s, const char *lib, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", s->repeatable, lib && *lib ? " " : "", lib ? lib : "");
    return buf;
}

json_t *ab_count_config(const ab_count_setup *s)
{
    json_t *c = json_pack("{s:s, s:s}", "source", ab_icount_source_name(s->source), "preload",
                          s->repeatable);
    if (s->source == AB_ICOUNT_CALLGRIND) {
        json_t *opts = json_array();
        for (size_t i = 0; i < NOPTIONS; i++)
            json_array_append_new(opts, json_string(valgrind_options[i]));
        json_object_set_new(c, "valgrind", json_string(s->valgrind));
        json_object_set_new(c, "version", json_string(s->version));
        json_object_set_new(c, "options", opts);
    }
    return c;
}
