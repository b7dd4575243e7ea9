/* gen_rng.h: the generators' random numbers: xoshiro256** seeded through splitmix64.
 *
 * Fixed algorithms (never rand()), so a seed gives the same trace bytes on every machine and
 * every libc. Header-only: each generator owns its state, nothing is global.
 */
#ifndef AB_GEN_RNG_H
#define AB_GEN_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct ab_rng {
    uint64_t s[4];
} ab_rng;

static inline uint64_t ab_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void ab_rng_seed(ab_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = ab_splitmix64(&seed);
}

static inline uint64_t ab_rng_next(ab_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, 1), 53 bits. */
static inline double ab_rng_unit(ab_rng *r)
{
    return (double)(ab_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi] (inclusive), unbiased (Lemire's multiply, with rejection). */
static inline uint64_t ab_rng_range(ab_rng *r, uint64_t lo, uint64_t hi)
{
    uint64_t n = hi - lo + 1;
    if (n == 0)
        return ab_rng_next(r); /* the full 64-bit range */
    unsigned __int128 m = (unsigned __int128)ab_rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)ab_rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return lo + (uint64_t)(m >> 64);
}

/* Log-uniform integer in [lo, hi] (lo >= 1): as many values per octave at every scale. */
static inline uint64_t ab_rng_log_range(ab_rng *r, uint64_t lo, uint64_t hi)
{
    double v = (double)lo * pow((double)(hi + 1) / (double)lo, ab_rng_unit(r));
    uint64_t x = (uint64_t)v;
    return x < lo ? lo : x > hi ? hi : x;
}

/* True with probability p. */
static inline int ab_rng_chance(ab_rng *r, double p)
{
    return ab_rng_unit(r) < p;
}

#endif
