/* bump.h: an IMethodMalloc-style bump allocator, one per module (FACTS.md §3).
 *
 * IMethodMalloc::Alloc is allocate-only and every block must sit at a positive offset below
 * 4 GiB from its module's base (method bodies are referenced by 32-bit RVAs). A module reserves
 * its whole window at creation and commits it as it grows; unloading the module releases all of
 * it. Not thread-safe, by design: one allocator belongs to one module, as in the CLR, and taking
 * a lock would be measured for nothing. The `bump` allocator entry maps scope -> module.
 */
#ifndef AB_BUMP_H
#define AB_BUMP_H

#include <stddef.h>
#include <stdint.h>

#define AB_BUMP_MAX_WINDOW ((size_t)1 << 32) /* the RVA limit: 4 GiB */
#define AB_BUMP_COMMIT_STEP ((size_t)64 << 10)

typedef struct ab_bump_module ab_bump_module;

/* Reserve a module of `window` bytes (0: 4 GiB; rounded up to pages; at most 4 GiB).
 * NULL with errno (EINVAL for a window over 4 GiB, ENOMEM when it cannot be reserved). */
ab_bump_module *ab_bump_create(size_t window);
/* A block of `size` bytes aligned to `align` (a power of two), or NULL: size 0 (as CoreCLR's
 * IMethodMalloc), a bad alignment (EINVAL) or a full window (ENOMEM). */
void *ab_bump_alloc(ab_bump_module *m, size_t size, size_t align);
/* The module's base: every block is at an offset in (0, window) from it. */
const void *ab_bump_base(const ab_bump_module *m);
size_t ab_bump_window(const ab_bump_module *m);
size_t ab_bump_used(const ab_bump_module *m);      /* bytes consumed, padding included */
size_t ab_bump_committed(const ab_bump_module *m); /* bytes committed (read-write) */
/* Module unload: releases the whole reservation, committed or not. m is gone after. */
void ab_bump_unload(ab_bump_module *m);

/* The `bump` allocator entry's module for a scope, NULL before its first block or after its
 * reset (for the conformance suite's window check). */
const ab_bump_module *ab_bump_scope_module(uint32_t scope);

#endif
