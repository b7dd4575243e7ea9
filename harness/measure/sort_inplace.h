/* sort_inplace.h: in-place sorts that never call malloc, for the runner.
 *
 * glibc's qsort takes a merge-sort buffer from malloc for any array over 1 KiB; in the runner
 * malloc *is* the allocator under test, so the TSC calibration's qsort of 1024 samples put 16
 * malloc/free pairs of 8 KiB into the allocator before the memory baseline. A heapsort needs no
 * memory and is O(n log n) in the worst case; the arrays sorted here are small or sorted once.
 */
#ifndef AB_SORT_INPLACE_H
#define AB_SORT_INPLACE_H

#include <stddef.h>
#include <stdint.h>

#define AB_DEFINE_HEAPSORT(name, T)                                                                \
    static inline void name##_sift(T *a, size_t root, size_t n)                                    \
    {                                                                                              \
        for (;;) {                                                                                 \
            size_t c = 2 * root + 1;                                                               \
            if (c >= n)                                                                            \
                return;                                                                            \
            if (c + 1 < n && a[c] < a[c + 1])                                                      \
                c++;                                                                               \
            if (!(a[root] < a[c]))                                                                 \
                return;                                                                            \
            T tmp = a[root];                                                                       \
            a[root] = a[c];                                                                        \
            a[c] = tmp;                                                                            \
            root = c;                                                                              \
        }                                                                                          \
    }                                                                                              \
    static inline void name(T *a, size_t n)                                                        \
    {                                                                                              \
        for (size_t i = n / 2; i-- > 0;)                                                           \
            name##_sift(a, i, n);                                                                  \
        for (size_t end = n; end > 1; end--) {                                                     \
            T tmp = a[0];                                                                          \
            a[0] = a[end - 1];                                                                     \
            a[end - 1] = tmp;                                                                      \
            name##_sift(a, 0, end - 1);                                                            \
        }                                                                                          \
    }

AB_DEFINE_HEAPSORT(ab_sort_u64, uint64_t)
AB_DEFINE_HEAPSORT(ab_sort_double, double) /* NaN-free arrays only */

#endif
