/* histogram.h: the log-linear latency histogram (HDR-style), fixed memory, <= 1 % bucket error.
 *
 * Values (TSC ticks) below 256 have a bucket each; above that, every power-of-two range
 * [2^k, 2^(k+1)) is split into 128 equal sub-buckets, so a bucket is at most 1/128 (0.78 %) of
 * its lower bound wide and any value of 64 bits fits. Adding a sample is a few shifts and one
 * increment; no allocation ever happens after the histogram is placed in memory, so it can sit
 * next to a timed region. Percentiles report the middle of the bucket holding the rank (error at
 * most half a bucket, 0.39 %), clamped to the exact min and max.
 */
#ifndef AB_HISTOGRAM_H
#define AB_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define AB_HIST_SUB_BITS 7                      /* 128 sub-buckets per power of two */
#define AB_HIST_LINEAR (2u << AB_HIST_SUB_BITS) /* values < 256 are exact */
#define AB_HIST_BUCKETS (AB_HIST_LINEAR + (64 - AB_HIST_SUB_BITS - 1) * (1u << AB_HIST_SUB_BITS))

typedef struct ab_hist {
    uint64_t count, min, max;
    double sum;
    uint64_t buckets[AB_HIST_BUCKETS];
} ab_hist;

void ab_hist_reset(ab_hist *h);

static inline unsigned ab_hist_index(uint64_t v)
{
    if (v < AB_HIST_LINEAR)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - AB_HIST_SUB_BITS; /* >= 1 here */
    unsigned sub = (unsigned)(v >> shift) - (1u << AB_HIST_SUB_BITS);
    return AB_HIST_LINEAR + (shift - 1) * (1u << AB_HIST_SUB_BITS) + sub;
}

static inline void ab_hist_add(ab_hist *h, uint64_t v)
{
    h->buckets[ab_hist_index(v)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

/* Smallest and largest value that land in bucket idx. */
uint64_t ab_hist_bucket_low(unsigned idx);
uint64_t ab_hist_bucket_high(unsigned idx);

/* The value at quantile q in [0, 1] (q = 1: the exact max); 0 for an empty histogram. */
double ab_hist_quantile(const ab_hist *h, double q);

/* Add every sample of src to dst. */
void ab_hist_merge(ab_hist *dst, const ab_hist *src);

#endif
