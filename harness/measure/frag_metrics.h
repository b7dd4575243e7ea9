/* frag_metrics.h: fragmentation from a checkpoint series (definitions: docs/measurement.md).
 *
 * L is live requested bytes (exact, from the trace), F the anonymous resident footprint minus
 * the baseline taken after the harness set up its tables, both sampled at checkpoints of the
 * memory pass; max L is also tracked exactly at every op by the replay and passed in.
 *   frag_peak    = max F / max L - 1
 *   frag_at_peak = max F / L(at argmax F) - 1
 *   frag_avg     = ∫F / ∫L - 1, trapezoids over op time between checkpoints
 *   internal     = Σ footprint / L - 1 at the live peak
 * A ratio whose denominator is 0 is reported as NaN (written as null), never as a number.
 */
#ifndef AB_METRICS_H
#define AB_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ab_checkpoint {
    uint64_t op;          /* ops replayed so far */
    uint64_t live;        /* L: live requested bytes */
    int64_t anon;         /* F: anonymous resident bytes minus the baseline */
    uint64_t footprint;   /* Σ footprint() of the live blocks */
    int64_t alloc_active; /* the allocator's own active (or allocated) bytes, -1 if unknown */
} ab_checkpoint;

typedef struct ab_frag {
    double frag_peak, frag_at_peak, frag_avg;
    int64_t max_F;
    uint64_t L_at_max_F;
    size_t argmax_F; /* checkpoint index (n + i for extra[i]) */
} ab_frag;

/* max_L: the exact live peak over the whole replay (>= every checkpoint's live). extra (may be
 * NULL/0): more F samples, taken off the checkpoint grid (the replay samples F whenever L climbs
 * 1 % above its last sampled peak, so a brief live peak between checkpoints is not missed);
 * they count for max F and L at argmax F, not for the integrals. */
void ab_frag_compute(const ab_checkpoint *cp, size_t n, const ab_checkpoint *extra, size_t nextra,
                     uint64_t max_L, ab_frag *out);

/* Σ footprint / L - 1 (NaN when L is 0). */
double ab_internal_frag(uint64_t footprint, uint64_t live);

#endif
