/* environment.c: reads the noise-relevant machine settings of environment.h and words the
 * warnings. Every reader takes the root directory of the tree it reads (tests use fake trees);
 * a file that is absent or unreadable gives null, never a guess (a VM often has no cpufreq).
 */
#include "harness/orchestrator/environment.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of root/rel without its newline into buf: 0, or -1 when unreadable. */
static int read_line(const char *root, const char *rel, char *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", root, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *ok = fgets(buf, (int)len, f);
    fclose(f);
    if (!ok)
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

static json_t *read_string(const char *root, const char *rel)
{
    char buf[1024];
    return read_line(root, rel, buf, sizeof buf) ? json_null() : json_string(buf);
}

static json_t *read_int(const char *root, const char *rel)
{
    char buf[64], *end;
    if (read_line(root, rel, buf, sizeof buf) || !buf[0])
        return json_null();
    long long v = strtoll(buf, &end, 10);
    return *end ? json_null() : json_integer(v);
}

/* A kernel CPU list ("0-3,8,10-11") into a JSON array of numbers; NULL when malformed. */
static json_t *parse_cpulist(const char *s)
{
    json_t *out = json_array();
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0)
            break;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a || b - a > 4096)
                break;
            s = end;
        }
        for (long c = a; c <= b; c++)
            json_array_append_new(out, json_integer(c));
        if (*s == ',')
            s++;
        else if (*s)
            break;
    }
    if (*s) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The value of `key=` on the kernel command line, null when absent or unreadable. */
static json_t *cmdline_value(const char *root, const char *key)
{
    char buf[4096];
    if (read_line(root, "/proc/cmdline", buf, sizeof buf))
        return json_null();
    size_t n = strlen(key);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        if (!strncmp(tok, key, n) && tok[n] == '=')
            return json_string(tok + n + 1);
    return json_null();
}

/* The CPUs this process may run on, as a kernel CPU list; *last = the highest. */
static json_t *allowed_cpus(int *last)
{
    cpu_set_t set;
    *last = -1;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return json_null();
    char buf[1024] = "";
    size_t used = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int e = c;
        while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set))
            e++;
        if (used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d", used ? "," : "", c);
        if (e > c && used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "-%d", e);
        *last = e;
        c = e;
    }
    return json_string(buf);
}

/* turbo/boost: the first of the three places the kernel shows it. */
static void add_boost(json_t *ctx, const char *root, int cpu)
{
    char rel[256], buf[64];
    struct {
        const char *path;
        int on_when; /* the value that means boost is on */
    } src[] = {{"/sys/devices/system/cpu/cpufreq/boost", 1},
               {"/sys/devices/system/cpu/intel_pstate/no_turbo", 0},
               {rel, 1}};
    snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/cpufreq/boost", cpu);
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        if (read_line(root, src[i].path, buf, sizeof buf) || (strcmp(buf, "0") && strcmp(buf, "1")))
            continue;
        json_object_set_new(ctx, "cpu_boost", json_boolean((buf[0] - '0') == src[i].on_when));
        json_object_set_new(ctx, "cpu_boost_source", json_string(src[i].path));
        return;
    }
    json_object_set_new(ctx, "cpu_boost", json_null());
    json_object_set_new(
        ctx, "cpu_boost_source",
        read_line(root, "/sys/devices/system/cpu/amd_pstate/status", buf, sizeof buf)
            ? json_null()
            : json_string("/sys/devices/system/cpu/amd_pstate (no boost file)"));
}

/* SMT: whether it is on, the measured CPU's thread siblings and which of the others are online
 * (a CPU without an `online` file, like cpu0, cannot go offline). */
static void add_smt(json_t *ctx, const char *root, int cpu)
{
    char rel[256], buf[1024];
    json_t *active = read_int(root, "/sys/devices/system/cpu/smt/active");
    json_object_set_new(ctx, "smt_active",
                        json_is_integer(active) ? json_boolean(json_integer_value(active) != 0)
                                                : json_null());
    json_decref(active);
    snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu);
    json_t *sibs = read_line(root, rel, buf, sizeof buf) ? NULL : parse_cpulist(buf);
    json_object_set_new(ctx, "cpu_thread_siblings", sibs ? json_string(buf) : json_null());
    json_t *online = sibs ? json_array() : json_null();
    size_t i;
    json_t *v;
    json_array_foreach(sibs, i, v)
    {
        int s = (int)json_integer_value(v);
        if (s == cpu)
            continue;
        snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/online", s);
        if (read_line(root, rel, buf, sizeof buf) || strcmp(buf, "0") != 0)
            json_array_append_new(online, json_integer(s));
    }
    json_decref(sibs);
    json_object_set_new(ctx, "smt_siblings_online", online);
}

