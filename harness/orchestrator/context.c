/* context.c: reads the machine and build context of context.h.
 *
 * Sources: /proc/cpuinfo (model name), /proc/loadavg, uname(2), gnu_get_libc_version(3), sysfs for
 * THP (and environment.c for the settings that add noise), build_config.h for compiler and flags,
 * `git --no-optional-locks -C AB_SOURCE_DIR` at run time (a child: child.h) for the commit (the
 * build's commit is the fall-back when the source tree is gone; without that option `git status`
 * would take .git/index.lock to refresh the index and could make the user's own git command fail),
 * the environment for allocator settings (and a variant's own, which only its children have). A
 * field that cannot be read is null, never a guess.
 */
#include "harness/orchestrator/context.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/environment.h"
#include "harness/measure/machine_costs.h"
#include "build_config.h"

#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The first line git writes for args (after `git --no-optional-locks -C SOURCE_DIR`: it never
 * takes .git/index.lock), without the newline, into buf; 0 when git ran and exited 0. */
static int git_line(const char *const *args, char *buf, size_t len)
{
    const char *argv[16] = {"git", "--no-optional-locks", "-C", AB_SOURCE_DIR};
    size_t n = 4;
    while (*args && n + 1 < sizeof argv / sizeof argv[0])
        argv[n++] = *args++;
    argv[n] = NULL;
    ab_child_spec spec = {.argv = argv,
                          .search_path = 1,
                          .stdin_null = 1,
                          .stdout_buf = buf,
                          .stdout_buf_len = len,
                          .stderr_path = "/dev/null"};
    ab_child_result r;
    int rc = ab_child_run(&spec, &r);
    buf[strcspn(buf, "\n")] = '\0';
    return rc == 0 && r.outcome == AB_CHILD_OK ? 0 : -1;
}

static json_t *cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return json_null();
    char line[512];
    json_t *model = NULL;
    while (!model && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        model = json_string(colon);
    }
    fclose(f);
    return model ? model : json_null();
}

/* The bracketed choice of a sysfs setting like "always [madvise] never". */
static json_t *sysfs_choice(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return json_null();
    char line[256] = "";
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    if (!ok)
        return json_null();
    char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
    if (!open || !close) {
        line[strcspn(line, "\n")] = '\0';
        return json_string(line);
    }
    *close = '\0';
    return json_string(open + 1);
}

static void add_git(json_t *ctx)
{
    char out[256];
    static const char *const head[] = {"rev-parse", "HEAD", NULL};
    static const char *const status[] = {"status", "--porcelain", "--untracked-files=no", NULL};
    if (git_line(head, out, sizeof out) == 0 && out[0]) {
        json_object_set_new(ctx, "git_commit", json_string(out));
        git_line(status, out, sizeof out);
        json_object_set_new(ctx, "git_dirty", json_boolean(out[0] != '\0'));
        json_object_set_new(ctx, "git_source", json_string("run time"));
    } else {
        json_object_set_new(ctx, "git_commit",
                            AB_GIT_COMMIT[0] ? json_string(AB_GIT_COMMIT) : json_null());
        json_object_set_new(ctx, "git_dirty", json_null());
        json_object_set_new(ctx, "git_source", json_string("build time"));
    }
}

/* Environment variables that change an allocator's behaviour, by backend. A variable matches
 * when its name equals `name`, or starts with it when `name` ends in '*'. */
typedef struct setting_rule {
    const char *backend; /* NULL: applies to every allocator */
    const char *name;
} setting_rule;

static const setting_rule setting_rules[] = {
    {NULL, "GLIBC_TUNABLES"},         {NULL, "MALLOC_ARENA_MAX"},       {NULL, "MALLOC_TOP_PAD_"},
    {NULL, "MALLOC_TRIM_THRESHOLD_"}, {NULL, "MALLOC_MMAP_THRESHOLD_"}, {NULL, "MALLOC_PERTURB_"},
    {"jemalloc", "MALLOC_CONF"},      {"jemalloc", "JE_MALLOC_CONF"},   {"mimalloc", "MIMALLOC_*"},
    {"preload", "MALLOC_CONF"},       {"preload", "MIMALLOC_*"},        {"preload", "TCMALLOC_*"},
};

static int rule_matches(const setting_rule *r, const char *backend, const char *var, size_t len)
{
    if (backend && r->backend && strcmp(r->backend, backend) != 0)
        return 0;
    size_t n = strlen(r->name);
    if (n > 0 && r->name[n - 1] == '*')
        return len >= n - 1 && strncmp(var, r->name, n - 1) == 0;
    return len == n && strncmp(var, r->name, n) == 0;
}

/* {NAME: value} for the variables of the environment that the rules select for `backend`
 * (every rule when backend is NULL). */
