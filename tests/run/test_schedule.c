/* test_schedule.c: the run order of harness/orchestrator/schedule.h: rounds in order, every cell
 * exactly once per round, a lowered slot right after its measured slot, shuffles that are seeded
 * permutations. */
#include "harness/orchestrator/schedule.h"
#include "tests/check.h"

#include <stdlib.h>
#include <string.h>

enum { ALLOCS = 6, WORKLOADS = 3, ROUNDS = 4 };

/* 1 when every round holds each (alloc, workload) measured slot exactly once, rounds are
 * non-decreasing, and each lowered slot directly follows the measured slot of its cell. */
static int well_formed(const ab_slot *s, size_t n, const int *baseline)
{
    int seen[ROUNDS][ALLOCS][WORKLOADS];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && s[i].round < s[i - 1].round)
            return 0;
        if (s[i].round >= ROUNDS || s[i].alloc >= ALLOCS || s[i].workload >= WORKLOADS)
            return 0;
        if (s[i].lowered) {
            if (!baseline[s[i].workload] || i == 0 || s[i - 1].lowered ||
                s[i - 1].alloc != s[i].alloc || s[i - 1].workload != s[i].workload ||
                s[i - 1].round != s[i].round)
                return 0;
        } else {
            seen[s[i].round][s[i].alloc][s[i].workload]++;
        }
    }
    for (int r = 0; r < ROUNDS; r++)
        for (int a = 0; a < ALLOCS; a++)
            for (int w = 0; w < WORKLOADS; w++)
                if (seen[r][a][w] != 1)
                    return 0;
    return 1;
}

static int same_order(const ab_slot *x, const ab_slot *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i].alloc != y[i].alloc || x[i].workload != y[i].workload ||
            x[i].round != y[i].round || x[i].lowered != y[i].lowered)
            return 0;
    return 1;
}

int main(void)
{
    int baseline[WORKLOADS] = {0, 0, 1}; /* simd-like: the third workload gets lowered slots */
    ab_schedule_params p = {.rounds = ROUNDS,
                            .allocs = ALLOCS,
                            .workloads = WORKLOADS,
                            .baseline = baseline,
                            .shuffle = 0,
                            .seed = 7};
    ab_slot *plain, *a, *b, *c;
    size_t n_plain, na, nb, nc;
    CHECK(ab_schedule_build(&p, &plain, &n_plain) == 0, "build-plain");
    /* per round: 18 measured + 6 lowered */
    CHECK(n_plain == ROUNDS * (ALLOCS * WORKLOADS + ALLOCS), "count-includes-lowered");
    CHECK(well_formed(plain, n_plain, baseline), "plain-well-formed");
    CHECK(plain[0].alloc == 0 && plain[1].alloc == 1 && plain[0].workload == plain[1].workload,
          "plain-interleaves-allocators");

    p.shuffle = 1;
    CHECK(ab_schedule_build(&p, &a, &na) == 0 && na == n_plain, "build-shuffled");
    CHECK(well_formed(a, na, baseline), "shuffled-well-formed");
    CHECK(!same_order(a, plain, na), "shuffled-differs-from-plain");
    CHECK(ab_schedule_build(&p, &b, &nb) == 0 && nb == na, "build-again");
    CHECK(same_order(a, b, na), "same-seed-same-order");
    p.seed = 8;
    CHECK(ab_schedule_build(&p, &c, &nc) == 0 && nc == na, "build-other-seed");
    CHECK(!same_order(a, c, na), "other-seed-other-order");
    /* rounds are shuffled independently: round 1 and round 2 orders differ */
    size_t per_round = na / ROUNDS;
    int rounds_differ = 0;
    for (size_t i = 0; i < per_round; i++)
        rounds_differ |=
            a[i].alloc != a[i + per_round].alloc || a[i].workload != a[i + per_round].workload;
    CHECK(rounds_differ, "rounds-shuffled-independently");

    p.baseline = NULL;
    ab_slot *none;
    size_t nn;
    CHECK(ab_schedule_build(&p, &none, &nn) == 0 && nn == ROUNDS * ALLOCS * WORKLOADS,
          "no-baseline");
    p.rounds = 0;
    ab_slot *zero;
    size_t nz;
    CHECK(ab_schedule_build(&p, &zero, &nz) == -1 && zero == NULL, "zero-rounds-refused");
    free(plain);
    free(a);
    free(b);
    free(c);
    free(none);
    CHECK_DONE();
}