void ab_env_add(json_t *ctx, const char *root, int cpu)
{
    char rel[256];
    int last;
    json_object_set_new(ctx, "allowed_cpus", allowed_cpus(&last));
    if (cpu < 0)
        cpu = last < 0 ? 0 : last;
    json_object_set_new(ctx, "measured_cpu", json_integer(cpu));
    snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
    json_object_set_new(ctx, "cpu_governor", read_string(root, rel));
    add_boost(ctx, root, cpu);
    add_smt(ctx, root, cpu);
    json_t *freq = json_object();
    static const char *const freq_files[][2] = {{"scaling_min", "scaling_min_freq"},
                                                {"scaling_max", "scaling_max_freq"},
                                                {"cpuinfo_max", "cpuinfo_max_freq"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/cpufreq/%s", cpu,
                 freq_files[i][1]);
        json_object_set_new(freq, freq_files[i][0], read_int(root, rel));
    }
    json_object_set_new(ctx, "cpu_freq_khz", freq);
    json_object_set_new(ctx, "aslr", read_int(root, "/proc/sys/kernel/randomize_va_space"));
    json_object_set_new(ctx, "numa_nodes", read_string(root, "/sys/devices/system/node/online"));
    json_object_set_new(ctx, "isolated_cpus",
                        read_string(root, "/sys/devices/system/cpu/isolated"));
    json_object_set_new(ctx, "cmdline_isolcpus", cmdline_value(root, "isolcpus"));
    json_object_set_new(ctx, "overcommit_memory", read_int(root, "/proc/sys/vm/overcommit_memory"));
}

/* ---- warnings ---- */

typedef void (*finding_fn)(void *arg, const char *tag, const char *line);

/* Calls fn once per noisy setting, with a short tag and the warning's sentence. */
static void findings(const json_t *ctx, finding_fn fn, void *arg)
{
    char tag[128], line[512];
    long long cpu = json_integer_value(json_object_get(ctx, "measured_cpu"));
    const char *gov = json_string_value(json_object_get(ctx, "cpu_governor"));
    if (gov && strcmp(gov, "performance") != 0) {
        snprintf(tag, sizeof tag, "governor %s", gov);
        snprintf(line, sizeof line,
                 "CPU frequency scaling is enabled: governor '%s' on CPU %lld, not "
                 "'performance'; times will follow the clock (cpupower frequency-set -g "
                 "performance)",
                 gov, cpu);
        fn(arg, tag, line);
    }
    if (json_is_true(json_object_get(ctx, "cpu_boost"))) {
        snprintf(line, sizeof line,
                 "turbo/boost is on (%s): the clock depends on temperature and on the other "
                 "cores; turn it off for stable times",
                 json_string_value(json_object_get(ctx, "cpu_boost_source")));
        fn(arg, "turbo on", line);
    }
    const json_t *sibs = json_object_get(ctx, "smt_siblings_online");
    if (json_array_size(sibs) > 0) {
        char list[128] = "";
        size_t i, used = 0;
        const json_t *v;
        json_array_foreach(sibs, i, v) if (used < sizeof list) used +=
            (size_t)snprintf(list + used, sizeof list - used, "%s%lld", i ? "," : "",
                             (long long)json_integer_value(v));
        snprintf(tag, sizeof tag, "SMT sibling %s online", list);
        snprintf(line, sizeof line,
                 "CPU %lld shares its core with CPU %s (SMT sibling online): whatever runs "
                 "there slows the measurement; keep it idle or take it offline",
                 cpu, list);
        fn(arg, tag, line);
    }
    const json_t *aslr = json_object_get(ctx, "aslr");
    if (json_is_integer(aslr) && json_integer_value(aslr) != 0) {
        snprintf(line, sizeof line,
                 "ASLR is on (randomize_va_space=%lld): addresses, and with them cache and TLB "
                 "placement, change from run to run (setarch -R, or sysctl "
                 "kernel.randomize_va_space=0)",
                 (long long)json_integer_value(aslr));
        fn(arg, "ASLR on", line);
    }
    const json_t *load = json_array_get(json_object_get(ctx, "load_average"), 0);
    if (json_is_number(load) && json_number_value(load) > 1.0) {
        snprintf(tag, sizeof tag, "load %.2f", json_number_value(load));
        snprintf(line, sizeof line,
                 "load average is %.2f (above 1): other work on this machine adds noise; a "
                 "benchmark must own its machine",
                 json_number_value(load));
        fn(arg, tag, line);
    }
}

typedef struct warn_arg {
    FILE *out;
    const char *prefix;
    int n;
} warn_arg;

static void warn_one(void *arg, const char *tag, const char *line)
{
    warn_arg *w = arg;
    (void)tag;
    fprintf(w->out, "%s%s\n", w->prefix, line);
    w->n++;
}

int ab_env_warn(const json_t *ctx, FILE *out, const char *prefix)
{
    warn_arg w = {out, prefix ? prefix : "", 0};
    findings(ctx, warn_one, &w);
    return w.n;
}

typedef struct noise_arg {
    char *buf;
    size_t len, used;
} noise_arg;

static void noise_one(void *arg, const char *tag, const char *line)
{
    noise_arg *n = arg;
    (void)line;
    if (n->used < n->len)
        n->used +=
            (size_t)snprintf(n->buf + n->used, n->len - n->used, "%s%s", n->used ? ", " : "", tag);
}

void ab_env_noise(const json_t *ctx, char *buf, size_t len)
{
    noise_arg n = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    findings(ctx, noise_one, &n);
}
