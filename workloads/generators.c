/* generators.c: the generator table (generators.h) and what the generators share (gen_common.h).
 * Adding a generator is one file (gen_NAME.c) and one line in the table. */
#include "workloads/gen_common.h"
#include "harness/common/error_message.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

extern const ab_generator ab_gen_rpc, ab_gen_il, ab_gen_simd;

const ab_generator *const ab_generators[] = {&ab_gen_rpc, &ab_gen_il, &ab_gen_simd};
const size_t ab_generator_count = sizeof ab_generators / sizeof ab_generators[0];

const ab_generator *ab_generator_find(const char *name)
{
    for (size_t i = 0; i < ab_generator_count; i++)
        if (!strcmp(ab_generators[i]->name, name))
            return ab_generators[i];
    return NULL;
}

int ab_gen_check(const char *name, const ab_gen_params *p, const char *const *variants, char *err,
                 size_t errlen)
{
    if (!(p->scale > 0) || !isfinite(p->scale) || p->scale > AB_GEN_SCALE_MAX)
        return ab_fail(err, errlen, "%s: --scale %g out of range (0 < scale <= %g)", name, p->scale,
                       AB_GEN_SCALE_MAX);
    if (p->threads < 1 || p->threads > AB_GEN_MAX_THREADS)
        return ab_fail(err, errlen, "%s: --threads %u out of range (1..%u)", name, p->threads,
                       AB_GEN_MAX_THREADS);
    if (p->variant) {
        for (const char *const *v = variants; v && *v; v++)
            if (!strcmp(*v, p->variant))
                return 0;
        return ab_fail(err, errlen, "%s: unknown variant '%s'%s", name, p->variant,
                       variants ? "" : " (this generator has none)");
    }
    return 0;
}

void ab_gen_thread_rng(const ab_gen_params *p, ab_rng *r)
{
    ab_rng_seed(r, p->seed ^ 0x7468726561647321ull); /* "threads!" */
}

uint64_t ab_gen_scaled(const ab_gen_params *p, uint64_t base, uint64_t min)
{
    double v = floor((double)base * p->scale + 0.5);
    return v < (double)min ? min : (uint64_t)v;
}

ab_trace_writer *ab_gen_open(const char *name, const ab_gen_params *p, const char *extra,
                             const char *out_path, char *err, size_t errlen)
{
    char meta[AB_TRACE_META_MAX], threads[24] = "";
    if (p->threads > 1)
        snprintf(threads, sizeof threads, " threads=%u", p->threads);
    snprintf(meta, sizeof meta, "generator=%s seed=%llu scale=%g%s%s%s", name,
             (unsigned long long)p->seed, p->scale, threads, extra && *extra ? " " : "",
             extra ? extra : "");
    return ab_tw_create(out_path, meta, err, errlen);
}
