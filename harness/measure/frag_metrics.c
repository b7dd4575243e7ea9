/* frag_metrics.c: the fragmentation formulas of frag_metrics.h, on a checkpoint series. */
#include "harness/measure/frag_metrics.h"

#include <math.h>

static double ratio_minus_one(double num, double den)
{
    return den > 0 ? num / den - 1.0 : NAN;
}

void ab_frag_compute(const ab_checkpoint *cp, size_t n, const ab_checkpoint *extra, size_t nextra,
                     uint64_t max_L, ab_frag *out)
{
    out->frag_peak = out->frag_at_peak = out->frag_avg = NAN;
    out->max_F = 0;
    out->L_at_max_F = 0;
    out->argmax_F = 0;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || cp[i].anon > out->max_F) {
            out->max_F = cp[i].anon;
            out->L_at_max_F = cp[i].live;
            out->argmax_F = i;
        }
    for (size_t i = 0; i < nextra; i++)
        if (extra[i].anon > out->max_F) {
            out->max_F = extra[i].anon;
            out->L_at_max_F = extra[i].live;
            out->argmax_F = n + i;
        }
    double int_F = 0, int_L = 0;
    for (size_t i = 1; i < n; i++) {
        double dt = (double)(cp[i].op - cp[i - 1].op);
        int_F += dt * ((double)cp[i].anon + (double)cp[i - 1].anon) / 2;
        int_L += dt * ((double)cp[i].live + (double)cp[i - 1].live) / 2;
    }
    out->frag_peak = ratio_minus_one((double)out->max_F, (double)max_L);
    out->frag_at_peak = ratio_minus_one((double)out->max_F, (double)out->L_at_max_F);
    out->frag_avg = ratio_minus_one(int_F, int_L);
}

double ab_internal_frag(uint64_t footprint, uint64_t live)
{
    return ratio_minus_one((double)footprint, (double)live);
}
