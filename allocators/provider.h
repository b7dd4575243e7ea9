/* provider.h: which library is serving malloc in this process, and is it the one we expect?
 *
 * The heart of the process model (docs/allocators.md): a silent fall-back to glibc is the classic
 * failure of peer suites, so every backend's `create` asks this module, before anything is
 * measured, whether `malloc` (as the dynamic linker resolved it for the whole process) and the
 * backend's native symbols come from the expected library. Libraries are compared by device and
 * inode, so a symlink (libjemalloc.so.2 -> libjemalloc.so.2.x) or a relative path still matches.
 * Private to allocators/ and the runner's probe, which reports the serving library (code that only
 * needs to know whether a sanitizer owns malloc includes sanitizer_malloc.h).
 */
#ifndef AB_PROVIDER_H
#define AB_PROVIDER_H

#include "allocators/sanitizer_malloc.h"

#include <stddef.h>

/* Path of the shared object that defines `symbol` as resolved process-wide (RTLD_DEFAULT),
 * or NULL when the symbol does not resolve. The string belongs to the dynamic linker. */
const char *ab_provider_of(const char *symbol);

/* Check that malloc and every symbol of `natives` (NULL-terminated, may be NULL) resolve from
 * the library at `expected_path`; expected_path NULL means the C library (or, in a sanitizer
 * build, the sanitizer runtime that replaces it). Returns 0, or -1 with a message naming what
 * was expected and what was found. */
int ab_provider_verify(const char *expected_path, const char *const *natives, char *err,
                       size_t errlen);

/* 1 when `symbol` resolves process-wide and comes from the library at `path`. */
int ab_provider_is(const char *symbol, const char *path);

/* dlsym(RTLD_DEFAULT, name), or NULL with a message in err. */
void *ab_provider_sym(const char *name, char *err, size_t errlen);

#endif
