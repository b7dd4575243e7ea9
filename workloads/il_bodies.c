/* il_bodies.c: drawing IL method bodies from the measured distribution (see il_bodies.h). */
#include "workloads/il_bodies.h"

#include <math.h>

/* FACTS.md §3: code size percentiles; the first point (q 0, 1 byte) is the smallest body. */
static const double code_q[] = {0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
static const double code_v[] = {1, 7, 9, 21, 61, 155, 266, 744};
#define CODE_POINTS (sizeof code_q / sizeof code_q[0])
#define CODE_MEAN 70.0
#define CODE_MAX 65536.0

/* Mean of the log-linear part (q < 0.99): segment [a, b] over a quantile width w contributes
 * w * (b - a) / ln(b / a). */
static double body_mean(void)
{
    double m = 0;
    for (unsigned i = 1; i < CODE_POINTS; i++) {
        double a = code_v[i - 1], b = code_v[i];
        m += (code_q[i] - code_q[i - 1]) * (b - a) / log(b / a);
    }
    return m;
}

/* The Pareto exponent above p99 such that the overall mean is CODE_MEAN: the tail's mean is
 * alpha * xm / (alpha - 1) (the 64 KiB cap changes it by well under a byte). */
static double tail_alpha(void)
{
    static double alpha;
    if (alpha == 0) {
        double tail_mean = (CODE_MEAN - body_mean()) / (1 - code_q[CODE_POINTS - 1]);
        double xm = code_v[CODE_POINTS - 1];
        alpha = tail_mean / (tail_mean - xm);
    }
    return alpha;
}

double ab_il_code_quantile(double q)
{
    const double top = code_q[CODE_POINTS - 1];
    if (q >= top) {
        double u = (q - top) / (1 - top); /* within the tail */
        double v = code_v[CODE_POINTS - 1] * pow(1 - u, -1 / tail_alpha());
        return v > CODE_MAX ? CODE_MAX : v;
    }
    unsigned i = 1;
    while (q >= code_q[i])
        i++;
    double t = (q - code_q[i - 1]) / (code_q[i] - code_q[i - 1]);
    return code_v[i - 1] * pow(code_v[i] / code_v[i - 1], t);
}

/* P(tiny | code < 64 and no EH), so that AB_IL_TINY_SHARE of all methods are tiny. Code sizes
 * are rounded, so "under 64" is a quantile below 63.5. */
static double tiny_given_eligible(void)
{
    static double p;
    if (p == 0) {
        double lo = 0, hi = code_q[CODE_POINTS - 1];
        for (int i = 0; i < 60; i++) { /* bisect the quantile of 63.5 */
            double mid = (lo + hi) / 2;
            if (ab_il_code_quantile(mid) < 63.5)
                lo = mid;
            else
                hi = mid;
        }
        p = AB_IL_TINY_SHARE / (lo * (1 - AB_IL_EH_SHARE));
    }
    return p;
}

void ab_il_draw_body(ab_rng *r, ab_il_body *b)
{
    double code = floor(ab_il_code_quantile(ab_rng_unit(r)) + 0.5);
    b->code = code < 1 ? 1 : (uint32_t)code;
    b->eh_clauses = 0;
    b->eh_fat = 0;
    if (ab_rng_chance(r, AB_IL_EH_SHARE)) {
        /* 1 + geometric: continue with probability c, mean 1 + c / (1 - c) = 1.38. */
        const double c = (AB_IL_EH_CLAUSES_MEAN - 1) / AB_IL_EH_CLAUSES_MEAN;
        b->eh_clauses = 1;
        while (ab_rng_chance(r, c))
            b->eh_clauses++;
        b->eh_fat = ab_rng_chance(r, AB_IL_EH_FAT_SHARE) || b->eh_clauses > 20;
    }
    b->fat = !(b->code < 64 && b->eh_clauses == 0 && ab_rng_chance(r, tiny_given_eligible()));
    if (!b->fat) {
        b->total = 1 + b->code;
        b->align_log2 = 0;
        return;
    }
    b->total = 12 + b->code;
    b->align_log2 = 2;
    if (b->eh_clauses) {
        b->total = (b->total + 3) & ~3u; /* the EH section starts 4-byte aligned */
        b->total += 4 + b->eh_clauses * (b->eh_fat ? 24 : 12);
    }
}
