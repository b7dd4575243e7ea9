/* histogram.c: bucket bounds, quantiles and merging for the log-linear histogram (histogram.h). */
#include "harness/measure/histogram.h"

#include <math.h>
#include <string.h>

void ab_hist_reset(ab_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

uint64_t ab_hist_bucket_low(unsigned idx)
{
    if (idx < AB_HIST_LINEAR)
        return idx;
    unsigned rel = idx - AB_HIST_LINEAR;
    unsigned shift = rel / (1u << AB_HIST_SUB_BITS) + 1;
    uint64_t sub = rel % (1u << AB_HIST_SUB_BITS) + (1u << AB_HIST_SUB_BITS);
    return sub << shift;
}

uint64_t ab_hist_bucket_high(unsigned idx)
{
    if (idx + 1 >= AB_HIST_BUCKETS)
        return UINT64_MAX;
    return ab_hist_bucket_low(idx + 1) - 1;
}

double ab_hist_quantile(const ab_hist *h, double q)
{
    if (!h->count)
        return 0;
    if (q >= 1.0)
        return (double)h->max;
    if (q < 0)
        q = 0;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < AB_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            double lo = (double)ab_hist_bucket_low(i), hi = (double)ab_hist_bucket_high(i);
            double mid = lo + (hi - lo) / 2;
            if (mid < (double)h->min)
                mid = (double)h->min;
            if (mid > (double)h->max)
                mid = (double)h->max;
            return mid;
        }
    }
    return (double)h->max;
}

void ab_hist_merge(ab_hist *dst, const ab_hist *src)
{
    if (!src->count)
        return;
    for (unsigned i = 0; i < AB_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}
