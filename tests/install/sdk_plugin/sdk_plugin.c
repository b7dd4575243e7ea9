/* sdk_plugin.c: the smallest plug-in an allocator author could write, built out of tree against
 * an installed alignbench (tests/install/plugin_sdk.sh): it includes the installed
 * <alignbench/alignbench_plugin.h>, found through pkg-config or find_package(alignbench).
 *
 * It is a malloc replacement over glibc's own entry points (__libc_malloc and friends), so that
 * it serves malloc in the runner it is preloaded into, and it exports the native table with
 * aligned entry points of its own (sdk_aligned_alloc / sdk_aligned_free), which `alignbench
 * list` names: the proof that alignbench found the table the header describes. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <alignbench/alignbench_plugin.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

void *__libc_malloc(size_t size);
void __libc_free(void *p);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);

void *malloc(size_t size)
{
    return __libc_malloc(size);
}

void free(void *p)
{
    __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = __libc_memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

size_t malloc_usable_size(void *p)
{
    static size_t (*glibc_usable)(void *);
    if (!glibc_usable)
        glibc_usable = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    return p && glibc_usable ? glibc_usable(p) : 0;
}

static void *sdk_aligned_alloc(size_t size, size_t align)
{
    return __libc_memalign(align, size);
}

static void sdk_aligned_free(void *p)
{
    __libc_free(p);
}

const struct alignbench_plugin_v1 alignbench_plugin_v1 = {
    .version = ALIGNBENCH_PLUGIN_VERSION,
    .size = sizeof(struct alignbench_plugin_v1),
    .aligned_alloc = sdk_aligned_alloc,
    .aligned_free = sdk_aligned_free,
    .aligned_alloc_name = "sdk_aligned_alloc",
    .aligned_free_name = "sdk_aligned_free",
    .usable_size = malloc_usable_size,
    .usable_size_name = "malloc_usable_size",
};
