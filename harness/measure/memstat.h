/* memstat.h: the process footprint F, peak RSS, and the harness's own memory (docs/measurement.md).
 *
 * F is anonymous resident memory: (resident - shared) pages of /proc/self/statm, read with
 * pread on a descriptor opened once (about 1 µs), so it can be sampled at checkpoints during a
 * replay. File-backed pages (the mmap'd trace, the program's text) are "shared" and drop out.
 *
 * The harness's own tables come from mmap, never from malloc: in the runner malloc *is* the
 * allocator under test (jemalloc, mimalloc, a plug-in), so a harness malloc would show up in
 * its statistics and perturb its state. ab_harness_map touches what it maps, so the baseline
 * taken after setup already contains it.
 */
#ifndef AB_MEMSTAT_H
#define AB_MEMSTAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ab_memstat {
    int fd;
    long page_size;
} ab_memstat;

/* Returns 0, or -1 with a message in err. */
int ab_memstat_open(ab_memstat *m, char *err, size_t errlen);
void ab_memstat_close(ab_memstat *m);

/* Anonymous resident bytes now, or -1 if statm could not be read. */
int64_t ab_memstat_anon_bytes(const ab_memstat *m);

/* Peak resident memory of this process image so far (VmHWM; ru_maxrss without procfs), bytes:
 * since exec, or since the last successful ab_memstat_reset_peak. */
uint64_t ab_memstat_peak_rss(void);

/* File-backed resident bytes now (RssFile: the program, its libraries, the trace's mapped
 * pages), or -1. */
int64_t ab_memstat_rss_file(void);

/* Resets VmHWM to the current resident size (`5` into /proc/self/clear_refs, Linux >= 4.0), so
 * the next ab_memstat_peak_rss is the peak from here on. 0, or -1 if the kernel refused. */
int ab_memstat_reset_peak(void);

/* Zeroed, touched, page-aligned memory from mmap (NULL on failure); `touch` 0 leaves pages
 * untouched (for memory only written outside the measured passes). */
void *ab_harness_map(size_t bytes, int touch);
/* Tells a preloaded test plug-in that the memory baseline is read next: calls
 * alignbench_baseline_mark() if some loaded library defines it (a weak reference; the harness
 * never does). tests/run/prebaseline_plugin.c counts the malloc calls made before it. */
void ab_memstat_mark_baseline(void);
void ab_harness_unmap(void *p, size_t bytes);

#endif
