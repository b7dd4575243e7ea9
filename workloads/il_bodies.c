/* il_bodies.c: drawing IL method bodies from the measured distribution (see il_bodies.h). */
#include "workloads/il_bodies.h"

#include <math.h>

/* Measured code size percentiles; the first point (q 0, 1 byte) is the smallest body. */
static const double code_q[] = {0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
static const double code_v[] = {1, 7, 9, 21, 61, 155, 266, 744};
#define CODE_POINTS (sizeof code_q / sizeof code_q[0])
#define CODE_MEAN 70.0
#define CODE_MAX 65536.0
/* Methods with code under IL_SMALL bytes (accessors, forwarders) are always tiny and never have
 * EH. Only the marginals were measured; this is the joint that meets them all: a total body p50 of
 * 23 next to a code p50 of 21 leaves room for almost no fat body among the small methods, and it
 * gives fat bodies a median code size of about 97 (measured: 92). */
#define IL_SMALL 20

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

/* The quantile of code size x (code sizes are rounded: "under 20" is below 19.5). */
static double code_cdf(double x)
{
    double lo = 0, hi = code_q[CODE_POINTS - 1];
    for (int i = 0; i < 60; i++) { /* bisection on the monotone quantile function */
        double mid = (lo + hi) / 2;
        if (ab_il_code_quantile(mid) < x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The joint of size, EH and header kind (only the marginals were measured), in probabilities:
 * P(EH | code >= IL_SMALL) such that AB_IL_EH_SHARE of all methods have EH, and
 * P(tiny | IL_SMALL <= code < 64, no EH) such that AB_IL_TINY_SHARE of all methods are tiny. */
typedef struct il_joint {
    double eh_given_big, tiny_given_mid;
} il_joint;

static const il_joint *joint(void)
{
    static il_joint j;
    if (j.eh_given_big == 0) {
        double small = code_cdf(IL_SMALL - 0.5), under64 = code_cdf(63.5);
        j.eh_given_big = AB_IL_EH_SHARE / (1 - small);
        j.tiny_given_mid = (AB_IL_TINY_SHARE - small) / ((under64 - small) * (1 - j.eh_given_big));
    }
    return &j;
}

void ab_il_draw_body(ab_rng *r, ab_il_body *b)
{
    const il_joint *j = joint();
    double code = floor(ab_il_code_quantile(ab_rng_unit(r)) + 0.5);
    b->code = code < 1 ? 1 : (uint32_t)code;
    b->eh_clauses = 0;
    b->eh_fat = 0;
    if (b->code >= IL_SMALL && ab_rng_chance(r, j->eh_given_big)) {
        /* 1 + geometric: continue with probability c, mean 1 + c / (1 - c) = 1.38. */
        const double c = (AB_IL_EH_CLAUSES_MEAN - 1) / AB_IL_EH_CLAUSES_MEAN;
        b->eh_clauses = 1;
        while (ab_rng_chance(r, c))
            b->eh_clauses++;
        b->eh_fat = ab_rng_chance(r, AB_IL_EH_FAT_SHARE) || b->eh_clauses > 20;
    }
    if (b->code < IL_SMALL)
        b->fat = 0;
    else if (b->code < 64 && b->eh_clauses == 0)
        b->fat = !ab_rng_chance(r, j->tiny_given_mid);
    else
        b->fat = 1;
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
