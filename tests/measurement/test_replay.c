/* test_replay.c: the replay engine in-process, against fake allocators whose answers are known:
 * the harness's L equals the trace's own peak, Σfootprint/L is exactly what the allocator
 * reported, scopes are released whichever side does it, lowered alignments reach the allocator
 * lowered, per-op histograms count every op, and a misaligned or NULL pointer stops the pass
 * naming the right op. Runs in the sanitizer build too (no preload involved). */
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "workloads/trace_writer.h"
#include "tests/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the fake allocator: libc memory, counted; footprint = 2 x size by definition ---- */

#define FAKE_MAX 200000
static struct {
    void *p;
    uint32_t scope;
    size_t size;
} fake_blocks[FAKE_MAX]; /* live blocks */
static size_t fake_n;
static void *fake_grave[FAKE_MAX]; /* freed while fake_no_free: really freed at release */
static size_t fake_ngrave;
static long fake_live, fake_alloc_calls;
static size_t fake_max_align;
static long fake_misalign_at = -1; /* 1-based alloc call to misalign */
static long fake_null_at = -1;
static long fake_dup_at = -1;   /* from this alloc call on, hand out a live block again, once */
static int fake_no_free;        /* free does nothing (blocks go at fake_release_all) */
static int fake_realloc_nocopy; /* realloc forgets the content */

/* Free whatever a failed pass left behind (a failed pass stops where it is). */
static void fake_release_all(void)
{
    while (fake_n)
        free(fake_blocks[--fake_n].p);
    while (fake_ngrave)
        free(fake_grave[--fake_ngrave]);
}

static void fake_reset_state(void)
{
    fake_release_all();
    fake_n = 0;
    fake_live = fake_alloc_calls = 0;
    fake_max_align = 0;
    fake_misalign_at = fake_null_at = fake_dup_at = -1;
    fake_no_free = fake_realloc_nocopy = 0;
}

/* counted: 1 for the trace's allocs (misalign/NULL injection applies), 0 inside realloc */
static void *fake_get(size_t size, size_t align, uint32_t scope, int counted)
{
    fake_alloc_calls += counted;
    if (align > fake_max_align)
        fake_max_align = align;
    if (counted && fake_alloc_calls == fake_null_at)
        return NULL;
    if (counted && fake_dup_at > 0 && fake_alloc_calls >= fake_dup_at) /* overlap a live block */
        for (size_t i = fake_n; i-- > 0;)
            if (((uintptr_t)fake_blocks[i].p & (align - 1)) == 0 && fake_blocks[i].size >= 16 &&
                fake_blocks[i].size >= size) {
                fake_dup_at = -1; /* once */
                return fake_blocks[i].p;
            }
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
        return NULL;
    fake_live++;
    if (fake_n < FAKE_MAX)
        fake_blocks[fake_n++] = (typeof(fake_blocks[0])){p, scope, size};
    if (counted && fake_alloc_calls == fake_misalign_at)
        return (char *)p + 1; /* aligned to nothing */
    return p;
}

static void *fake_alloc(size_t size, size_t align, uint32_t scope)
{
    return fake_get(size, align, scope, 1);
}

/* 1 if p was a live block (now forgotten) */
static int forget(void *p)
{
    for (size_t i = fake_n; i-- > 0;)
        if (fake_blocks[i].p == p) {
            fake_blocks[i] = fake_blocks[--fake_n];
            return 1;
        }
    return 0;
}

static void fake_free(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    if (!p || !forget(p)) /* a second free of a handed-out-twice block frees nothing */
        return;
    fake_live--;
    if (fake_no_free && fake_ngrave < FAKE_MAX)
        fake_grave[fake_ngrave++] = p;
    else
        free(p);
}

static void *fake_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    uint32_t scope = 0;
    for (size_t i = 0; i < fake_n; i++)
        if (fake_blocks[i].p == p)
            scope = fake_blocks[i].scope;
    void *q = fake_get(new_size, align, scope, 0);
    if (!q)
        return NULL;
    if (!fake_realloc_nocopy)
        memcpy(q, p, old_size < new_size ? old_size : new_size);
    fake_free(p, old_size, align);
    return q;
}

static void fake_reset(uint32_t scope)
{
    for (size_t i = fake_n; i-- > 0;)
        if (fake_blocks[i].scope == scope) {
            free(fake_blocks[i].p);
            fake_blocks[i] = fake_blocks[--fake_n];
            fake_live--;
        }
}

