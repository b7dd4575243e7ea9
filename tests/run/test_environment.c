/* test_environment.c: the environment readers of harness/orchestrator/environment.h on fake
 * sysfs/procfs trees (a tuned machine and a noisy one, plus an empty tree like a VM without
 * cpufreq), and the warnings' text on one noisy case. */
#include "harness/orchestrator/environment.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[4096];

/* Writes root/rel (creating its folders) with the given content. */
static void put(const char *rel, const char *content)
{
    char path[8192];
    snprintf(path, sizeof path, "%s%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
}

static const char *str(const json_t *ctx, const char *key)
{
    const char *s = json_string_value(json_object_get(ctx, key));
    return s ? s : "(null)";
}

int main(int argc, char **argv)
{
    const char *scratch = argc > 1 ? argv[1] : "test_environment.scratch";
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0 || mkdir(scratch, 0777) != 0)
        return 1;

    /* 1. a noisy machine: powersave, intel turbo on, SMT sibling online, ASLR 2, load 2.5 */
    snprintf(root, sizeof root, "%s/noisy", scratch);
    mkdir(root, 0777);
    put("/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor", "powersave\n");
    put("/sys/devices/system/cpu/cpu3/cpufreq/scaling_min_freq", "800000\n");
    put("/sys/devices/system/cpu/cpu3/cpufreq/scaling_max_freq", "4200000\n");
    put("/sys/devices/system/cpu/cpu3/cpufreq/cpuinfo_max_freq", "4700000\n");
    put("/sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");
    put("/sys/devices/system/cpu/smt/active", "1\n");
    put("/sys/devices/system/cpu/cpu3/topology/thread_siblings_list", "3,7\n");
    put("/sys/devices/system/cpu/cpu7/online", "1\n");
    put("/proc/sys/kernel/randomize_va_space", "2\n");
    put("/sys/devices/system/node/online", "0-1\n");
    put("/sys/devices/system/cpu/isolated", "\n");
    put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n");
    put("/proc/sys/vm/overcommit_memory", "0\n");
    json_t *ctx = json_object();
    ab_env_add(ctx, root, 3);
    CHECK(json_integer_value(json_object_get(ctx, "measured_cpu")) == 3);
    CHECK(!strcmp(str(ctx, "cpu_governor"), "powersave"), "%s", str(ctx, "cpu_governor"));
    CHECK(json_is_true(json_object_get(ctx, "cpu_boost")), "no_turbo=0 is boost on");
    CHECK(!strcmp(str(ctx, "cpu_boost_source"), "/sys/devices/system/cpu/intel_pstate/no_turbo"));
    CHECK(json_is_true(json_object_get(ctx, "smt_active")));
    CHECK(!strcmp(str(ctx, "cpu_thread_siblings"), "3,7"));
    const json_t *sibs = json_object_get(ctx, "smt_siblings_online");
    CHECK(json_array_size(sibs) == 1 && json_integer_value(json_array_get(sibs, 0)) == 7);
    CHECK(json_integer_value(json_object_get(ctx, "aslr")) == 2);
    CHECK(!strcmp(str(ctx, "numa_nodes"), "0-1"));
    CHECK(!strcmp(str(ctx, "isolated_cpus"), ""), "empty isolated list");
    CHECK(json_is_null(json_object_get(ctx, "cmdline_isolcpus")), "no isolcpus= on the cmdline");
    const json_t *freq = json_object_get(ctx, "cpu_freq_khz");
    CHECK(json_integer_value(json_object_get(freq, "scaling_min")) == 800000);
    CHECK(json_integer_value(json_object_get(freq, "cpuinfo_max")) == 4700000);
    CHECK(json_integer_value(json_object_get(ctx, "overcommit_memory")) == 0);
    CHECK(json_is_string(json_object_get(ctx, "allowed_cpus")), "sched_getaffinity");

    /* the warning text, one case: every line, in order */
    json_object_set_new(ctx, "load_average", json_pack("[f,f,f]", 2.5, 1.0, 0.5));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int n = ab_env_warn(ctx, f, "W: ");
    fclose(f);
    const char *expect =
        "W: CPU frequency scaling is enabled: governor 'powersave' on CPU 3, not 'performance'; "
        "times will follow the clock (cpupower frequency-set -g performance)\n"
        "W: turbo/boost is on (/sys/devices/system/cpu/intel_pstate/no_turbo): the clock "
        "depends on temperature and on the other cores; turn it off for stable times\n"
        "W: CPU 3 shares its core with CPU 7 (SMT sibling online): whatever runs there slows "
        "the measurement; keep it idle or take it offline\n"
        "W: ASLR is on (randomize_va_space=2): addresses, and with them cache and TLB "
        "placement, change from run to run (setarch -R, or sysctl kernel.randomize_va_space=0)\n"
        "W: load average is 2.50 (above 1): other work on this machine adds noise; a benchmark "
        "must own its machine\n";
    CHECK(n == 5, "%d warnings", n);
    CHECK(text && !strcmp(text, expect), "got:\n%s", text ? text : "");
    free(text);
    char noise[256];
    ab_env_noise(ctx, noise, sizeof noise);
    CHECK(!strcmp(noise, "governor powersave, turbo on, SMT sibling 7 online, ASLR on, load 2.50"),
          "%s", noise);
    json_decref(ctx);

    /* 2. a tuned machine: performance, boost off (cpufreq/boost), sibling offline, ASLR 0,
     * isolcpus on the cmdline */
    snprintf(root, sizeof root, "%s/tuned", scratch);
    mkdir(root, 0777);
    put("/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n");
    put("/sys/devices/system/cpu/cpufreq/boost", "0\n");
    put("/sys/devices/system/cpu/intel_pstate/no_turbo", "0\n"); /* the first source wins */
    put("/sys/devices/system/cpu/smt/active", "1\n");
    put("/sys/devices/system/cpu/cpu1/topology/thread_siblings_list", "0-1\n");
    put("/sys/devices/system/cpu/isolated", "1\n");
    put("/proc/cmdline", "root=/dev/sda1 isolcpus=nohz,1 quiet\n");
    put("/proc/sys/kernel/randomize_va_space", "0\n");
    ctx = json_object();
    ab_env_add(ctx, root, 1);
    CHECK(json_is_false(json_object_get(ctx, "cpu_boost")), "cpufreq/boost 0 is off");
    sibs = json_object_get(ctx, "smt_siblings_online");
    CHECK(json_array_size(sibs) == 1 && json_integer_value(json_array_get(sibs, 0)) == 0,
          "cpu0 has no online file: online");
    put("/sys/devices/system/cpu/cpu0/online", "0\n");
    ab_env_add(ctx, root, 1);
    CHECK(json_array_size(json_object_get(ctx, "smt_siblings_online")) == 0, "sibling offline");
    CHECK(!strcmp(str(ctx, "isolated_cpus"), "1"));
    CHECK(!strcmp(str(ctx, "cmdline_isolcpus"), "nohz,1"));
    json_object_set_new(ctx, "load_average", json_pack("[f,f,f]", 0.2, 0.1, 0.1));
    f = fopen("/dev/null", "w");
    CHECK(ab_env_warn(ctx, f, "") == 0, "a tuned machine draws no warning");
    fclose(f);
    json_decref(ctx);

    /* 3. an empty tree (a VM without cpufreq): every field null, no warning */
    snprintf(root, sizeof root, "%s/empty", scratch);
    mkdir(root, 0777);
    ctx = json_object();
    ab_env_add(ctx, root, 0);
    static const char *const nulls[] = {
        "cpu_governor",        "cpu_boost",     "cpu_boost_source",
        "smt_active",          "aslr",          "numa_nodes",
        "cpu_thread_siblings", "isolated_cpus", "smt_siblings_online",
        "overcommit_memory"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        CHECK(json_is_null(json_object_get(ctx, nulls[i])), "%s null when absent", nulls[i]);
    CHECK(json_is_null(json_object_get(json_object_get(ctx, "cpu_freq_khz"), "scaling_max")));
    f = fopen("/dev/null", "w");
    CHECK(ab_env_warn(ctx, f, "") == 0, "nothing known, nothing warned");
    fclose(f);
    json_decref(ctx);
    CHECK_DONE("run.environment");
}
