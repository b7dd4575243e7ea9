/* bump.h: an IMethodMalloc-style bump allocator, one per module (docs/allocators.md).
 *
 * IMethodMalloc::Alloc is allocate-only and every block must sit at a positive offset below
 * 4 GiB from its module's base (method bodies are referenced by 32-bit RVAs). A module reserves
 * its whole window at creation and commits it as it grows; unloading the module releases all of
 * it. Not thread-safe, by design: one allocator belongs to one module, as in the CLR, and taking
 * a lock would be measured for nothing. The `bump` allocator entry maps scope -> module.
 *
 * Window cache: an unloaded module's window is not unmapped but kept, reserved, with its
 * committed part still committed, in a process-wide cache bounded by a number of windows
 * (AB_BUMP_CACHE_WINDOWS) and by the committed bytes kept (ab_bump_set_cache_limit, default
 * AB_BUMP_DEFAULT_CACHE); when it goes over either, its oldest windows are unmapped, and a window
 * committed beyond the whole bound is decommitted down to it before it goes in. create takes a
 * cached window of the same size first, with its bump pointer back at the start, so a steady
 * stream of modules maps, commits and unmaps nothing. ab_bump_purge unmaps the cache. The
 * cache is thread-safe (a mutex of its own, taken at create and unload only).
 */
#ifndef AB_BUMP_H
#define AB_BUMP_H

#include <stddef.h>
#include <stdint.h>

#define AB_BUMP_MAX_WINDOW ((size_t)1 << 32) /* the RVA limit: 4 GiB */
#define AB_BUMP_COMMIT_STEP ((size_t)64 << 10)
/* At most 8 cached windows: the il workload has at most 6 modules loaded at once, so every load
 * after the first few finds a window. Each is a reservation (4 GiB by default) that counts
 * against RLIMIT_AS, but windows of one size never add to the peak: a load takes a cached window
 * before it maps one, so loaded + cached windows never exceed the most ever loaded at once. */
#define AB_BUMP_CACHE_WINDOWS 8
/* 4 MiB committed kept in all: more than the il workload's largest module (15000 method bodies
 * of 76 bytes on average, ~1.1 MiB) several times over, so its modules' commits are kept; and
 * unloading a large module still gives all but 4 MiB of it back at once. */
#define AB_BUMP_DEFAULT_CACHE ((size_t)4 << 20)

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
/* Module unload: every block released at once; m is gone after. Its window goes to the window
 * cache (unmapped instead when caching is off), which unmaps its oldest windows if that puts it
 * over a bound. */
void ab_bump_unload(ab_bump_module *m);

/* The window cache: the committed bytes it may keep (0: keep no window; lowering it unmaps the
 * oldest cached windows until it holds), what it holds now (windows, committed bytes), and
 * purge, which unmaps every cached window. Thread-safe. */
void ab_bump_set_cache_limit(size_t committed_bytes);
size_t ab_bump_cached_windows(void);
size_t ab_bump_cached_committed(void);
void ab_bump_purge(void);

/* The `bump` allocator entry's module for a scope, NULL before its first block or after its
 * reset (for the conformance suite's window check). */
const ab_bump_module *ab_bump_scope_module(uint32_t scope);

#endif
