/* record.c: libalignbench-record.so, the LD_PRELOAD recorder behind `alignbench record`.
 *
 * It interposes malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc,
 * memalign, valloc, pvalloc, free_sized, free_aligned_sized and the C++ operators new/delete
 * (all forms) of any program and writes every call into a binary trace (version 2: each op says
 * which entry point it came from, AB_TRACE_F_RECORDED is set) that passes the validator. How:
 * - The real work is done by glibc's exported __libc_malloc & co., so there is no dlsym and no
 *   calloc bootstrap problem; a thread-local guard sends any allocation made while recording
 *   (by dlsym, pthread_atfork...) straight to glibc, unrecorded. operator new calls
 *   __libc_malloc too; only when that fails does it call the original operator (dlsym
 *   RTLD_NEXT), which runs the new_handler loop and throws std::bad_alloc.
 * - Pointers become dense ids through an open-addressing hash table (linear probing, backward-
 *   shift deletion) in mmap'd memory; ids come from a LIFO free list. The live table
 *   (trace_live.c, given mmap-backed arrays) follows the ops as the writer does, so the header's
 *   counts are right and an op it would reject is never written. Nothing here calls malloc.
 * - One lock orders everything: a free is recorded before the memory goes back to glibc, a
 *   realloc runs under the lock, so an address reused by another thread is never recorded out of
 *   order. Ops go to one mmap'd 1 MiB buffer written with pwrite(2) at their place in the file;
 *   memory is bounded by the live blocks, never by the op count.
 * - Every op (and its AB_OP_TIME op, with AB_RECORD_TIMESTAMPS=1) is "committed" by publishing a
 *   snapshot of the header's counts (two slots and an index, so a signal in the middle of an
 *   update sees the previous one). The trace can thus be finished from anywhere, even from a
 *   signal handler that interrupted this thread in the middle of an op: the committed ops are
 *   (re)written from the buffer, the file is truncated after them and the snapshot becomes the
 *   header, with async-signal-safe calls only (pwrite, ftruncate, close, rename, open, read,
 *   fstat, lstat).
 * - The trace is finished at exit (a destructor), in _exit/_Exit, before an exec, and on SIGTERM,
 *   SIGINT, SIGHUP, SIGQUIT, SIGABRT (abort) and SIGSEGV: the handler finishes the trace,
 *   restores the default action and raises the signal again, so the process ends as it would
 *   have. Handlers are installed only over a default disposition; sigaction and signal are
 *   interposed so that the program still sees (and may set) SIG_DFL, and a handler the program
 *   installs replaces ours (the program then decides how it ends; exit and _exit still finish
 *   the trace). A trace in progress lives in OUT.tmp.PID and is renamed to its name when done.
 * - It writes its trace and nothing else. OUT.tmp.PID is created with O_EXCL|O_NOFOLLOW (never a
 *   file or a link planted there), and renamed or removed only while the name is still that
 *   file. The descriptor sits high (move_high), out of reach of a program closing its low
 *   descriptors, and before every write, ftruncate and close fstat must show the same device
 *   and inode: a program that closed it (close_range, closefrom) or dup2'd over it has taken the
 *   number, and the recording stops there and says so (trace_lost). A relative AB_RECORD_OUT is
 *   made absolute at start (a chdir does not lose the trace); every failure names path and errno.
 * - Which processes record (AB_RECORD_OUT names the trace): with "%p" in the name every process
 *   does, each into its own file: %p becomes the pid, or PID-N for the N-th program image of
 *   that pid (an exec'd program, or the same program after an exec that failed). A fork child
 *   starts its own trace with an alloc for each block it inherited live (counted as
 *   inherited=N in its metadata), so its memory figures are right. exec* finishes the trace
 *   and passes the recorder's variables (and LD_PRELOAD) to the new program, even through an
 *   explicit environment. Without %p only the process AB_RECORD_PID names records: fork
 *   children stay passive (the trace's metadata counts them, forks=N), and an exec'd program
 *   replaces the trace of the program that exec'd it (image=N says how many came before), so
 *   that a wrapper or a shim (a shell script that execs the real program) yields the real
 *   program's trace. If AB_RECORD_MANIFEST names a file, every finished trace's name is
 *   appended to it, one a line.
 * - Recorded as: malloc/realloc/calloc/new with alignment 16 (glibc's, x86-64), calloc zeroed,
 *   memalign/aligned_alloc/posix_memalign/aligned new with the alignment asked for,
 *   valloc/pvalloc 4096 (pvalloc's size rounded up to the page as it allocates);
 *   realloc(NULL, n) = MALLOC, realloc(p, 0) = FREE. Not recorded, and counted in the trace's
 *   metadata: frees of pointers never seen (allocated before recording started), blocks of
 *   4 GiB or more (sizes are uint32) or aligned above 2^30 (both as skipped_over_4g), failed
 *   calls; an address handed out again while the trace still has it live (a free that bypassed
 *   the interposer) is recorded as a free of the old id first, and counted.
 */
#include "workloads/trace_live.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define UNUSED __attribute__((unused))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);
extern int __sigaction(int, const struct sigaction *, struct sigaction *);
extern char **environ;

#define MALLOC_ALIGN_LOG2 4 /* glibc x86-64: 16 */
#define BUF_OPS 65536       /* 1 MiB of ops between writes */
#define PAGE 4096ul
#define HDR ((off_t)sizeof(ab_trace_header))
#define NSIG_MAX 65
#define FD_TOP 4096 /* the trace's descriptor goes just below this (or the hard limit) */
#define FD_ROOM 64

static __thread int in_recorder __attribute__((tls_model("initial-exec")));
static __thread int holds_lock __attribute__((tls_model("initial-exec")));
static __thread uint32_t thread_plus1 __attribute__((tls_model("initial-exec")));
static __thread uint32_t thread_epoch __attribute__((tls_model("initial-exec")));

enum rec_state { REC_UNINIT = 0, REC_ON, REC_PASSIVE };

/* The header's counts as of the last committed op. */
struct snap {
    uint64_t ops, peak;
    uint32_t ids, threads, scopes;
};

