/* il_bodies.h: IL method bodies drawn from the distribution in docs/workloads.md (74,405
 * methods of Mono 6.8's class libraries), for the `il` generator and its statistics test.
 *
 * Code size: the measured percentiles (p10 7, p25 9, p50 21, p75 61, p90 155, p95 266, p99 744)
 * interpolated log-linearly (sizes spread multiplicatively between them), from 1 byte below p10,
 * and above p99 a Pareto tail whose exponent makes the mean code size the measured 70 bytes
 * (capped at 64 KiB). Only the marginals were measured; the joint is this file's choice, fitted so
 * that they all hold: code under 20 bytes is always tiny and never has EH; EH (6.4 % of all
 * methods) falls on code of 20 bytes and more, 1 + a geometric number of clauses (mean 1.38),
 * 14 % of sections fat (4 + 24 per clause), the rest small (4 + 12 per clause, at most 20);
 * code of 20..63 bytes without EH is tiny with the probability that makes 65 % of all methods
 * tiny; everything else is fat (12-byte header, 4-byte aligned, code padded to 4 before EH).
 * Result: total body p50 23, mean 76 (measured: 23 and 76), fat code median ~97 (measured: 92).
 */
#ifndef AB_IL_BODIES_H
#define AB_IL_BODIES_H

#include "workloads/gen_rng.h"

#include <stdint.h>

typedef struct ab_il_body {
    uint32_t code;       /* IL code bytes */
    int fat;             /* fat header (12 bytes, 4-aligned) or tiny (1 byte) */
    unsigned eh_clauses; /* 0 when the method has no EH */
    int eh_fat;          /* the EH section is fat */
    uint32_t total;      /* header + code (+ padding + EH section): the bytes allocated */
    unsigned align_log2; /* 2 for fat bodies, 0 for tiny ones */
} ab_il_body;

void ab_il_draw_body(ab_rng *r, ab_il_body *b);

/* The code size at quantile q in [0, 1) (the interpolated distribution, for tests). */
double ab_il_code_quantile(double q);

#define AB_IL_TINY_SHARE 0.65
#define AB_IL_EH_SHARE 0.064
#define AB_IL_EH_CLAUSES_MEAN 1.38
#define AB_IL_EH_FAT_SHARE 0.14

#endif
