/* record.c: libalignbench-record.so, the LD_PRELOAD recorder behind `alignbench record`.
 *
 * It interposes malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc,
 * memalign, valloc and pvalloc of any program and writes every call into a binary trace that
 * passes the validator. How:
 * - The real work is done by glibc's exported __libc_malloc & co., so there is no dlsym and no
 *   calloc bootstrap problem; a thread-local guard sends any allocation made while recording
 *   (by snprintf, pthread_atfork...) straight to glibc, unrecorded.
 * - Pointers become dense ids through an open-addressing hash table (linear probing, backward-
 *   shift deletion) in mmap'd memory; ids come from a LIFO free list. The live table
 *   (trace_live.c, given mmap-backed arrays) follows the ops as the writer does, so the header's
 *   counts are right and an op it would reject is never written. Nothing here calls malloc.
 * - One lock orders everything: a free is recorded before the memory goes back to glibc, a
 *   realloc runs under the lock, so an address reused by another thread is never recorded out of
 *   order. Ops go to one mmap'd 1 MiB buffer flushed with write(2). (Per-thread buffers would
 *   need a merge by sequence number to keep a free after its alloc; with the id table behind one
 *   lock anyway, they would save nothing.)
 * - Threads are numbered in the order of their first allocation (thread-local).
 * - Only the initial process records: AB_RECORD_PID names it (set by `alignbench record` just
 *   before exec); a fork child turns passive in a pthread_atfork handler; an exec'd program with
 *   another pid stays passive. The trace is written at exit (a destructor): it goes to
 *   AB_RECORD_OUT.tmp.PID, gets its header, and is renamed to AB_RECORD_OUT. A process that ends
 *   by _exit or a signal leaves no trace (and no half-written file under the final name).
 * - Recorded as: malloc/realloc/calloc with alignment 16 (glibc's, x86-64), calloc zeroed,
 *   memalign/aligned_alloc/posix_memalign with the alignment asked for, valloc/pvalloc 4096
 *   (pvalloc's size rounded up to the page as it allocates); realloc(NULL, n) = alloc,
 *   realloc(p, 0) = free. Not recorded, and counted in the trace's metadata: frees of pointers
 *   never seen (allocated before recording started), blocks of 4 GiB or more (sizes are
 *   uint32) or aligned above 2^30 (both as skipped_over_4g), failed calls; an address handed out
 * again while the trace still has it live (a free that bypassed the interposer) is recorded as a
 * free of the old id first, and counted.
 */
#include "workloads/trace_live.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

#define MALLOC_ALIGN_LOG2 4 /* glibc x86-64: 16 */
#define BUF_OPS 65536       /* 1 MiB of ops between writes */
#define PAGE 4096ul

static __thread int in_recorder __attribute__((tls_model("initial-exec")));
static __thread uint32_t thread_plus1 __attribute__((tls_model("initial-exec")));

enum rec_state { REC_UNINIT = 0, REC_ON, REC_PASSIVE };

static struct recorder {
    pthread_mutex_t lock;
    _Atomic int state;
    pid_t pid;
    int fd;
    char out[4096], tmp[4200];
    ab_op *buf;
    size_t nbuf;
    ab_live_table live;
    /* pointer -> id */
    struct slot *table; /* key 0: empty */
    size_t slots, used; /* slots: a power of two */
    /* id free list */
    uint32_t *free_ids;
    size_t nfree, free_cap;
    uint32_t next_id;
    uint32_t threads;
    int write_failed, table_failed;
    /* what was not recorded, for the metadata */
    uint64_t unseen_frees, huge_skipped, implicit_frees, unseen_reallocs, thread_overflow;
} rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

/* ---- memory for the recorder's own tables: mmap, never malloc ---- */

static size_t page_round(size_t n)
{
    return (n + PAGE - 1) & ~(PAGE - 1);
}