static struct recorder {
    pthread_mutex_t lock;
    _Atomic int state;
    pid_t pid;
    unsigned gen; /* program image number of this pid (0: the first) */
    int fd;
    dev_t fdev; /* the temporary file this process created: fd must still be it to be written */
    ino_t fino;
    int lost;       /* the program closed or replaced fd: nothing more is written */
    dev_t take_dev; /* the temporary file an exec handed over (no %p): may be reopened */
    ino_t take_ino;
    int has_pid_pattern, timestamps;
    char pattern[4096], out[4200], tmp[4300], manifest[4096];
    char lib[4096]; /* this library, for LD_PRELOAD of exec'd programs */
    struct timespec t0;
    ab_op *buf;
    size_t nbuf;
    _Atomic uint64_t buf_base; /* index of buf[0] in the trace */
    uint64_t time_ops;
    struct snap snaps[2];
    _Atomic unsigned snap_idx;
    ab_live_table live;
    /* pointer -> id */
    struct slot *table; /* key 0: empty */
    size_t slots, used; /* slots: a power of two */
    /* id free list */
    uint32_t *free_ids;
    size_t nfree, free_cap;
    uint32_t next_id;
    uint32_t threads, epoch; /* a new trace (epoch) numbers the threads anew */
    int write_failed, write_errno, start_errno, table_failed, atfork_done;
    /* what was not recorded, for the metadata */
    uint64_t unseen_frees, huge_skipped, implicit_frees, unseen_reallocs, thread_overflow;
    uint64_t inherited, forks;
    /* test hook (tests/recorder): raise SIGTERM in the middle of this op (1-based, not counting
     * time ops), after it is in the buffer and before it is committed */
    uint64_t signal_at;
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

/* ---- strings without malloc or stdio (some of this runs in a signal handler) ---- */

struct sbuf {
    char *p;
    size_t len, cap;
};

static void s_add(struct sbuf *s, const char *str)
{
    while (*str && s->len + 1 < s->cap)
        s->p[s->len++] = *str++;
    s->p[s->len] = 0;
}

static void s_num(struct sbuf *s, uint64_t v)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char r[24];
    for (int i = 0; i < n; i++)
        r[i] = d[n - 1 - i];
    r[n] = 0;
    s_add(s, r);
}

static void s_kv(struct sbuf *s, const char *key, uint64_t v)
{
    s_add(s, key);
    s_num(s, v);
}

static void say(const char *msg)
{
    if (write(2, msg, strlen(msg)) < 0) {
    }
}

/* errno as words, without strerror (not async-signal-safe): the causes a trace file meets. */
static void s_errno(struct sbuf *s, int e)
{
    static const struct {
        int e;
        const char *text;
    } known[] = {{EACCES, "Permission denied (EACCES)"},
                 {EPERM, "Operation not permitted (EPERM)"},
                 {ENOENT, "No such file or directory (ENOENT)"},
                 {EEXIST, "File exists (EEXIST)"},
                 {ELOOP, "it is a symbolic link (ELOOP)"},
                 {ENOTDIR, "Not a directory (ENOTDIR)"},
                 {EISDIR, "Is a directory (EISDIR)"},
                 {ENAMETOOLONG, "File name too long (ENAMETOOLONG)"},
                 {ENOSPC, "No space left on device (ENOSPC)"},
                 {EDQUOT, "Disk quota exceeded (EDQUOT)"},
                 {EFBIG, "File too large (EFBIG)"},
                 {EROFS, "Read-only file system (EROFS)"},
                 {EIO, "Input/output error (EIO)"},
                 {EBADF, "Bad file descriptor (EBADF)"},
                 {EMFILE, "Too many open files (EMFILE)"},
                 {EXDEV, "Invalid cross-device link (EXDEV)"},
                 {ENOMEM, "Cannot allocate memory (ENOMEM)"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].e == e) {
            s_add(s, known[i].text);
            return;
        }
    s_kv(s, "errno ", (uint64_t)e);
}

/* Say "alignbench-record: WHAT PATH[ to TO]: ERRNO; THEN" (async-signal-safe). */
static void say_failure(const char *what, const char *path, const char *to, int err,
                        const char *then)
{
    char msg[9000];
    struct sbuf s = {msg, 0, sizeof msg};
    s_add(&s, "alignbench-record: ");
    s_add(&s, what);
    s_add(&s, " ");
    s_add(&s, path);
    if (to) {
        s_add(&s, " to ");
        s_add(&s, to);
    }
    s_add(&s, ": ");
    s_errno(&s, err);
    s_add(&s, "; ");
    s_add(&s, then);
    s_add(&s, "\n");
    say(msg);
}

/* ---- pointer -> id table ---- */

/* Key and id side by side: a lookup costs one cache miss, not two. The block's entry point,
 * flags and alignment ride along, so that a fork child can re-create its inherited blocks. */
struct slot {
    uintptr_t key;
    uint32_t id;
    uint16_t flags; /* the alloc op's flags (entry point, AB_OPF_ZERO) */
    uint8_t align_log2, unused;
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

static int table_put(uintptr_t key, struct slot val)
{
    if ((rec.used + 1) * 2 > rec.slots && table_resize(rec.slots * 2))
        return -1;
    size_t i = table_find(key);
    if (!rec.table[i].key)
        rec.used++;
    val.key = key;
    rec.table[i] = val;
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

/* ---- the trace's descriptor: the program's descriptors are not ours to write ---- */

/* 1 if rec.fd still is the temporary file this process created (same device and inode). A
 * program may close it (close_range, closefrom, a loop over its descriptors) and get the number
 * back for a file of its own, or dup2 over it: then it is the program's. Checked before every
 * write, ftruncate and close (per 1 MiB flush, not per op). Async-signal-safe. */
static int fd_is_trace(void)
{
    struct stat st;
    return !rec.lost && rec.fd >= 0 && fstat(rec.fd, &st) == 0 && st.st_dev == rec.fdev &&
           st.st_ino == rec.fino;
}

/* 1 if the temporary name still is that file, and not a link or another file put in its place
 * (before it is renamed or removed); 0 if it is not; -1 (errno set) if that cannot be seen (after
 * a setuid, say: the folder is no longer ours). */
static int name_is_trace(void)
{
    struct stat st;
    if (lstat(rec.tmp, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return S_ISREG(st.st_mode) && st.st_dev == rec.fdev && st.st_ino == rec.fino;
}

/* Append one line to AB_RECORD_MANIFEST (O_APPEND: one write, one whole line); 0 if written. */
static int append_manifest(const char *line)
{
    if (!rec.manifest[0])
        return -1;
    int fd = open(rec.manifest, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, line, strlen(line));
    close(fd);
    return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* The recorder's descriptor, moved where a program does not reach: just below FD_TOP (or the
 * hard limit of open files, if lower), above the program's soft limit when that is lower (it is
 * raised for the dup only, then restored), so that a loop up to the soft limit or
 * close_range(3, 1023) leaves it alone. Returns the new descriptor (the old one is closed), or
 * fd itself if there is no room up there. */
static int move_high(int fd)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return fd;
    rlim_t top = lim.rlim_max < FD_TOP ? lim.rlim_max : FD_TOP;
    if (top < 2 * FD_ROOM)
        return fd;
    int raised = 0;
    if (lim.rlim_cur < top) {
        struct rlimit more = {top, lim.rlim_max};
        raised = setrlimit(RLIMIT_NOFILE, &more) == 0;
    }
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)(top - FD_ROOM));
    if (raised)
        setrlimit(RLIMIT_NOFILE, &lim);
    if (hi < 0 && lim.rlim_cur >= 2 * FD_ROOM && lim.rlim_cur < top)
        hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)(lim.rlim_cur - FD_ROOM));
    if (hi < 0)
        return fd;
    close(fd);
    return hi;
}

