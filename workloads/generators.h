/* generators.h: the workload generators (rpc, il, simd), deterministic from a seed.
 *
 * Each generator writes a binary trace and runs before any measurement, so random-number cost
 * never lands in a timing. Shapes and sizes, and their sources: docs/workloads.md.
 */
#ifndef AB_GENERATORS_H
#define AB_GENERATORS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ab_gen_params {
    uint64_t seed;
    double scale;        /* 1.0 = the default: replays in about a second per allocator */
    unsigned threads;    /* 1 unless the generator supports more */
    const char *variant; /* generator-specific (rpc: "single" or "all" nodes), or NULL */
} ab_gen_params;

/* The largest scale a generator takes (gen, run and bench-harness refuse more, alike). */
#define AB_GEN_SCALE_MAX 100.0

typedef struct ab_generator {
    const char *name;
    const char *summary; /* one line: what it models */
    const char *help;    /* the `gen NAME --help` text: what it models and its knobs */
    int (*generate)(const ab_gen_params *p, const char *out_path, char *err, size_t errlen);
} ab_generator;

extern const ab_generator *const ab_generators[];
extern const size_t ab_generator_count;
const ab_generator *ab_generator_find(const char *name);

#endif