static size_t fake_footprint(const void *p, size_t size, size_t align)
{
    (void)p;
    (void)align;
    return 2 * size;
}

static int fake_stats(ab_alloc_stats *out)
{
    out->have = 0;
    return -1;
}

static void fake_purge(void) {}

#define FAKE(caps_)                                                                                \
    {                                                                                              \
        .name = "fake", .description = "test", .caps = (caps_), .alloc = fake_alloc,               \
        .free = fake_free, .realloc = fake_realloc, .reset = fake_reset,                           \
        .footprint = fake_footprint, .stats = fake_stats, .purge = fake_purge,                     \
    }
static const ab_allocator fake_plain = FAKE(AB_CAP_FREE | AB_CAP_REALLOC);
static const ab_allocator fake_resetting = FAKE(AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_RESET);

/* ---- the trace: allocs of three alignments in four scopes, frees, reallocs, resets ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int make_trace(const char *path)
{
    char err[256];
    ab_trace_writer *w = ab_tw_create(path, "generator=test_replay", err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    static const unsigned aligns[] = {3, 4, 6, 12};
    uint32_t live[4][256];
    unsigned nlive[4] = {0};
    for (int i = 0; i < 6000; i++) {
        unsigned s = rnd(4);
        unsigned r = rnd(100);
        if (r < 55 && nlive[s] < 256) {
            uint32_t id = ab_tw_alloc(w, 1 + rnd(3000), aligns[rnd(4)], (uint16_t)s, 0,
                                      rnd(10) == 0 ? AB_OPF_ZERO : 0);
            live[s][nlive[s]++] = id;
        } else if (r < 85 && nlive[s]) {
            unsigned k = rnd(nlive[s]);
            ab_tw_free(w, live[s][k], 0);
            live[s][k] = live[s][--nlive[s]];
        } else if (r < 97 && nlive[s]) {
            ab_tw_realloc(w, live[s][rnd(nlive[s])], 1 + rnd(5000), 0);
        } else {
            ab_tw_reset(w, (uint16_t)s, 0);
            nlive[s] = 0;
        }
        if (i % 500 == 0)
            ab_tw_mark(w, AB_MARK_PHASE, (uint16_t)(i / 500), 0);
    }
    if (ab_tw_close(w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

/* index of the k-th (1-based) alloc op of the trace */
static uint64_t kth_alloc(const ab_trace *t, long k)
{
    for (uint64_t i = 0; i < t->hdr.op_count; i++)
        if (t->ops[i].kind == AB_OP_ALLOC && --k == 0)
            return i;
    return UINT64_MAX;
}

