/* provider.c: finds the library serving malloc (dladdr on the process-wide `malloc`) and checks
 * it against the one a backend was asked to run on. See provider.h for why this exists. */
#include "allocators/provider.h"
#include "harness/common/error_message.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *ab_provider_of(const char *symbol)
{
    void *addr = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info;
    if (!addr || !dladdr(addr, &info) || !info.dli_fname)
        return NULL;
    return info.dli_fname;
}

void *ab_provider_sym(const char *name, char *err, size_t errlen)
{
    void *addr = dlsym(RTLD_DEFAULT, name);
    if (!addr)
        ab_fail(err, errlen, "symbol '%s' does not resolve in this process", name);
    return addr;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The C library's own file: where a symbol only libc defines comes from. */
static const char *libc_path(void)
{
    Dl_info info;
    if (!dladdr((void *)gnu_get_libc_version, &info) || !info.dli_fname)
        return NULL;
    return info.dli_fname;
}

static int is_expected(const char *found, const char *expected_path)
{
    if (expected_path)
        return same_file(found, expected_path);
    const char *libc = libc_path();
    if (libc && same_file(found, libc))
        return 1;
    /* In a sanitizer build the sanitizer runtime replaces malloc over libc by design. */
    return (AB_SANITIZED && strstr(found, "asan") != NULL) ||
           (AB_TSANITIZED && strstr(found, "tsan") != NULL);
}

int ab_provider_is(const char *symbol, const char *path)
{
    const char *from = ab_provider_of(symbol);
    return from && path && same_file(from, path);
}

int ab_provider_verify(const char *expected_path, const char *const *natives, char *err,
                       size_t errlen)
{
    const char *want = expected_path ? expected_path : "the C library (libc.so.6)";
    const char *found = ab_provider_of("malloc");
    if (!found)
        return ab_fail(err, errlen, "cannot tell which library serves malloc (dladdr failed)");
    if (!is_expected(found, expected_path))
        return ab_fail(err, errlen, "malloc is served by %s, expected %s%s", found, want,
                       expected_path ? " (is it in LD_PRELOAD?)"
                                     : " (is something in LD_PRELOAD?)");
    for (size_t i = 0; natives && natives[i]; i++) {
        const char *from = ab_provider_of(natives[i]);
        if (!from)
            return ab_fail(err, errlen, "native symbol '%s' does not resolve (expected from %s)",
                           natives[i], want);
        if (!is_expected(from, expected_path))
            return ab_fail(err, errlen, "native symbol '%s' comes from %s, expected %s", natives[i],
                           from, want);
    }
    return 0;
}
