/* fidelity_table.h: how the answer of `alignbench fidelity` reads, in the console and in
 * report.html (the figures are computed by analysis/fidelity.c). */
#ifndef AB_FIDELITY_TABLE_H
#define AB_FIDELITY_TABLE_H

#include <jansson.h>
#include <stdio.h>

/* One block per program: the baseline's measured and replayed time, then per allocator the
 * predicted and measured time saved with their intervals, the ratio and the verdict, the
 * rankings, and the reasons when they disagree. */
void ab_fidelity_print(FILE *out, const json_t *fidelity);

/* The same as an HTML section (escaped), for report.html; nothing when fidelity is NULL. */
void ab_fidelity_html(FILE *out, const json_t *fidelity);

#endif
