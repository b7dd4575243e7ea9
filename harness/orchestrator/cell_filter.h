/* cell_filter.h: `alignbench run --filter REGEX`: which (allocator, workload) cells a run makes.
 *
 * A cell is named ALLOC/WORKLOAD (malloc/rpc, je0/simd-t2, glibc/make), as in results.json's
 * cells and in `run --list`. The filter is a POSIX extended regular expression (regcomp) searched
 * in that name, unanchored, as Google Benchmark's --benchmark_filter is: "rpc" keeps every cell
 * of rpc, "^malloc/" every cell of malloc, "^malloc/(rpc|il)$" two cells (without the ^, jemalloc's
 * too). No filter keeps every
 * cell. */
#ifndef AB_CELL_FILTER_H
#define AB_CELL_FILTER_H

#include <regex.h>
#include <stddef.h>

typedef struct ab_cell_filter {
    int set; /* 0: no filter, every cell is kept */
    regex_t re;
} ab_cell_filter;

/* Compiles pattern (NULL: no filter). Returns 0, or -1 with regerror's words in err. */
int ab_cell_filter_init(ab_cell_filter *f, const char *pattern, char *err, size_t errlen);
void ab_cell_filter_free(ab_cell_filter *f);

/* Whether the cell ALLOC/WORKLOAD is kept. */
int ab_cell_filter_keeps(const ab_cell_filter *f, const char *alloc, const char *workload);

#endif