static void check_memory_pass(const ab_trace *t, const ab_allocator *a, const char *what)
{
    char err[256];
    ab_replay_opts o = {.touch = AB_TOUCH_ALL, .checkpoints = 50};
    fake_reset_state();
    ab_replay *r = ab_replay_create(t, a, &o, err, sizeof err);
    CHECK(r, "%s: create: %s", what, err);
    if (!r)
        return;
    ab_memory_result m;
    ab_replay_failure f;
    CHECK(ab_replay_memory_pass(r, a, &m, &f) == 0, "%s: memory pass: %s", what, f.msg);
    CHECK(m.max_live == t->hdr.peak_live_bytes, "%s: harness peak L %llu, trace header %llu", what,
          (unsigned long long)m.max_live, (unsigned long long)t->hdr.peak_live_bytes);
    CHECK(m.footprint_at_max_live == 2 * m.max_live, "%s: Σfootprint %llu at peak L %llu", what,
          (unsigned long long)m.footprint_at_max_live, (unsigned long long)m.max_live);
    CHECK(m.internal == 1.0, "%s: internal %.17g", what, m.internal);
    CHECK(fake_live == 0, "%s: %ld blocks still live after the pass", what, fake_live);
    CHECK(m.series_len >= 50 && m.series_len <= 52, "%s: %zu checkpoints", what, m.series_len);
    CHECK(m.series[m.series_len - 1].op == t->hdr.op_count, "%s: last checkpoint at op %llu", what,
          (unsigned long long)m.series[m.series_len - 1].op);
    uint64_t allocs = 0;
    for (unsigned c = 0; c < AB_ALIGN_CLASSES; c++) {
        allocs += m.align[c].count;
        CHECK(m.align[c].footprint_bytes == 2 * m.align[c].requested_bytes,
              "%s: align class %u footprint", what, c);
    }
    CHECK(allocs == ab_replay_scan(r)->count[AB_OP_ALLOC], "%s: align classes count %llu allocs",
          what, (unsigned long long)allocs);

    /* latency passes after it: the same table, emptied */
    CHECK(ab_replay_batch_pass(r, a, 2, &(ab_pass_result){0}, &f) == 0, "%s: batch: %s", what,
          f.msg);
    CHECK(fake_live == 0, "%s: %ld blocks live after batch", what, fake_live);
    ab_latency_set set, raw, fset;
    ab_pass_result pr;
    const ab_trace_scan *sc = ab_replay_scan(r);
    CHECK(ab_replay_perop_pass(r, a, 0, NULL, &set, &pr, &f) != 0 && f.op == UINT64_MAX,
          "%s: a net per-op pass without a floor was accepted", what);

    /* the floor first: the null allocator through the same harness path, op by op */
    CHECK(ab_null_prepare(sc->max_size, (size_t)1 << sc->max_align_log2) == 0, "null prepare");
    CHECK(ab_replay_batch_pass(r, &ab_null_allocator, 3, &pr, &f) == 0, "%s: null batch: %s", what,
          f.msg);
    CHECK(ab_replay_latency_set_init(r, &fset, 0) == 0, "%s: floor set", what);
    CHECK(ab_replay_perop_floor_pass(r, &ab_null_allocator, 2, 0, &fset, &pr, &f) == 0,
          "%s: null per-op: %s", what, f.msg);
    CHECK(fset.kind[AB_OP_FREE]->count == sc->count[AB_OP_FREE] &&
              fset.n[AB_OP_FREE] == sc->count[AB_OP_FREE],
          "%s: floor free count (one floor pass's samples)", what);
    ab_replay_latency_set_free(&fset);

    CHECK(ab_replay_latency_set_init(r, &set, 1) == 0 &&
              ab_replay_latency_set_init(r, &raw, 0) == 0,
          "%s: latency sets", what);
    CHECK(ab_replay_perop_pass(r, a, 0, &raw, &set, &pr, &f) == 0, "%s: per-op: %s", what, f.msg);
    for (unsigned k = AB_OP_ALLOC; k <= AB_OP_RESET; k++)
        CHECK(set.kind[k] && set.kind[k]->count == sc->count[k] && set.n[k] == sc->count[k] &&
                  raw.kind[k]->count == sc->count[k],
              "%s: %s histogram count", what, ab_op_kind_name(k));
    CHECK(pr.ops == sc->timed_ops && sc->timed_ops == t->hdr.op_count - sc->count[AB_OP_MARK],
          "%s: timed ops %llu", what, (unsigned long long)pr.ops);
    uint64_t by_size = 0;
    for (unsigned c = 0; c < AB_SIZE_CLASSES; c++)
        by_size += set.size[AB_OP_ALLOC][c] ? set.size[AB_OP_ALLOC][c]->count : 0;
    CHECK(by_size == sc->count[AB_OP_ALLOC], "%s: size classes hold %llu allocs", what,
          (unsigned long long)by_size);
    ab_replay_latency_set_free(&set);
    ab_replay_latency_set_free(&raw);
    ab_null_release();
    ab_replay_destroy(r);
}

static void check_failure(const ab_trace *t, long misalign_at, long null_at, const char *what)
{
    char err[256];
    ab_replay_opts o = {.touch = AB_TOUCH_FIRST};
    fake_reset_state();
    fake_misalign_at = misalign_at;
    fake_null_at = null_at;
    long k = misalign_at > 0 ? misalign_at : null_at;
    ab_replay *r = ab_replay_create(t, &fake_plain, &o, err, sizeof err);
    CHECK(r, "create: %s", err);
    if (!r)
        return;
    ab_memory_result m;
    ab_replay_failure f = {0};
    CHECK(ab_replay_memory_pass(r, &fake_plain, &m, &f) != 0, "%s: pass did not fail", what);
    uint64_t want = kth_alloc(t, k);
    CHECK(f.op == want, "%s: failure at op %llu, expected %llu", what, (unsigned long long)f.op,
          (unsigned long long)want);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "op %llu: ", (unsigned long long)want);
    CHECK(!strncmp(f.msg, prefix, strlen(prefix)), "%s: message '%s'", what, f.msg);
    /* the timed passes check every pointer too, and name the same trace op (their decoded
     * window holds no marks and holds the reset lists: the index is mapped back) */
    for (int perop = 0; perop < 2; perop++) {
        fake_reset_state();
        fake_misalign_at = misalign_at;
        fake_null_at = null_at;
        ab_pass_result pr;
        ab_replay_failure tf = {0};
        int rc = perop ? ab_replay_perop_pass(r, &fake_plain, 0, NULL, NULL, &pr, &tf)
                       : ab_replay_batch_pass(r, &fake_plain, 1, &pr, &tf);
        CHECK(rc != 0 && tf.op == want && !strncmp(tf.msg, prefix, strlen(prefix)),
              "%s, %s pass: failure at op %llu (%s), expected %llu", what,
              perop ? "per-op" : "batch", (unsigned long long)tf.op, tf.msg,
              (unsigned long long)want);
    }
    ab_replay_destroy(r);
}