static json_t *settings_for(const char *backend)
{
    json_t *out = json_object();
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        size_t len = (size_t)(eq - *e);
        for (size_t i = 0; i < sizeof setting_rules / sizeof setting_rules[0]; i++) {
            if (rule_matches(&setting_rules[i], backend, *e, len)) {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)len, *e);
                json_object_set_new(out, name, json_string(eq + 1));
                break;
            }
        }
    }
    return out;
}

json_t *ab_context_load_average(void)
{
    double l1, l5, l15;
    FILE *f = fopen("/proc/loadavg", "r");
    int got = f ? fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) : 0;
    if (f)
        fclose(f);
    return got == 3 ? json_pack("[f, f, f]", l1, l5, l15) : json_null();
}

/* This machine's price of a fault, a refault, a madvise and an mmap+munmap (machine_costs.h),
 * measured now; null when memory could not be mapped. */
static json_t *machine_costs(void)
{
    ab_machine_costs mc;
    if (ab_machine_costs_measure(&mc) != 0)
        return json_null();
    return json_pack("{s:f, s:f, s:f, s:f, s:i, s:f, s:b}", "fault_ns", mc.fault_ns, "refault_ns",
                     mc.refault_ns, "madvise_ns", mc.madvise_ns, "mmap_munmap_ns",
                     mc.mmap_munmap_ns, "fault_pages", (int)mc.pages, "fault_expensive_above_ns",
                     AB_FAULT_EXPENSIVE_NS, "fault_expensive", mc.fault_ns > AB_FAULT_EXPENSIVE_NS);
}

json_t *ab_context_collect(void)
{
    json_t *ctx = json_object();
    if (!ctx)
        return NULL;
    json_object_set_new(ctx, "cpu_model", cpu_model());
    json_object_set_new(ctx, "tsc_hz", json_null());
    json_object_set_new(ctx, "timer_resolution_ns", json_null());
    json_object_set_new(ctx, "cores", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_set_new(ctx, "machine_costs", machine_costs());
    json_object_set_new(ctx, "load_average", ab_context_load_average());
    struct utsname u;
    if (uname(&u) == 0) {
        char kernel[sizeof u.sysname + sizeof u.release + sizeof u.version + 4];
        snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.version);
        json_object_set_new(ctx, "kernel", json_string(kernel));
        json_object_set_new(ctx, "machine", json_string(u.machine));
    } else {
        json_object_set_new(ctx, "kernel", json_null());
        json_object_set_new(ctx, "machine", json_null());
    }
    json_object_set_new(ctx, "glibc", json_string(gnu_get_libc_version()));
    json_object_set_new(ctx, "thp", sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled"));
    json_object_set_new(ctx, "thp_defrag",
                        sysfs_choice("/sys/kernel/mm/transparent_hugepage/defrag"));
    json_object_set_new(ctx, "compiler", json_string(AB_C_COMPILER));
    json_object_set_new(ctx, "cflags", json_string(AB_C_FLAGS));
    json_object_set_new(ctx, "build_type", json_string(AB_BUILD_TYPE));
    json_object_set_new(ctx, "alignbench_version", json_string(AB_VERSION));
    add_git(ctx);
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_object_set_new(ctx, "date", json_string(date));
    char host[256] = "";
    json_object_set_new(ctx, "hostname",
                        gethostname(host, sizeof host) == 0 ? json_string(host) : json_null());
    json_object_set_new(ctx, "settings", settings_for(NULL));
    ab_env_add(ctx, "", -1); /* governor, boost, SMT, ASLR, ...: environment.h */
    json_object_set_new(ctx, "allocators", json_object());
    return ctx;
}

void ab_context_add_allocator(json_t *context, const char *name, const char *backend,
                              const char *version, const char *library, const char *const *env)
{
    json_t *all = json_object_get(context, "allocators");
    if (!all || json_object_get(all, name))
        return;
    json_t *a = json_object();
    json_object_set_new(a, "backend", json_string(backend ? backend : name));
    json_object_set_new(a, "version", version ? json_string(version) : json_null());
    json_object_set_new(a, "library", library && library[0] ? json_string(library) : json_null());
    json_t *settings = settings_for(backend ? backend : name);
    for (; env && *env; env++) {
        size_t len = strcspn(*env, "=");
        char var[256];
        snprintf(var, sizeof var, "%.*s", (int)len, *env);
        json_object_set_new(settings, var, json_string((*env)[len] ? *env + len + 1 : ""));
    }
    json_object_set_new(a, "settings", settings);
    json_object_set_new(all, name, a);
}

void ab_context_set_clock(json_t *context, const json_t *child)
{
    static const char *const keys[] = {"tsc_hz", "timer_resolution_ns", "timer_resolution_ticks",
                                       "unresolved_below_ns"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *cur = json_object_get(context, keys[i]);
        const json_t *v = json_object_get(child, keys[i]);
        if ((!cur || json_is_null(cur)) && json_is_number(v) && json_number_value(v) > 0)
            json_object_set_new(context, keys[i], json_deep_copy(v));
    }
}