static void *map_grow(void *old, size_t old_bytes, size_t new_bytes)
{
    if (!old) {
        void *p = mmap(NULL, page_round(new_bytes), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
    }
    if (page_round(new_bytes) == page_round(old_bytes))
        return old; /* the bytes past old_bytes in the last page are still zero */
    void *p = mremap(old, page_round(old_bytes), page_round(new_bytes), MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p; /* new anonymous pages read as zero */
}

static void map_release(void *p, size_t bytes)
{
    if (p)
        munmap(p, page_round(bytes));
}

/* ---- pointer -> id table ---- */

/* Key and id side by side: a lookup costs one cache miss, not two. */
struct slot {
    uintptr_t key;
    uint64_t id;
};

/* Neighbouring blocks (glibc hands out addresses mostly in order) land in neighbouring slots, so
 * a lookup usually hits a cache line a recent one touched; the high bits are folded in so that
 * blocks a table-size stride apart (mmap'd chunks, arenas) do not all collide. */
static size_t slot_of(uintptr_t key, size_t slots)
{
    uint64_t h = (uint64_t)key >> 4;
    h ^= (h >> 21) * 0x9e3779b97f4a7c15ull >> 40;
    return (size_t)h & (slots - 1);
}

static int table_resize(size_t slots)
{
    struct slot *t = map_grow(NULL, 0, slots * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < rec.slots; i++) {
        if (!rec.table[i].key)
            continue;
        size_t j = slot_of(rec.table[i].key, slots);
        while (t[j].key)
            j = (j + 1) & (slots - 1);
        t[j] = rec.table[i];
    }
    map_release(rec.table, rec.slots * sizeof *rec.table);
    rec.table = t;
    rec.slots = slots;
    return 0;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t table_find(uintptr_t key)
{
    size_t i = slot_of(key, rec.slots);
    while (rec.table[i].key && rec.table[i].key != key)
        i = (i + 1) & (rec.slots - 1);
    return i;
}

static int table_put(uintptr_t key, uint32_t id)
{
    if ((rec.used + 1) * 2 > rec.slots && table_resize(rec.slots * 2))
        return -1;
    size_t i = table_find(key);
    if (!rec.table[i].key)
        rec.used++;
    rec.table[i].key = key;
    rec.table[i].id = id;
    return 0;
}

/* Remove key (backward-shift deletion keeps every probe chain unbroken). */
static void table_erase(size_t i)
{
    size_t mask = rec.slots - 1, j = i;
    rec.table[i].key = 0;
    rec.used--;
    for (;;) {
        j = (j + 1) & mask;
        if (!rec.table[j].key)
            return;
        size_t home = slot_of(rec.table[j].key, rec.slots);
        /* Move j back into the hole i unless its home lies cyclically in (i, j]. */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            rec.table[i] = rec.table[j];
            rec.table[j].key = 0;
            i = j;
        }
    }
}

/* ---- ops ---- */

static void flush_buf(void)
{
    const char *p = (const char *)rec.buf;
    size_t left = rec.nbuf * sizeof(ab_op);
    while (left && !rec.write_failed) {
        ssize_t w = write(rec.fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rec.write_failed = 1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    rec.nbuf = 0;
}

static void emit(const ab_op *op)
{
    char msg[160];
    if (ab_live_apply(&rec.live, op, msg, sizeof msg) != 0) {
        rec.table_failed = 1; /* cannot happen unless out of memory; the op is not written */
        return;
    }
    rec.buf[rec.nbuf++] = *op;
    if (rec.nbuf == BUF_OPS)
        flush_buf();
}

static void push_free_id(void *ctx, uint32_t id)
{
    (void)ctx;
    if (rec.nfree == rec.free_cap) {
        size_t cap = rec.free_cap ? rec.free_cap * 2 : 16384;
        uint32_t *p = map_grow(rec.free_ids, rec.free_cap * sizeof *p, cap * sizeof *p);
        if (!p) {
            rec.table_failed = 1;
            return; /* the id is lost: ids stay unique, only less dense */
        }
        rec.free_ids = p;
        rec.free_cap = cap;
    }
    rec.free_ids[rec.nfree++] = id;
}

static uint16_t current_thread(void)
{
    if (!thread_plus1) {
        if (rec.threads >= UINT16_MAX - 1) {
            rec.thread_overflow++;
            return UINT16_MAX - 2; /* the last number shared by the overflow */
        }
        thread_plus1 = ++rec.threads;
    }
    return (uint16_t)(thread_plus1 - 1);
}

/* Record a free of the block at p if it is known; returns 1 if it was. Lock held. */
static int record_free(void *p, uint16_t thread)
{
    size_t i = table_find((uintptr_t)p);
    if (!rec.table[i].key)
        return 0;
    ab_op op = {.kind = AB_OP_FREE, .thread = thread, .id = (uint32_t)rec.table[i].id};
    table_erase(i);
    emit(&op);
    return 1;
}

/* Record a new block at p. Lock held. */
static void record_alloc(void *p, size_t size, unsigned align_log2, uint16_t flags, uint16_t thread)
{
    if (size > UINT32_MAX || align_log2 > 30) { /* not representable / over the limit */
        rec.huge_skipped++;
        return;
    }
    if (record_free(p, thread)) /* still live in the trace: its free bypassed us */
        rec.implicit_frees++;
    uint32_t id = rec.nfree ? rec.free_ids[--rec.nfree] : rec.next_id++;
    if (table_put((uintptr_t)p, id)) {
        rec.table_failed = 1;
        return;
    }
    ab_op op = {.kind = AB_OP_ALLOC,
                .align_log2 = (uint8_t)align_log2,
                .thread = thread,
                .id = id,
                .size = (uint32_t)size,
                .flags = flags};
    emit(&op);
}

/* ---- life cycle ---- */

static void fork_prepare(void)
{
    pthread_mutex_lock(&rec.lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&rec.lock);
}

static void fork_child(void)
{
    pthread_mutex_init(&rec.lock, NULL);
    atomic_store(&rec.state, REC_PASSIVE); /* only the initial process records */
}

static void init_locked(void)
{
    if (atomic_load(&rec.state) != REC_UNINIT)
        return;
    const char *out = getenv("AB_RECORD_OUT");
    const char *pid = getenv("AB_RECORD_PID");
    rec.pid = getpid();
    if (!out || !*out || strlen(out) >= sizeof rec.out ||
        (pid && strtol(pid, NULL, 10) != (long)rec.pid)) {
        atomic_store(&rec.state, REC_PASSIVE);
        return;
    }
    snprintf(rec.out, sizeof rec.out, "%s", out);
    snprintf(rec.tmp, sizeof rec.tmp, "%s.tmp.%ld", out, (long)rec.pid);
    rec.fd = open(rec.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    rec.buf = map_grow(NULL, 0, BUF_OPS * sizeof(ab_op));
    ab_live_init(&rec.live, map_grow, map_release);
    rec.live.on_release = push_free_id;
    if (rec.fd < 0 || !rec.buf || table_resize(1u << 16)) {
        static const char msg[] = "alignbench-record: cannot start recording (output file or "
                                  "memory); the program runs unrecorded\n";
        if (write(2, msg, sizeof msg - 1) < 0) {
        }
        atomic_store(&rec.state, REC_PASSIVE);
        return;
    }
    ab_trace_header h = {0};
    if (write(rec.fd, &h, sizeof h) != (ssize_t)sizeof h)
        rec.write_failed = 1;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    atomic_store(&rec.state, REC_ON);
}

/* Lock and return 1 if this call is to be recorded; the caller unlocks with leave(). */
static int enter(void)
{
    if (in_recorder || atomic_load_explicit(&rec.state, memory_order_acquire) == REC_PASSIVE)
        return 0;
    in_recorder = 1;
    pthread_mutex_lock(&rec.lock);
    init_locked();
    if (atomic_load(&rec.state) != REC_ON) {
        pthread_mutex_unlock(&rec.lock);
        in_recorder = 0;
        return 0;
    }
    return 1;
}

static void leave(void)
{
    pthread_mutex_unlock(&rec.lock);
    in_recorder = 0;
}

__attribute__((constructor)) static void recorder_start(void)
{
    if (enter())
        leave();
}

static void comm_name(char *buf, size_t len)
{
    snprintf(buf, len, "?");
    int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] <= ' ' || buf[i] > '~')
            buf[i] = buf[i] == '\n' ? 0 : '_';
}

__attribute__((destructor)) static void recorder_finish(void)
{
    if (!enter())
        return;
    if (getpid() != rec.pid) { /* a child that skipped the atfork handler (vfork, clone) */
        atomic_store(&rec.state, REC_PASSIVE);
        leave();
        return;
    }
    atomic_store(&rec.state, REC_PASSIVE); /* allocations after this point are not recorded */
    flush_buf();
    ab_trace_header h = {0};
    memcpy(h.magic, AB_TRACE_MAGIC, 8);
    h.version = AB_TRACE_VERSION;
    h.header_size = sizeof h;
    ab_live_fill_header(&rec.live, &h);
    char prog[64];
    comm_name(prog, sizeof prog);
    snprintf(h.meta, sizeof h.meta,
             "generator=record program=%s unseen_frees=%llu skipped_over_4g=%llu "
             "implicit_frees=%llu unseen_reallocs=%llu thread_overflow=%llu",
             prog, (unsigned long long)rec.unseen_frees, (unsigned long long)rec.huge_skipped,
             (unsigned long long)rec.implicit_frees, (unsigned long long)rec.unseen_reallocs,
             (unsigned long long)rec.thread_overflow);
    if (pwrite(rec.fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        rec.write_failed = 1;
    if (close(rec.fd) != 0)
        rec.write_failed = 1;
    rec.fd = -1;
    if (rec.write_failed || rec.table_failed || rename(rec.tmp, rec.out) != 0) {
        static const char msg[] = "alignbench-record: writing the trace failed; no trace\n";
        if (write(2, msg, sizeof msg - 1) < 0) {
        }
        unlink(rec.tmp);
    }
    leave();
}

/* ---- the interposed functions ---- */

static void *record_new(void *p, size_t size, unsigned align_log2, uint16_t flags)
{
    if (p && enter()) {
        record_alloc(p, size, align_log2, flags, current_thread());
        leave();
    }
    return p;
}

EXPORT void *malloc(size_t n)
{
    return record_new(__libc_malloc(n), n, MALLOC_ALIGN_LOG2, 0);
}

EXPORT void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    return record_new(p, p ? n * m : 0, MALLOC_ALIGN_LOG2, AB_OPF_ZERO);
}

EXPORT void free(void *p)
{
    if (p && enter()) {
        if (!record_free(p, current_thread()))
            rec.unseen_frees++;
        leave();
    }
    __libc_free(p);
}

EXPORT void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (!enter())
        return __libc_realloc(p, n);
    /* Under the lock: the old address may be reused the moment glibc lets it go. */
    void *q = __libc_realloc(p, n);
    if (q) {
        uint16_t thread = current_thread();
        size_t i = table_find((uintptr_t)p);
        if (!rec.table[i].key) {
            rec.unseen_reallocs++; /* the old block predates recording: the new one is new */
            record_alloc(q, n, MALLOC_ALIGN_LOG2, 0, thread);
        } else if (n > UINT32_MAX) {
            record_free(p, thread); /* the block leaves the trace */
            rec.huge_skipped++;
        } else {
            uint32_t id = (uint32_t)rec.table[i].id;
            ab_op op = {.kind = AB_OP_REALLOC, .thread = thread, .id = id, .size = (uint32_t)n};
            if (q != p) {
                table_erase(i);
                if (record_free(q, thread)) /* q live in the trace: its free bypassed us */
                    rec.implicit_frees++;
                if (table_put((uintptr_t)q, id))
                    rec.table_failed = 1;
            }
            emit(&op);
        }
    }
    leave();
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t m)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, m, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes);
}

static void *aligned(size_t align, size_t n)
{
    return record_new(__libc_memalign(align, n), n, (unsigned)__builtin_ctzl(align), 0);
}

EXPORT void *memalign(size_t align, size_t n)
{
    if (align > (1ul << 63)) {
        errno = EINVAL;
        return NULL;
    }
    if (align == 0 || (align & (align - 1))) /* glibc rounds these up; so do we */
        align = align <= 1 ? 1 : 1ul << (64 - __builtin_clzl(align));
    return aligned(align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n); /* glibc 2.36 accepts any alignment, rounding it up */
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    int saved = errno;
    void *p = aligned(align, n);
    if (!p) {
        errno = saved;
        return ENOMEM;
    }
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t n)
{
    return record_new(__libc_valloc(n), n, 12, 0);
}

EXPORT void *pvalloc(size_t n)
{
    size_t rounded = page_round(n ? n : 1);
    return record_new(__libc_pvalloc(n), rounded, 12, 0);
}
