/* test_context.c: the machine context of harness/orchestrator/context.h: the fields a reader relies
 * on are there and typed, the commit is the source tree's when git can tell it, and each allocator
 * gets exactly the environment settings that apply to it. */
#include "harness/orchestrator/context.h"
#include "tests/check.h"
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const json_t *setting(const json_t *ctx, const char *alloc, const char *var)
{
    return json_object_get(
        json_object_get(json_object_get(json_object_get(ctx, "allocators"), alloc), "settings"),
        var);
}

int main(void)
{
    setenv("MALLOC_CONF", "narenas:1", 1);
    setenv("MIMALLOC_PURGE_DELAY", "0", 1);
    setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
    setenv("AB_UNRELATED", "x", 1);
    json_t *ctx = ab_context_collect();
    CHECK(ctx != NULL, "collect");
    struct utsname u;
    uname(&u);
    const char *kernel = json_string_value(json_object_get(ctx, "kernel"));
    CHECK(kernel && strstr(kernel, u.release) != NULL, "kernel-from-uname");
    CHECK(json_is_string(json_object_get(ctx, "glibc")), "glibc-version");
    CHECK(json_integer_value(json_object_get(ctx, "cores")) >= 1, "cores");
    CHECK(json_is_string(json_object_get(ctx, "date")) &&
              strlen(json_string_value(json_object_get(ctx, "date"))) == 20 &&
              json_string_value(json_object_get(ctx, "date"))[19] == 'Z',
          "date-iso-utc");
    CHECK(json_is_string(json_object_get(ctx, "compiler")) &&
              json_is_string(json_object_get(ctx, "cflags")),
          "compiler-and-flags");
    CHECK(json_is_string(json_object_get(ctx, "git_commit")) ||
              json_is_null(json_object_get(ctx, "git_commit")),
          "git-commit-or-null");
    /* The commit git reports for the source tree, asked here through the shell. */
    char cmd[4200], head[128] = "";
    snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse HEAD 2>/dev/null", AB_SOURCE_DIR);
    FILE *git = popen(cmd, "r");
    if (git) {
        if (!fgets(head, sizeof head, git))
            head[0] = '\0';
        pclose(git);
        head[strcspn(head, "\n")] = '\0';
    }
    if (strlen(head) == 40) {
        const char *commit = json_string_value(json_object_get(ctx, "git_commit"));
        CHECK(commit && !strcmp(commit, head), "git-commit-is-the-trees: %s, not %s",
              commit ? commit : "null", head);
        CHECK(!strcmp(json_string_value(json_object_get(ctx, "git_source")), "run time"),
              "git-source-run-time");
        CHECK(json_is_boolean(json_object_get(ctx, "git_dirty")), "git-dirty-known");
    }
    const json_t *load = json_object_get(ctx, "load_average");
    CHECK(json_array_size(load) == 3 && json_number_value(json_array_get(load, 0)) >= 0,
          "load-average-three-numbers");
    CHECK(json_is_null(json_object_get(ctx, "tsc_hz")), "tsc-unset-until-a-runner-says");
    const json_t *all = json_object_get(ctx, "settings");
    CHECK(json_object_get(all, "MALLOC_CONF") && json_object_get(all, "MIMALLOC_PURGE_DELAY") &&
              json_object_get(all, "GLIBC_TUNABLES"),
          "settings-collected");
    CHECK(json_object_get(all, "AB_UNRELATED") == NULL, "settings-skip-unrelated");

    ab_context_add_allocator(ctx, "jemalloc", "jemalloc", "5.3.0", "/lib/libjemalloc.so.2", NULL);
    ab_context_add_allocator(ctx, "mimalloc", "mimalloc", "2.0.9", NULL, NULL);
    ab_context_add_allocator(ctx, "malloc", "malloc", "2.36", "", NULL);
    ab_context_add_allocator(ctx, "malloc", "malloc", "other", "", NULL);
    const char *const je0_env[] = {"MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0", "JE_EXTRA=a:b",
                                   NULL};
    ab_context_add_allocator(ctx, "je0", "jemalloc", "5.3.0", "/lib/libjemalloc.so.2", je0_env);
    CHECK(setting(ctx, "jemalloc", "MALLOC_CONF") != NULL &&
              setting(ctx, "jemalloc", "MIMALLOC_PURGE_DELAY") == NULL,
          "jemalloc-gets-malloc-conf");
    CHECK(setting(ctx, "mimalloc", "MIMALLOC_PURGE_DELAY") != NULL &&
              setting(ctx, "mimalloc", "MALLOC_CONF") == NULL,
          "mimalloc-gets-mimalloc-vars");
    CHECK(setting(ctx, "malloc", "GLIBC_TUNABLES") != NULL &&
              setting(ctx, "jemalloc", "GLIBC_TUNABLES") != NULL,
          "glibc-tunables-for-everyone");
    CHECK(setting(ctx, "malloc", "MALLOC_CONF") == NULL, "malloc-not-given-jemalloc-conf");
    CHECK(setting(ctx, "je0", "MALLOC_CONF") &&
              !strcmp(json_string_value(setting(ctx, "je0", "MALLOC_CONF")),
                      "dirty_decay_ms:0,muzzy_decay_ms:0") &&
              setting(ctx, "je0", "JE_EXTRA") &&
              !strcmp(json_string_value(setting(ctx, "je0", "JE_EXTRA")), "a:b"),
          "variant-settings-override-and-complete");
    CHECK(strcmp(json_string_value(setting(ctx, "jemalloc", "MALLOC_CONF")),
                 "dirty_decay_ms:0,muzzy_decay_ms:0") &&
              setting(ctx, "jemalloc", "JE_EXTRA") == NULL,
          "variant-settings-stay-with-the-variant");
    const json_t *m = json_object_get(json_object_get(ctx, "allocators"), "malloc");
    CHECK(!strcmp(json_string_value(json_object_get(m, "version")), "2.36"), "first-report-wins");
    CHECK(json_is_null(json_object_get(m, "library")), "empty-library-is-null");

    json_t *first = json_pack("{s:f, s:f, s:i}", "tsc_hz", 2.0e9, "timer_resolution_ns", 10.0,
                              "timer_resolution_ticks", 26);
    json_t *second = json_pack("{s:f, s:f}", "tsc_hz", 3.0e9, "timer_resolution_ns", 1.0);
    ab_context_set_clock(ctx, first);
    ab_context_set_clock(ctx, second);
    CHECK(json_real_value(json_object_get(ctx, "tsc_hz")) == 2.0e9, "tsc-first-wins");
    CHECK(json_real_value(json_object_get(ctx, "timer_resolution_ns")) == 10.0 &&
              json_integer_value(json_object_get(ctx, "timer_resolution_ticks")) == 26,
          "resolution-first-wins");
    json_decref(first);
    json_decref(second);
    json_decref(ctx);
    CHECK_DONE();
}
