/* prebaseline_plugin.c: an LD_PRELOAD malloc counter for run.pre_baseline (test_pre_baseline.sh).
 *
 * In the runner malloc *is* the allocator under test, so anything the harness allocates before
 * the memory baseline is resident allocator memory the baseline already contains (F and retained
 * come out too small, even negative). This plug-in serves malloc through glibc's own entry points
 * (__libc_malloc, ...) and counts every call in two phases: before main (the dynamic loader, libc
 * and library constructors) and from main to the baseline, which the runner announces by calling
 * the weak hook alignbench_baseline_mark (harness/measure/memstat.h). It learns when main starts
 * by wrapping __libc_start_main. For each call from main to the baseline it keeps the call's
 * kind, size and return addresses (backtrace), and at exit it writes, to the file named by
 * AB_PREBASELINE_OUT:
 *
 *   pre_main CALLS BYTES
 *   before_baseline CALLS BYTES        (-1 -1 if the hook was never called)
 *   call KIND SIZE FRAME FRAME ...     (one line per counted call: object:symbol+offset)
 *
 * Not thread-aware beyond what the runner needs (the replay threads start after the baseline).
 */

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define MAX_CALLS 64
#define MAX_FRAMES 8

enum phase { BEFORE_MAIN, BEFORE_BASELINE, AFTER_BASELINE };

typedef struct call {
    const char *kind;
    size_t size;
    int nframes;
    void *frames[MAX_FRAMES];
} call;

static enum phase phase = BEFORE_MAIN;
static long counts[2], bytes[2];
static call calls[MAX_CALLS];
static int ncalls;
static __thread int inside; /* backtrace may allocate: those calls are the plug-in's own */
static int marked;

static void count(const char *kind, size_t size)
{
    if (phase == AFTER_BASELINE || inside)
        return;
    counts[phase]++;
    bytes[phase] += (long)size;
    if (phase == BEFORE_BASELINE && ncalls < MAX_CALLS) {
        call *c = &calls[ncalls++];
        c->kind = kind;
        c->size = size;
        inside = 1;
        c->nframes = backtrace(c->frames, MAX_FRAMES);
        inside = 0;
    }
}

void *malloc(size_t n)
{
    count("malloc", n);
    return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    count("calloc", k * n);
    return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    count("realloc", n);
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p)
        count("free", 0);
    __libc_free(p);
}

void *memalign(size_t a, size_t n)
{
    count("memalign", n);
    return __libc_memalign(a, n);
}

void *aligned_alloc(size_t a, size_t n)
{
    count("aligned_alloc", n);
    return __libc_memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
    count("posix_memalign", n);
    void *p = __libc_memalign(a, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* The preload backend wants malloc_usable_size from the library serving malloc. */
static size_t (*libc_usable_size)(void *);

size_t malloc_usable_size(void *p)
{
    return p ? libc_usable_size(p) : 0;
}

/* The runner calls this right before it reads the memory baseline. */
void alignbench_baseline_mark(void)
{
    phase = AFTER_BASELINE;
    marked = 1;
}

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int counted_main(int argc, char **argv, char **envp)
{
    phase = BEFORE_BASELINE;
    return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end)
{
    int (*real)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *) =
        (int (*)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
                 void *))dlsym(RTLD_NEXT, "__libc_start_main");
    real_main = main;
    return real(counted_main, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((constructor)) static void load_unwinder(void)
{
    void *f[2];
    inside = 1; /* the first backtrace loads libgcc_s: the plug-in's own allocations */
    backtrace(f, 2);
    libc_usable_size = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    inside = 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("AB_PREBASELINE_OUT");
    if (!path)
        return;
    phase = AFTER_BASELINE;
    FILE *out = fopen(path, "w");
    if (!out)
        return;
    fprintf(out, "pre_main %ld %ld\n", counts[BEFORE_MAIN], bytes[BEFORE_MAIN]);
    if (marked)
        fprintf(out, "before_baseline %ld %ld\n", counts[BEFORE_BASELINE], bytes[BEFORE_BASELINE]);
    else
        fprintf(out, "before_baseline -1 -1\n");
    for (int i = 0; i < ncalls; i++) {
        fprintf(out, "call %s %zu", calls[i].kind, calls[i].size);
        for (int k = 1; k < calls[i].nframes; k++) { /* frame 0 is count() */
            Dl_info d;
            if (dladdr(calls[i].frames[k], &d) && d.dli_fname) {
                const char *obj = strrchr(d.dli_fname, '/');
                fprintf(out, " %s:%s+0x%lx", obj ? obj + 1 : d.dli_fname,
                        d.dli_sname ? d.dli_sname : "?",
                        (unsigned long)((char *)calls[i].frames[k] -
                                        (char *)(d.dli_saddr ? d.dli_saddr : d.dli_fbase)));
            } else {
                fprintf(out, " %p", calls[i].frames[k]);
            }
        }
        fputc('\n', out);
    }
    fclose(out);
}
