/* min_replayer.c: an independent minimal trace replayer, the yardstick of the replay floor.
 *
 *   alignbench-min-replayer TRACE [REPS]
 *
 * It shares no code with the harness: it reads a binary alignbench trace (the documented
 * layout: results/README.md, workloads/trace.h) with plain stdio into an array of 12-byte ops
 * (marks dropped), then replays the array once untimed (a warm-up) and REPS times (default 5) in
 * one loop with a table of one pointer per id against a null allocator (one static block, frees do
 * nothing) called through function pointers, as any harness of pluggable allocators must. No
 * checks, no touch, no timer inside the loop: CLOCK_MONOTONIC around each whole repetition. It
 * prints min-replayer: OPS ops, REPS reps, mean M ns/op, best B ns/op `alignbench bench-harness`
 * runs it on the same traces as its null-allocator batch pass and prints the ratio
 * (docs/measurement.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct mop {
    uint8_t kind, align_log2;
    uint16_t scope;
    uint32_t id, size;
} mop;

static _Alignas(4096) char block[1 << 16];

static __attribute__((noinline)) void *null_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)size, (void)align, (void)scope;
    return block;
}
static __attribute__((noinline)) void null_free(void *p, size_t size, size_t align)
{
    (void)p, (void)size, (void)align;
}
static __attribute__((noinline)) void *null_realloc(void *p, size_t old, size_t size, size_t al)
{
    (void)old, (void)size, (void)al;
    return p;
}
static __attribute__((noinline)) void null_reset(uint32_t scope)
{
    (void)scope;
}

/* volatile: the calls stay indirect, as through an allocator's table */
static void *(*volatile alloc_fn)(size_t, size_t, uint32_t) = null_alloc;
static void (*volatile free_fn)(void *, size_t, size_t) = null_free;
static void *(*volatile realloc_fn)(void *, size_t, size_t, size_t) = null_realloc;
static void (*volatile reset_fn)(uint32_t) = null_reset;

/* Time this thread was ready to run but waited for a CPU, ns (0 when unknown). */
static double run_delay_ns(void)
{
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    unsigned long long run = 0, wait = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &run, &wait) != 2)
            wait = 0;
        fclose(f);
    }
    return (double)wait;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: alignbench-min-replayer TRACE [REPS]\n");
        return 2;
    }
    int reps = argc == 3 ? atoi(argv[2]) : 5;
    if (reps < 1) {
        fprintf(stderr, "alignbench-min-replayer: REPS must be a positive number\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    unsigned char hdr[24];
    if (!f || fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr, "ABTRACE", 7) != 0) {
        fprintf(stderr, "alignbench-min-replayer: %s: not a binary alignbench trace\n", argv[1]);
        return 1;
    }
    uint32_t header_size;
    uint64_t n;
    memcpy(&header_size, hdr + 12, 4);
    memcpy(&n, hdr + 16, 8);
    mop *ops = malloc((n ? n : 1) * sizeof *ops);
    uint32_t max_id = 0;
    uint64_t m = 0;
    if (!ops || fseek(f, header_size, SEEK_SET) != 0) {
        fprintf(stderr, "alignbench-min-replayer: %s: cannot read\n", argv[1]);
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        unsigned char r[16];
        if (fread(r, 1, 16, f) != 16) {
            fprintf(stderr, "alignbench-min-replayer: %s: truncated at op %llu\n", argv[1],
                    (unsigned long long)i);
            return 1;
        }
        if (r[0] < 1 || r[0] > 4) /* alloc, free, realloc, reset; marks are not replayed */
            continue;
        mop *o = &ops[m++];
        o->kind = r[0];
        o->align_log2 = r[1];
        memcpy(&o->id, r + 4, 4);
        memcpy(&o->size, r + 8, 4);
        memcpy(&o->scope, r + 12, 2);
        if (o->kind != 4 && o->id > max_id)
            max_id = o->id;
    }
    fclose(f);
    void **slot = calloc((size_t)max_id + 1, sizeof *slot);
    uint32_t *size = calloc((size_t)max_id + 1, sizeof *size);
    if (!slot || !size)
        return 1;
    double best = 0, total = 0;
    for (int rep = -1; rep < reps; rep++) { /* rep -1: the warm-up */
        double w0 = run_delay_ns(), t0 = now_ns();
        for (uint64_t i = 0; i < m; i++) {
            const mop *o = &ops[i];
            switch (o->kind) {
            case 1:
                slot[o->id] = alloc_fn(o->size, (size_t)1 << o->align_log2, o->scope);
                size[o->id] = o->size;
                break;
            case 2:
                free_fn(slot[o->id], size[o->id], 16);
                break;
            case 3:
                slot[o->id] = realloc_fn(slot[o->id], size[o->id], o->size, 16);
                size[o->id] = o->size;
                break;
            case 4:
                reset_fn(o->scope);
                break;
            }
        }
        double t = now_ns() - t0 - (run_delay_ns() - w0);
        if (rep < 0)
            continue;
        total += t;
        if (rep == 0 || t < best)
            best = t;
    }
    double per = m ? 1.0 / (double)m : 0;
    printf("min-replayer: %llu ops, %d reps, mean %.3f ns/op, best %.3f ns/op\n",
           (unsigned long long)m, reps, total / reps * per, best * per);
    return 0;
}
