/* schedule.c: rounds x cells, optionally shuffled within each round (see schedule.h).
 *
 * The unit of shuffling is a cell (its measured slot plus, when present, its lowered slot), so
 * the pair stays adjacent. The generator is splitmix64 seeded from (seed, round): a round's order
 * does not depend on how many random numbers earlier rounds used.
 */
#include "harness/orchestrator/schedule.h"

#include <stdlib.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int ab_schedule_build(const ab_schedule_params *p, ab_slot **slots, size_t *count)
{
    *slots = NULL;
    *count = 0;
    if (p->rounds == 0 || p->allocs == 0 || p->workloads == 0)
        return -1;
    size_t cells = (size_t)p->allocs * p->workloads;
    size_t lowered_per_round = 0;
    for (unsigned w = 0; w < p->workloads; w++)
        if (p->baseline && p->baseline[w])
            lowered_per_round += p->allocs;
    size_t total = (cells + lowered_per_round) * p->rounds;
    ab_slot *out = malloc(total * sizeof *out);
    unsigned *order = malloc(cells * sizeof *order);
    if (!out || !order) {
        free(out);
        free(order);
        return -1;
    }
    size_t k = 0;
    for (unsigned r = 0; r < p->rounds; r++) {
        for (size_t c = 0; c < cells; c++)
            order[c] = (unsigned)c;
        if (p->shuffle) {
            uint64_t state = p->seed ^ (0xa0761d6478bd642full * (r + 1));
            for (size_t i = cells - 1; i > 0; i--) {
                size_t j = (size_t)(splitmix64(&state) % (i + 1));
                unsigned t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        /* Unshuffled order: allocator-major within a workload, so a round sweeps every
         * allocator over workload 1, then every allocator over workload 2, ... */
        for (size_t c = 0; c < cells; c++) {
            unsigned w = order[c] / p->allocs, a = order[c] % p->allocs;
            out[k++] = (ab_slot){.round = r, .alloc = a, .workload = w, .lowered = 0};
            if (p->baseline && p->baseline[w])
                out[k++] = (ab_slot){.round = r, .alloc = a, .workload = w, .lowered = 1};
        }
    }
    free(order);
    *slots = out;
    *count = k;
    return 0;
}
