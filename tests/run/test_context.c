/* test_context.c: the machine context of harness/context.h: the fields a reader relies on are
 * there and typed, and each allocator gets exactly the environment settings that apply to it. */
#include "harness/orchestrator/context.h"
#include "tests/run/check.h"

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
    CHECK("collect", ctx != NULL);
    struct utsname u;
    uname(&u);
    const char *kernel = json_string_value(json_object_get(ctx, "kernel"));
    CHECK("kernel-from-uname", kernel && strstr(kernel, u.release) != NULL);
    CHECK("glibc-version", json_is_string(json_object_get(ctx, "glibc")));
    CHECK("cores", json_integer_value(json_object_get(ctx, "cores")) >= 1);
    CHECK("date-iso-utc", json_is_string(json_object_get(ctx, "date")) &&
                              strlen(json_string_value(json_object_get(ctx, "date"))) == 20 &&
                              json_string_value(json_object_get(ctx, "date"))[19] == 'Z');
    CHECK("compiler-and-flags", json_is_string(json_object_get(ctx, "compiler")) &&
                                    json_is_string(json_object_get(ctx, "cflags")));
    CHECK("git-commit-or-null", json_is_string(json_object_get(ctx, "git_commit")) ||
                                    json_is_null(json_object_get(ctx, "git_commit")));
    const json_t *load = json_object_get(ctx, "load_average");
    CHECK("load-average-three-numbers",
          json_array_size(load) == 3 && json_number_value(json_array_get(load, 0)) >= 0);
    CHECK("tsc-unset-until-a-runner-says", json_is_null(json_object_get(ctx, "tsc_hz")));
    const json_t *all = json_object_get(ctx, "settings");
    CHECK("settings-collected", json_object_get(all, "MALLOC_CONF") &&
                                    json_object_get(all, "MIMALLOC_PURGE_DELAY") &&
                                    json_object_get(all, "GLIBC_TUNABLES"));
    CHECK("settings-skip-unrelated", json_object_get(all, "AB_UNRELATED") == NULL);

    ab_context_add_allocator(ctx, "jemalloc", "jemalloc", "5.3.0", "/lib/libjemalloc.so.2");
    ab_context_add_allocator(ctx, "mimalloc", "mimalloc", "2.0.9", NULL);
    ab_context_add_allocator(ctx, "malloc", "malloc", "2.36", "");
    ab_context_add_allocator(ctx, "malloc", "malloc", "other", "");
    CHECK("jemalloc-gets-malloc-conf",
          setting(ctx, "jemalloc", "MALLOC_CONF") != NULL &&
              setting(ctx, "jemalloc", "MIMALLOC_PURGE_DELAY") == NULL);
    CHECK("mimalloc-gets-mimalloc-vars", setting(ctx, "mimalloc", "MIMALLOC_PURGE_DELAY") != NULL &&
                                             setting(ctx, "mimalloc", "MALLOC_CONF") == NULL);
    CHECK("glibc-tunables-for-everyone", setting(ctx, "malloc", "GLIBC_TUNABLES") != NULL &&
                                             setting(ctx, "jemalloc", "GLIBC_TUNABLES") != NULL);
    CHECK("malloc-not-given-jemalloc-conf", setting(ctx, "malloc", "MALLOC_CONF") == NULL);
    const json_t *m = json_object_get(json_object_get(ctx, "allocators"), "malloc");
    CHECK("first-report-wins", !strcmp(json_string_value(json_object_get(m, "version")), "2.36"));
    CHECK("empty-library-is-null", json_is_null(json_object_get(m, "library")));

    json_t *first = json_pack("{s:f, s:f, s:i}", "tsc_hz", 2.0e9, "timer_resolution_ns", 10.0,
                              "timer_resolution_ticks", 26);
    json_t *second = json_pack("{s:f, s:f}", "tsc_hz", 3.0e9, "timer_resolution_ns", 1.0);
    ab_context_set_clock(ctx, first);
    ab_context_set_clock(ctx, second);
    CHECK("tsc-first-wins", json_real_value(json_object_get(ctx, "tsc_hz")) == 2.0e9);
    CHECK("resolution-first-wins",
          json_real_value(json_object_get(ctx, "timer_resolution_ns")) == 10.0 &&
              json_integer_value(json_object_get(ctx, "timer_resolution_ticks")) == 26);
    json_decref(first);
    json_decref(second);
    json_decref(ctx);
    CHECK_DONE();
}