/* The program closed or replaced the trace's descriptor: stop for good, never touch that number
 * again (it is the program's now), and say so: through the manifest to `alignbench record`
 * (a line starting with '!'), else on stderr. The partial temporary file stays. */
static void trace_lost(void)
{
    if (rec.lost)
        return;
    rec.lost = 1;
    atomic_store(&rec.state, REC_PASSIVE);
    char msg[4600];
    struct sbuf s = {msg, 0, sizeof msg};
    s_kv(&s, "!alignbench-record: pid ", (uint64_t)rec.pid);
    s_kv(&s, ": the program closed or replaced the trace's descriptor (fd ", (uint64_t)rec.fd);
    s_add(&s, "): recording stopped, nothing more is written; the partial trace is left in ");
    s_add(&s, rec.tmp);
    s_add(&s, "\n");
    rec.fd = -1;
    if (append_manifest(msg))
        say(msg + 1);
}

/* ---- ops ---- */

static void write_failed(int err)
{
    if (!rec.write_failed)
        rec.write_errno = err;
    rec.write_failed = 1;
}

static int write_at(const void *data, size_t len, off_t off)
{
    const char *p = data;
    while (len) {
        ssize_t w = pwrite(rec.fd, p, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            write_failed(w < 0 ? errno : EIO);
            return -1;
        }
        p += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

/* Write the buffer at its place; only then move the base past it (a signal in between rewrites
 * the same ops at the same place). */
static void flush_buf(void)
{
    uint64_t base = atomic_load_explicit(&rec.buf_base, memory_order_relaxed);
    if (rec.nbuf && !rec.write_failed && !rec.lost) {
        if (!fd_is_trace())
            trace_lost();
        else
            write_at(rec.buf, rec.nbuf * sizeof(ab_op), HDR + (off_t)(base * sizeof(ab_op)));
    }
    atomic_store_explicit(&rec.buf_base, base + rec.nbuf, memory_order_release);
    rec.nbuf = 0;
}

static void put(const ab_op *op)
{
    rec.buf[rec.nbuf++] = *op;
    if (rec.nbuf == BUF_OPS)
        flush_buf();
}

static void commit(void)
{
    unsigned i = atomic_load_explicit(&rec.snap_idx, memory_order_relaxed) ^ 1u;
    struct snap *s = &rec.snaps[i];
    s->ops = rec.live.op_count + rec.time_ops;
    s->peak = rec.live.peak_live_bytes;
    s->ids = rec.live.id_bound;
    s->threads = rec.live.thread_span;
    s->scopes = rec.live.scope_span;
    atomic_store_explicit(&rec.snap_idx, i, memory_order_release);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t ns = (int64_t)(t.tv_sec - rec.t0.tv_sec) * 1000000000 + (t.tv_nsec - rec.t0.tv_nsec);
    return ns < 0 ? 0 : (uint64_t)ns;
}

/* Apply op to the live table (which knows nothing of entry points) and write it, preceded by
 * its time if asked; then commit both at once. */
static void emit(const ab_op *op)
{
    char msg[160];
    ab_op bare = *op;
    bare.flags &= (uint16_t)~AB_OPF_ENTRY_MASK;
    if (ab_live_apply(&rec.live, &bare, msg, sizeof msg) != 0) {
        rec.table_failed = 1; /* cannot happen unless out of memory; the op is not written */
        return;
    }
    if (rec.timestamps) {
        uint64_t ns = now_ns();
        ab_op t = {.kind = AB_OP_TIME,
                   .thread = op->thread,
                   .id = (uint32_t)(ns >> 32),
                   .size = (uint32_t)ns};
        put(&t);
        rec.time_ops++;
    }
    put(op);
    if (rec.signal_at && rec.live.op_count == rec.signal_at)
        raise(SIGTERM);
    commit();
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
    if (!thread_plus1 || thread_epoch != rec.epoch) {
        thread_epoch = rec.epoch;
        if (rec.threads >= UINT16_MAX - 1) {
            rec.thread_overflow++;
            return UINT16_MAX - 2; /* the last number shared by the overflow */
        }
        thread_plus1 = ++rec.threads;
    }
    return (uint16_t)(thread_plus1 - 1);
}

/* Record a free of the block at p if it is known; returns 1 if it was. Lock held. */
static int record_free(void *p, unsigned entry, uint16_t thread)
{
    size_t i = table_find((uintptr_t)p);
    if (!rec.table[i].key)
        return 0;
    ab_op op = {
        .kind = AB_OP_FREE, .thread = thread, .id = rec.table[i].id, .flags = AB_OPF_ENTRY(entry)};
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
    if (record_free(p, AB_ENTRY_FREE, thread)) /* still live in the trace: its free bypassed us */
        rec.implicit_frees++;
    uint32_t id = rec.nfree ? rec.free_ids[--rec.nfree] : rec.next_id++;
    struct slot val = {.id = id, .flags = flags, .align_log2 = (uint8_t)align_log2};
    if (table_put((uintptr_t)p, val)) {
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

/* ---- the trace file ---- */

/* The name of this program image's trace: %p -> pid (PID-GEN after an exec), %% -> %. */
static int expand_name(char *dst, size_t len)
{
    struct sbuf s = {dst, 0, len};
    dst[0] = 0;
    for (const char *p = rec.pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            s_num(&s, (uint64_t)rec.pid);
            if (rec.gen) {
                s_add(&s, "-");
                s_num(&s, rec.gen);
            }
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            s_add(&s, "%");
            p++;
        } else {
            char c[2] = {*p, 0};
            s_add(&s, c);
        }
    }
    return s.len + 1 >= len ? -1 : 0;
}

/* The temporary file an exec without %p handed over (the program before it wrote it, under this
 * pid): reopened only if the name still is that very file, never through a link (nor a FIFO,
 * which would block: O_NONBLOCK). */
static int take_over(void)
{
    int fd = open(rec.tmp, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != rec.take_dev ||
        st.st_ino != rec.take_ino || ftruncate(fd, 0) != 0) {
        close(fd);
        errno = EEXIST;
        return -1;
    }
    return fd;
}

/* Open a new trace for this process (its pid and gen set): an empty file with a zero header, in
 * OUT.tmp.PID, created here (O_EXCL: never a file or a link that was there before), its
 * descriptor out of the program's way (move_high). -1 with rec.start_errno set if it cannot. */
static int start_file(void)
{
    rec.fd = -1;
    rec.lost = 0;
    rec.tmp[0] = 0;
    if (expand_name(rec.out, sizeof rec.out)) {
        rec.start_errno = ENAMETOOLONG;
        return -1;
    }
    struct sbuf s = {rec.tmp, 0, sizeof rec.tmp};
    s_add(&s, rec.out);
    s_kv(&s, ".tmp.", (uint64_t)rec.pid);
    int fd = open(rec.tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST && rec.take_ino)
        fd = take_over();
    rec.take_ino = 0;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        rec.start_errno = errno;
        return -1;
    }
    rec.fd = move_high(fd);
    rec.fdev = st.st_dev;
    rec.fino = st.st_ino;
    rec.write_failed = 0;
    ab_trace_header h = {0};
    write_at(&h, sizeof h, 0);
    clock_gettime(CLOCK_MONOTONIC, &rec.t0);
    rec.nbuf = 0;
    atomic_store(&rec.buf_base, 0);
    rec.time_ops = 0;
    memset(rec.snaps, 0, sizeof rec.snaps);
    rec.unseen_frees = rec.huge_skipped = rec.implicit_frees = rec.unseen_reallocs = 0;
    rec.thread_overflow = rec.inherited = rec.forks = 0;
    return 0;
}

/* Say why start_file failed, and what that means (`then`). */
static void say_no_start(const char *then)
{
    say_failure("cannot create the temporary trace", rec.tmp[0] ? rec.tmp : rec.pattern, NULL,
                rec.start_errno, then);
}

/* A new trace for a process that already has live blocks (a fork child, or the process after a
 * failed exec): one alloc, on thread 0, for each block it holds. Lock held. */
static int restart_trace(void)
{
    if (start_file())
        return -1;
    ab_live_table old = rec.live;
    ab_live_init(&rec.live, map_grow, map_release);
    rec.live.on_release = push_free_id;
    rec.threads = 0;
    rec.epoch++;
    uint16_t thread = current_thread();
    /* Ids are numbered anew, densely (the validator wants ids below the op count). */
    rec.nfree = 0;
    rec.next_id = 0;
    for (size_t i = 0; i < rec.slots; i++) {
        struct slot *sl = &rec.table[i];
        if (!sl->key)
            continue;
        uint32_t size = sl->id < old.cap ? old.size[sl->id] : 0;
        sl->id = rec.next_id++;
        ab_op op = {.kind = AB_OP_ALLOC,
                    .align_log2 = sl->align_log2,
                    .thread = thread,
                    .id = sl->id,
                    .size = size,
                    .flags = sl->flags};
        emit(&op);
        rec.inherited++;
    }
    ab_live_fini(&old);
    return 0;
}

static void comm_name(char *buf, size_t len)
{
    buf[0] = '?';
    buf[1] = 0;
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

/* Finish the trace as of the last committed op. Async-signal-safe: called with the lock held, or
 * from a signal handler whose thread may be in the middle of an op (the snapshot and the buffer
 * are consistent up to the committed op whatever it was doing). */
static void finish_trace(const char *end)
{
    if (rec.lost)
        return; /* said when it happened */
    if (!fd_is_trace()) {
        trace_lost();
        return;
    }
    struct snap s = rec.snaps[atomic_load_explicit(&rec.snap_idx, memory_order_acquire)];
    uint64_t base = atomic_load_explicit(&rec.buf_base, memory_order_acquire);
    if (s.ops > base)
        write_at(rec.buf, (size_t)(s.ops - base) * sizeof(ab_op),
                 HDR + (off_t)(base * sizeof(ab_op)));
    if (ftruncate(rec.fd, HDR + (off_t)(s.ops * sizeof(ab_op))) != 0)
        write_failed(errno);
    ab_trace_header h = {0};
    memcpy(h.magic, AB_TRACE_MAGIC, 8);
    h.version = AB_TRACE_VERSION;
    h.header_size = sizeof h;
    h.op_count = s.ops;
    h.peak_live_bytes = s.peak;
    h.max_live_ids = s.ids;
    h.thread_count = (uint16_t)s.threads;
    h.scope_count = (uint16_t)s.scopes;
    h.flags = AB_TRACE_F_RECORDED | (rec.timestamps ? AB_TRACE_F_TIMESTAMPS : 0);
    char prog[32];
    comm_name(prog, sizeof prog);
    struct sbuf m = {h.meta, 0, sizeof h.meta};
    s_add(&m, "generator=record program=");
    s_add(&m, prog);
    s_kv(&m, " pid=", (uint64_t)rec.pid);
    s_kv(&m, " unseen_frees=", rec.unseen_frees);
    s_kv(&m, " skipped_over_4g=", rec.huge_skipped);
    s_kv(&m, " implicit_frees=", rec.implicit_frees);
    s_kv(&m, " unseen_reallocs=", rec.unseen_reallocs);
    s_kv(&m, " thread_overflow=", rec.thread_overflow);
    s_kv(&m, " inherited=", rec.inherited);
    s_kv(&m, " forks=", rec.forks);
    s_kv(&m, " image=", rec.gen);
    s_add(&m, " end=");
    s_add(&m, end);
    memset(h.meta + m.len, 0, sizeof h.meta - m.len);
    write_at(&h, sizeof h, 0);
    if (!fd_is_trace()) { /* taken by another thread of the program while we wrote */
        trace_lost();
        return;
    }
    if (close(rec.fd) != 0)
        write_failed(errno);
    rec.fd = -1;
    int named = name_is_trace(), err = errno;
    if (named == 0) {
        char msg[4500];
        struct sbuf m = {msg, 0, sizeof msg};
        s_add(&m, "alignbench-record: the temporary trace ");
        s_add(&m, rec.tmp);
        s_add(&m, " is no longer the file the recorder wrote (removed, or replaced by another "
                  "file or a link); no trace, nothing renamed or removed\n");
        say(msg);
        return;
    }
    if (rec.table_failed)
        say("alignbench-record: out of memory for the recorder's tables; no trace\n");
    else if (rec.write_failed)
        say_failure("cannot write the trace", rec.tmp, NULL, rec.write_errno, "no trace");
    if (rec.write_failed || rec.table_failed) {
        if (named == 1)
            unlink(rec.tmp);
        return;
    }
    if (named == 1 && rename(rec.tmp, rec.out) != 0) {
        named = -1;
        err = errno;
    }
    if (named < 0) { /* after a setuid, say: the folder is no longer ours */
        say_failure("cannot rename the finished trace", rec.tmp, rec.out, err,
                    "the trace is left under its temporary name");
        return;
    }
    char line[4300];
    struct sbuf l = {line, 0, sizeof line};
    s_add(&l, rec.out);
    s_add(&l, "\n");
    append_manifest(line);
}

/* ---- life cycle ---- */

static void fork_prepare(void)
{
    pthread_mutex_lock(&rec.lock);
}

static void fork_parent(void)
{
    if (atomic_load(&rec.state) == REC_ON)
        rec.forks++;
    pthread_mutex_unlock(&rec.lock);
}

static void fork_child(void)
{
    pthread_mutex_init(&rec.lock, NULL);
    holds_lock = 0;
    if (atomic_load(&rec.state) != REC_ON)
        return;
    if (fd_is_trace())
        close(rec.fd); /* the parent's trace: the parent finishes it */
    rec.fd = -1;
    if (!rec.has_pid_pattern) {
        atomic_store(&rec.state, REC_PASSIVE); /* one trace name: the first process keeps it */
        return;
    }
    rec.pid = getpid();
    rec.gen = 0;
    in_recorder = 1;
    if (restart_trace()) {
        say_no_start("this fork child runs unrecorded");
        atomic_store(&rec.state, REC_PASSIVE);
    }
    in_recorder = 0;
}

/* path made absolute against the current directory (a program that changes directory later
 * still writes, and renames, where it was asked); -1 if it does not fit or there is no cwd. */
static int absolute(char *dst, size_t len, const char *path)
{
    size_t n = 0;
    if (path[0] != '/') {
        if (!getcwd(dst, len))
            return -1;
        n = strlen(dst);
        if (n + 1 < len && (n == 0 || dst[n - 1] != '/'))
            dst[n++] = '/';
    }
    if (n + strlen(path) >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(dst + n, path, strlen(path) + 1);
    return 0;
}

/* AB_RECORD_EXEC, "PID:GEN[:DEV:INO]", set by the exec that started this program: its image
 * number, and without %p the temporary file it hands over. */
static void parse_exec_var(void)
{
    const char *ex = getenv("AB_RECORD_EXEC");
    char *end;
    if (!ex || strtol(ex, &end, 10) != (long)rec.pid || *end != ':')
        return;
    rec.gen = (unsigned)strtoul(end + 1, &end, 10);
    if (*end != ':')
        return;
    unsigned long long dev = strtoull(end + 1, &end, 10);
    if (*end != ':')
        return;
    rec.take_dev = (dev_t)dev;
    rec.take_ino = (ino_t)strtoull(end + 1, NULL, 10);
}

static void init_locked(void)
{
    if (atomic_load(&rec.state) != REC_UNINIT)
        return;
    atomic_store(&rec.state, REC_PASSIVE); /* unless everything below works */
    const char *out = getenv("AB_RECORD_OUT");
    if (!out || !*out)
        return;
    if (absolute(rec.pattern, sizeof rec.pattern, out)) {
        say_failure("cannot make an absolute path of AB_RECORD_OUT", out, NULL, errno,
                    "the program runs unrecorded");
        return;
    }
    rec.pid = getpid();
    rec.has_pid_pattern = strstr(out, "%p") != NULL;
    parse_exec_var();
    const char *pid = getenv("AB_RECORD_PID");
    if (!rec.has_pid_pattern && pid && strtol(pid, NULL, 10) != (long)rec.pid)
        return; /* one trace name: only the first process records */
    const char *ts = getenv("AB_RECORD_TIMESTAMPS");
    rec.timestamps = ts && *ts && strcmp(ts, "0") != 0;
    const char *man = getenv("AB_RECORD_MANIFEST");
    if (man && *man && absolute(rec.manifest, sizeof rec.manifest, man))
        rec.manifest[0] = 0;
    const char *at = getenv("AB_RECORD_TEST_SIGNAL_AT");
    rec.signal_at = at ? strtoull(at, NULL, 10) : 0;
    Dl_info info;
    if (dladdr((void *)init_locked, &info) && info.dli_fname &&
        strlen(info.dli_fname) < sizeof rec.lib)
        memcpy(rec.lib, info.dli_fname, strlen(info.dli_fname) + 1);
    rec.buf = map_grow(NULL, 0, BUF_OPS * sizeof(ab_op));
    ab_live_init(&rec.live, map_grow, map_release);
    rec.live.on_release = push_free_id;
    if (!rec.buf || table_resize(1u << 16)) {
        say("alignbench-record: out of memory for the recorder's tables; the program runs "
            "unrecorded\n");
        return;
    }
    if (start_file()) {
        say_no_start("the program runs unrecorded");
        return;
    }
    if (!rec.atfork_done) {
        pthread_atfork(fork_prepare, fork_parent, fork_child);
        rec.atfork_done = 1;
    }
    atomic_store(&rec.state, REC_ON);
}

/* Lock and return 1 if this call is to be recorded; the caller unlocks with leave(). */
static int enter(void)
{
    if (in_recorder || atomic_load_explicit(&rec.state, memory_order_acquire) == REC_PASSIVE)
        return 0;
    in_recorder = 1;
    pthread_mutex_lock(&rec.lock);
    holds_lock = 1;
    init_locked();
    if (atomic_load(&rec.state) != REC_ON) {
        holds_lock = 0;
        pthread_mutex_unlock(&rec.lock);
        in_recorder = 0;
        return 0;
    }
    return 1;
}

static void leave(void)
{
    holds_lock = 0;
    pthread_mutex_unlock(&rec.lock);
    in_recorder = 0;
}

/* Finish the trace from _exit or a signal handler: no lock wait that could deadlock. New ops are
 * refused at once (state); a thread in the middle of one gets up to a second to finish it, and
 * if this thread is the one (or the other does not let go), the committed prefix is written. */
static void finish_now(const char *end)
{
    if (getpid() != rec.pid) /* a vfork child shares our memory: not its trace */
        return;
    int expected = REC_ON;
    if (!atomic_compare_exchange_strong(&rec.state, &expected, REC_PASSIVE))
        return;
    if (!holds_lock) {
        struct timespec ms = {0, 1000000};
        for (int i = 0; i < 1000 && pthread_mutex_trylock(&rec.lock) != 0; i++)
            nanosleep(&ms, NULL); /* the process is ending: the lock is not given back */
    }
    finish_trace(end);
}

/* ---- signals ---- */

static const int caught[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV};
static _Atomic int ours[NSIG_MAX];             /* our handler is installed for this signal */
static struct sigaction program_act[NSIG_MAX]; /* what the program believes is installed */

static int is_caught(int sig)
{
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        if (caught[i] == sig)
            return 1;
    return 0;
}

/* Block the caught signals while a trace is finished outside a handler (the destructor, an
 * exec): a signal then would find the trace half-finished and no longer recording. */
static void block_caught(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        sigaddset(&set, caught[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void on_signal(int sig)
{
    int saved = errno;
    static const char *const names[NSIG_MAX] = {
        [SIGTERM] = "SIGTERM", [SIGINT] = "SIGINT",   [SIGHUP] = "SIGHUP",
        [SIGQUIT] = "SIGQUIT", [SIGABRT] = "SIGABRT", [SIGSEGV] = "SIGSEGV"};
    finish_now(names[sig]);
    /* Give the signal its default action and let it go again: it is blocked while we run, so it
     * is delivered when we return (a SIGSEGV also recurs at the faulting instruction). */
    atomic_store(&ours[sig], 0);
    __sigaction(sig, &program_act[sig], NULL);
    raise(sig);
    errno = saved;
}

static int is_default(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == SIG_DFL;
}

/* Our handler in place of SIG_DFL; `program` is what the program set (or found). */
static void install_one(int sig, const struct sigaction *program)
{
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t j = 0; j < sizeof caught / sizeof caught[0]; j++)
        sigaddset(&sa.sa_mask, caught[j]);
    program_act[sig] = *program;
    if (__sigaction(sig, &sa, NULL) == 0)
        atomic_store(&ours[sig], 1);
}

static void install_handlers(void)
{
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
        struct sigaction cur;
        if (__sigaction(caught[i], NULL, &cur) == 0 && is_default(&cur))
            install_one(caught[i], &cur); /* not if ignored (nohup) or already handled */
    }
}

/* While our handler stands in for SIG_DFL the program sees SIG_DFL; setting SIG_DFL (now or
 * later, e.g. after having ignored the signal) puts ours in place, anything else (a handler,
 * SIG_IGN) replaces it. */
EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= NSIG_MAX || !is_caught(sig) ||
        (!atomic_load(&ours[sig]) && atomic_load(&rec.state) != REC_ON))
        return __sigaction(sig, act, old);
    if (atomic_load(&ours[sig])) {
        if (old)
            *old = program_act[sig];
    } else if (old && __sigaction(sig, NULL, old) != 0) {
        return -1;
    }
    if (!act)
        return 0;
    if (is_default(act)) {
        if (atomic_load(&ours[sig]))
            program_act[sig] = *act;
        else
            install_one(sig, act);
        return 0;
    }
    atomic_store(&ours[sig], 0);
    return __sigaction(sig, act, NULL);
}

EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction sa = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
    sigemptyset(&sa.sa_mask);
    if (sig <= 0 || sig >= NSIG_MAX || sigaddset(&sa.sa_mask, sig) < 0) {
        errno = EINVAL;
        return SIG_ERR;
    }
    return sigaction(sig, &sa, &old) < 0 ? SIG_ERR : old.sa_handler;
}

/* ---- start and end ---- */

__attribute__((constructor)) static void recorder_start(void)
{
    if (enter())
        leave();
    if (atomic_load(&rec.state) == REC_ON)
        install_handlers();
}

__attribute__((destructor)) static void recorder_finish(void)
{
    if (!enter())
        return;
    if (getpid() != rec.pid) { /* a child that skipped the atfork handler (vfork, clone) */
        leave();
        return;
    }
    sigset_t mask;
    block_caught(&mask);
    atomic_store(&rec.state, REC_PASSIVE); /* allocations after this point are not recorded */
    flush_buf();
    commit();
    finish_trace("exit");
    leave();
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
}

EXPORT void _exit(int status)
{
    finish_now("_exit");
    for (;;)
        syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
    finish_now("_exit");
    for (;;)
        syscall(SYS_exit_group, status);
}

/* ---- exec: finish the trace, hand the recording on ---- */

static const char *const rec_vars[] = {
    "LD_PRELOAD=",     "AB_RECORD_OUT=",      "AB_RECORD_PID=",
    "AB_RECORD_EXEC=", "AB_RECORD_MANIFEST=", "AB_RECORD_TIMESTAMPS="};

static int is_rec_var(const char *e)
{
    for (size_t i = 0; i < sizeof rec_vars / sizeof rec_vars[0]; i++)
        if (!strncmp(e, rec_vars[i], strlen(rec_vars[i])))
            return 1;
    return 0;
}

static struct sbuf env_var(char *p, char *end, const char *start)
{
    struct sbuf s = {p, 0, (size_t)(end - p)};
    s_add(&s, start);
    return s;
}

/* envp without the recorder's variables, then ours (mmap'd; *bytes to munmap). LD_PRELOAD keeps
 * what envp had, with this library in front unless it is already there. */
static char **exec_env(char *const envp[], size_t *bytes)
{
    size_t n = 0, chars = 0;
    const char *preload = "";
    for (; envp && envp[n]; n++) {
        chars += strlen(envp[n]) + 1;
        if (!strncmp(envp[n], "LD_PRELOAD=", 11))
            preload = envp[n] + 11;
    }
    chars += strlen(rec.lib) + strlen(preload) + strlen(rec.pattern) + strlen(rec.manifest) + 512;
    *bytes = (n + 8) * sizeof(char *) + chars;
    char **env = map_grow(NULL, 0, *bytes);
    if (!env)
        return NULL;
    char *p = (char *)(env + n + 8), *endp = (char *)env + *bytes;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_rec_var(envp[i])) {
            env[k++] = p;
            p = stpcpy(p, envp[i]) + 1;
        }
    struct sbuf s;
    const char *has = strstr(preload, rec.lib);
    s = env_var(p, endp, "LD_PRELOAD=");
    if (!rec.lib[0] || !has) {
        s_add(&s, rec.lib);
        if (*preload)
            s_add(&s, ":");
    }
    s_add(&s, preload);
    env[k++] = p;
    p += s.len + 1;
    s = env_var(p, endp, "AB_RECORD_OUT=");
    s_add(&s, rec.pattern);
    env[k++] = p;
    p += s.len + 1;
    s = env_var(p, endp, "AB_RECORD_PID=");
    s_num(&s, (uint64_t)rec.pid);
    env[k++] = p;
    p += s.len + 1;
    s = env_var(p, endp, "AB_RECORD_EXEC=");
    s_num(&s, (uint64_t)rec.pid);
    s_kv(&s, ":", rec.gen + 1);
    if (!rec.has_pid_pattern && fd_is_trace()) { /* the next program takes the file over */
        s_kv(&s, ":", (uint64_t)rec.fdev);
        s_kv(&s, ":", (uint64_t)rec.fino);
    }
    env[k++] = p;
    p += s.len + 1;
    if (rec.manifest[0]) {
        s = env_var(p, endp, "AB_RECORD_MANIFEST=");
        s_add(&s, rec.manifest);
        env[k++] = p;
        p += s.len + 1;
    }
    if (rec.timestamps) {
        s = env_var(p, endp, "AB_RECORD_TIMESTAMPS=1");
        env[k++] = p;
    }
    env[k] = NULL;
    return env;
}

enum exec_how { EXEC_PATH, EXEC_SEARCH };

static int do_exec(enum exec_how how, const char *file, char *const argv[], char *const envp[])
{
    if (how == EXEC_PATH)
        return (int)syscall(SYS_execve, file, argv, envp);
    static int (*real_execvpe)(const char *, char *const[], char *const[]);
    if (!real_execvpe) {
        in_recorder = 1;
        real_execvpe =
            (int (*)(const char *, char *const[], char *const[]))dlsym(RTLD_NEXT, "execvpe");
        in_recorder = 0;
        if (!real_execvpe) {
            errno = ENOSYS;
            return -1;
        }
    }
    return real_execvpe(file, argv, envp);
}

static int exec_common(enum exec_how how, const char *file, char *const argv[], char *const envp[])
{
    /* Not recording, or a vfork child (our memory is its parent's): exec as asked. */
    if (getpid() != rec.pid || !enter())
        return do_exec(how, file, argv, envp);
    /* A shell searching PATH itself (dash's `exec prog`) calls execve on every directory in
     * turn: a path that cannot be executed fails without ending anything, so the trace simply
     * goes on instead of being split into one file per attempt. */
    if (how == EXEC_PATH && file && access(file, X_OK) != 0) {
        leave();
        return do_exec(how, file, argv, envp);
    }
    sigset_t mask;
    block_caught(&mask);
    if (rec.has_pid_pattern) {
        flush_buf();
        commit();
        finish_trace("exec");
    } /* else the new program (same pid, same temporary file) starts the trace again */
    atomic_store(&rec.state, REC_PASSIVE);
    size_t bytes = 0;
    char **env = exec_env(envp, &bytes);
    leave();
    pthread_sigmask(SIG_SETMASK, &mask, NULL); /* the new program inherits the program's mask */
    int rc = do_exec(how, file, argv, env ? env : envp);
    int err = errno;
    if (env)
        map_release(env, bytes);
    /* The exec failed: go on recording, into the next image's name with %p (starting with the
     * live blocks), else the same trace. */
    in_recorder = 1;
    pthread_mutex_lock(&rec.lock);
    holds_lock = 1;
    if (!rec.has_pid_pattern) {
        atomic_store(&rec.state, REC_ON);
    } else {
        rec.gen++;
        if (restart_trace() == 0)
            atomic_store(&rec.state, REC_ON);
        else
            say_no_start("after the failed exec the program runs unrecorded");
    }
    leave();
    errno = err;
    return rc;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return exec_common(EXEC_PATH, path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
    return exec_common(EXEC_PATH, path, argv, environ);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return exec_common(EXEC_SEARCH, file, argv, envp);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    return exec_common(EXEC_SEARCH, file, argv, environ);
}

/* execl, execlp, execle: the arguments into an array on the stack. */
#define COLLECT_ARGS(arg0, ap, argv, after)                                                        \
    size_t argc_ = 1;                                                                              \
    va_start(ap, arg0);                                                                            \
    while (va_arg(ap, char *))                                                                     \
        argc_++;                                                                                   \
    va_end(ap);                                                                                    \
    char *argv[argc_ + 1];                                                                         \
    argv[0] = (char *)arg0;                                                                        \
    va_start(ap, arg0);                                                                            \
    for (size_t i_ = 1; i_ <= argc_; i_++)                                                         \
        argv[i_] = va_arg(ap, char *);                                                             \
    after;                                                                                         \
    va_end(ap)

EXPORT int execl(const char *path, const char *arg0, ...)
{
    va_list ap;
    COLLECT_ARGS(arg0, ap, argv, (void)0);
    return exec_common(EXEC_PATH, path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg0, ...)
{
    va_list ap;
    COLLECT_ARGS(arg0, ap, argv, (void)0);
    return exec_common(EXEC_SEARCH, file, argv, environ);
}

EXPORT int execle(const char *path, const char *arg0, ...)
{
    va_list ap;
    char *const *envp;
    COLLECT_ARGS(arg0, ap, argv, envp = va_arg(ap, char *const *));
    return exec_common(EXEC_PATH, path, argv, envp);
}

/* ---- the interposed allocation functions ---- */

static void *record_new(void *p, size_t size, unsigned align_log2, uint16_t flags)
{
    if (p && enter()) {
        record_alloc(p, size, align_log2, flags, current_thread());
        leave();
    }
    return p;
}

static void record_release(void *p, unsigned entry)
{
    if (p && enter()) {
        if (!record_free(p, entry, current_thread()))
            rec.unseen_frees++;
        leave();
    }
    __libc_free(p);
}

EXPORT void *malloc(size_t n)
{
    return record_new(__libc_malloc(n), n, MALLOC_ALIGN_LOG2, AB_OPF_ENTRY(AB_ENTRY_MALLOC));
}

EXPORT void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    return record_new(p, p ? n * m : 0, MALLOC_ALIGN_LOG2,
                      AB_OPF_ZERO | AB_OPF_ENTRY(AB_ENTRY_CALLOC));
}

EXPORT void free(void *p)
{
    record_release(p, AB_ENTRY_FREE);
}

EXPORT void free_sized(void *p, size_t n)
{
    (void)n;
    record_release(p, AB_ENTRY_FREE_SIZED);
}

EXPORT void free_aligned_sized(void *p, size_t align, size_t n)
{
    (void)align;
    (void)n;
    record_release(p, AB_ENTRY_FREE_ALIGNED_SIZED);
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
            record_alloc(q, n, MALLOC_ALIGN_LOG2, AB_OPF_ENTRY(AB_ENTRY_MALLOC), thread);
        } else if (n > UINT32_MAX) {
            record_free(p, AB_ENTRY_FREE, thread); /* the block leaves the trace */
            rec.huge_skipped++;
        } else {
            struct slot val = rec.table[i];
            ab_op op = {.kind = AB_OP_REALLOC,
                        .thread = thread,
                        .id = val.id,
                        .size = (uint32_t)n,
                        .flags = AB_OPF_ENTRY(AB_ENTRY_REALLOC)};
            if (q != p) {
                table_erase(i);
                if (record_free(q, AB_ENTRY_FREE, thread)) /* q live: its free bypassed us */
                    rec.implicit_frees++;
                if (table_put((uintptr_t)q, val))
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

static void *aligned(size_t align, size_t n, unsigned entry)
{
    return record_new(__libc_memalign(align, n), n, (unsigned)__builtin_ctzl(align),
                      AB_OPF_ENTRY(entry));
}

/* glibc rounds an alignment that is not a power of two up to one; so do we. 0 if too large. */
static size_t round_align(size_t align)
{
    if (align > (1ul << 63))
        return 0;
    if (align == 0 || (align & (align - 1)))
        align = align <= 1 ? 1 : 1ul << (64 - __builtin_clzl(align));
    return align;
}

EXPORT void *memalign(size_t align, size_t n)
{
    if (!(align = round_align(align))) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(align, n, AB_ENTRY_MEMALIGN);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (!(align = round_align(align))) { /* glibc 2.36 accepts any alignment, rounding it up */
        errno = EINVAL;
        return NULL;
    }
    return aligned(align, n, AB_ENTRY_ALIGNED_ALLOC);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    int saved = errno;
    void *p = aligned(align, n, AB_ENTRY_POSIX_MEMALIGN);
    if (!p) {
        errno = saved;
        return ENOMEM;
    }
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t n)
{
    return record_new(__libc_valloc(n), n, 12, AB_OPF_ENTRY(AB_ENTRY_VALLOC));
}

EXPORT void *pvalloc(size_t n)
{
    size_t rounded = page_round(n ? n : 1);
    return record_new(__libc_pvalloc(n), rounded, 12, AB_OPF_ENTRY(AB_ENTRY_VALLOC));
}

/* ---- C++ operator new and delete (the Itanium ABI's names) ---- */

/* When glibc has no memory, the original operator decides (new_handler, std::bad_alloc, or NULL
 * for nothrow); what it returns went through our malloc and is recorded there. */
static void *original(const char *name)
{
    in_recorder = 1;
    void *f = dlsym(RTLD_NEXT, name);
    in_recorder = 0;
    return f;
}

#define NEW_PLAIN(sym, ...)                                                                        \
    EXPORT void *sym(size_t n __VA_ARGS__)                                                         \
    {                                                                                              \
        void *p = __libc_malloc(n ? n : 1);                                                        \
        if (p)                                                                                     \
            return record_new(p, n, MALLOC_ALIGN_LOG2, AB_OPF_ENTRY(AB_ENTRY_NEW));                \
        void *(*f)(size_t, const void *) = (void *(*)(size_t, const void *))original(#sym);        \
        return f ? f(n, NULL) : NULL;                                                              \
    }
NEW_PLAIN(_Znwm)
NEW_PLAIN(_Znam)
NEW_PLAIN(_ZnwmRKSt9nothrow_t, , const void *nt UNUSED)
NEW_PLAIN(_ZnamRKSt9nothrow_t, , const void *nt UNUSED)

#define NEW_ALIGNED(sym, ...)                                                                      \
    EXPORT void *sym(size_t n, size_t align __VA_ARGS__)                                           \
    {                                                                                              \
        void *p = align && !(align & (align - 1)) ? __libc_memalign(align, n ? n : 1) : NULL;      \
        if (p)                                                                                     \
            return record_new(p, n, (unsigned)__builtin_ctzl(align),                               \
                              AB_OPF_ENTRY(AB_ENTRY_NEW_ALIGNED));                                 \
        void *(*f)(size_t, size_t, const void *) =                                                 \
            (void *(*)(size_t, size_t, const void *))original(#sym);                               \
        return f ? f(n, align, NULL) : NULL;                                                       \
    }
NEW_ALIGNED(_ZnwmSt11align_val_t)
NEW_ALIGNED(_ZnamSt11align_val_t)
NEW_ALIGNED(_ZnwmSt11align_val_tRKSt9nothrow_t, , const void *nt UNUSED)
NEW_ALIGNED(_ZnamSt11align_val_tRKSt9nothrow_t, , const void *nt UNUSED)

#define DELETE(sym, entry, ...)                                                                    \
    EXPORT void sym(void *p __VA_ARGS__)                                                           \
    {                                                                                              \
        record_release(p, entry);                                                                  \
    }
DELETE(_ZdlPv, AB_ENTRY_DELETE)
DELETE(_ZdaPv, AB_ENTRY_DELETE)
DELETE(_ZdlPvRKSt9nothrow_t, AB_ENTRY_DELETE, , const void *nt UNUSED)
DELETE(_ZdaPvRKSt9nothrow_t, AB_ENTRY_DELETE, , const void *nt UNUSED)
DELETE(_ZdlPvSt11align_val_t, AB_ENTRY_DELETE, , size_t al UNUSED)
DELETE(_ZdaPvSt11align_val_t, AB_ENTRY_DELETE, , size_t al UNUSED)
DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, AB_ENTRY_DELETE, , size_t al UNUSED,
       const void *nt UNUSED)
DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, AB_ENTRY_DELETE, , size_t al UNUSED,
       const void *nt UNUSED)
DELETE(_ZdlPvm, AB_ENTRY_FREE_SIZED, , size_t n UNUSED)
DELETE(_ZdaPvm, AB_ENTRY_FREE_SIZED, , size_t n UNUSED)
DELETE(_ZdlPvmSt11align_val_t, AB_ENTRY_FREE_ALIGNED_SIZED, , size_t n UNUSED, size_t al UNUSED)
DELETE(_ZdaPvmSt11align_val_t, AB_ENTRY_FREE_ALIGNED_SIZED, , size_t n UNUSED, size_t al UNUSED)