int main(void)
{
    char path[] = "/tmp/ab_test_replay_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    CHECK(make_trace(path) == 0, "make trace");
    ab_trace t;
    char err[256];
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    CHECK(ab_trace_open(path, &t, err, sizeof err) == 0, "open: %s", err);
    CHECK(ab_trace_validate(&t, &lim, err, sizeof err) == 0, "validate: %s", err);
    CHECK(t.hdr.peak_live_bytes > 0, "empty trace");

    check_memory_pass(&t, &fake_plain, "harness releases scopes");
    check_memory_pass(&t, &fake_resetting, "allocator releases scopes");

    /* --lower-align 16: the allocator never sees more than 16; classes stay the trace's */
    ab_replay_opts lo = {.touch = AB_TOUCH_NONE, .lower_align = 16};
    fake_reset_state();
    ab_replay *r = ab_replay_create(&t, &fake_plain, &lo, err, sizeof err);
    ab_memory_result m;
    ab_replay_failure f;
    CHECK(r && ab_replay_memory_pass(r, &fake_plain, &m, &f) == 0, "lowered pass");
    CHECK(fake_max_align == 16, "lowered: largest alignment seen %zu", fake_max_align);
    CHECK(m.align[12].count > 0, "lowered: the 4096 class is still reported");
    ab_replay_destroy(r);
    ab_replay_opts bad = {.lower_align = 24};
    CHECK(!ab_replay_create(&t, &fake_plain, &bad, err, sizeof err), "lower-align 24 accepted");

    /* an allocator handing out a live block again: its guard tags are overwritten */
    for (int touch = AB_TOUCH_FIRST; touch <= AB_TOUCH_ALL; touch++) {
        fake_reset_state();
        fake_dup_at = 300;
        fake_no_free = 1;
        ab_replay_opts go = {.touch = (ab_touch)touch};
        r = ab_replay_create(&t, &fake_plain, &go, err, sizeof err);
        ab_replay_failure gf = {0};
        CHECK(r && ab_replay_memory_pass(r, &fake_plain, &m, &gf) != 0,
              "overlapping block not detected (touch %d)", touch);
        CHECK(strstr(gf.msg, "overwritten") && gf.op >= kth_alloc(&t, 300),
              "overlap message: op %llu: %s", (unsigned long long)gf.op, gf.msg);
        ab_replay_destroy(r);
    }
    /* ... and none without one: the same run with the duplicate switched off passes */
    fake_reset_state();
    fake_no_free = 1;
    r = ab_replay_create(&t, &fake_plain, &(ab_replay_opts){.touch = AB_TOUCH_FIRST}, err,
                         sizeof err);
    CHECK(r && ab_replay_memory_pass(r, &fake_plain, &m, &f) == 0, "guards on a sound run: %s",
          f.msg);
    ab_replay_destroy(r);
    /* a realloc that loses the content */
    fake_reset_state();
    fake_realloc_nocopy = 1;
    r = ab_replay_create(&t, &fake_plain, &(ab_replay_opts){.touch = AB_TOUCH_ALL}, err,
                         sizeof err);
    ab_replay_failure rf = {0};
    CHECK(r && ab_replay_memory_pass(r, &fake_plain, &m, &rf) != 0 &&
              t.ops[rf.op].kind == AB_OP_REALLOC && strstr(rf.msg, "did not keep its content"),
          "realloc content loss: op %llu: %s", (unsigned long long)rf.op, rf.msg);
    ab_replay_destroy(r);

    check_failure(&t, 1, -1, "misaligned first alloc");
    check_failure(&t, 777, -1, "misaligned 777th alloc");
    check_failure(&t, -1, 500, "NULL on the 500th alloc");

    fake_release_all();
    ab_trace_close(&t);
    unlink(path);
    CHECK_DONE("test_replay");
}
