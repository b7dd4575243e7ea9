/* test_generators.c: the generators are deterministic, write valid traces, and produce the
 * shapes and distributions they claim (docs/workloads.md).
 *
 * Tolerances: the il statistics are compared with the measured ones on 200,000 drawn bodies (and a
 * 300,000-method trace): percentiles within 10 % (or 1 byte), shares within 1.5 points, means
 * within 5 %. Sampling error at these sizes is far below that; a wrong interpolation or tail is
 * not.
 */
#include "tests/check.h"
#include "workloads/generators.h"
#include "workloads/il_bodies.h"
#include "workloads/trace_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ab_gen_XXXXXX";

static int gen(const char *name, uint64_t seed, double scale, const char *variant, const char *file,
               char *err, size_t errlen)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ab_gen_params p = {.seed = seed, .scale = scale, .threads = 1, .variant = variant};
    return ab_generator_find(name)->generate(&p, path, err, errlen);
}

static int open_in_dir(const char *file, ab_trace *t)
{
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (ab_trace_open(path, t, err, sizeof err)) {
        printf("     %s\n", err);
        return -1;
    }
    return 0;
}

static int same_bytes(const char *a, const char *b)
{
    ab_trace ta, tb;
    if (open_in_dir(a, &ta))
        return 0;
    if (open_in_dir(b, &tb)) {
        ab_trace_close(&ta);
        return 0;
    }
    int same = ta.map_len == tb.map_len && !memcmp(ta.map, tb.map, ta.map_len);
    ab_trace_close(&ta);
    ab_trace_close(&tb);
    return same;
}

static int valid(const char *file)
{
    ab_trace t;
    char err[512];
    if (open_in_dir(file, &t))
        return 0;
    int rc = ab_trace_validate(&t, NULL, err, sizeof err);
    if (rc)
        printf("     %s: %s\n", file, err);
    ab_trace_close(&t);
    return rc == 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double q)
{
    return sorted[(size_t)(q * (double)(n - 1) + 0.5)];
}

static int near(double got, double want, double rel, double abs_tol)
{
    int ok = fabs(got - want) <= fmax(rel * want, abs_tol);
    if (!ok)
        printf("     got %.3f, want %.3f\n", got, want);
    return ok;
}

static void check_determinism(void)
{
    static const char *const names[] = {"rpc", "il", "simd"};
    char err[512];
    for (int i = 0; i < 3; i++) {
        char a[32], b[32], c[32], name[64];
        snprintf(a, sizeof a, "%s-7a.abt", names[i]);
        snprintf(b, sizeof b, "%s-7b.abt", names[i]);
        snprintf(c, sizeof c, "%s-8.abt", names[i]);
        int rc = gen(names[i], 7, 0.01, NULL, a, err, sizeof err) |
                 gen(names[i], 7, 0.01, NULL, b, err, sizeof err) |
                 gen(names[i], 8, 0.01, NULL, c, err, sizeof err);
        snprintf(name, sizeof name, "%s-generates", names[i]);
        CHECK(rc == 0, "%s", name);
        snprintf(name, sizeof name, "%s-valid", names[i]);
        CHECK(valid(a) && valid(c), "%s", name);
        snprintf(name, sizeof name, "%s-same-seed-same-bytes", names[i]);
        CHECK(same_bytes(a, b), "%s", name);
        snprintf(name, sizeof name, "%s-other-seed-other-bytes", names[i]);
        CHECK(!same_bytes(a, c), "%s", name);
    }
}

static void check_params(void)
{
    char err[512];
    ab_gen_params p = {.seed = 1, .scale = 1, .threads = 65};
    CHECK(ab_generator_find("rpc")->generate(&p, "/nonexistent/x", err, sizeof err) != 0 &&
              strstr(err, "--threads 65 out of range"),
          "threads-65-refused-with-reason");
    CHECK(gen("rpc", 1, 0.01, "some", "x.abt", err, sizeof err) &&
              strstr(err, "unknown variant 'some'"),
          "rpc-unknown-variant-refused");
    CHECK(gen("il", 1, 0.01, "all", "x.abt", err, sizeof err) && strstr(err, "has none"),
          "il-takes-no-variant");
    CHECK(gen("simd", 1, 0, NULL, "x.abt", err, sizeof err) && strstr(err, "--scale"),
          "scale-0-refused");
    CHECK(ab_generator_find("nope") == NULL, "unknown-generator-not-found");
}

/* Per call: total bytes allocated and number of allocs; checks scope, alignment and that every
 * block is freed before its call's reset. */
typedef struct rpc_summary {
    uint64_t calls, allocs, node24, bad_scope, bad_align, live_at_reset, unbracketed;
    uint64_t *call_bytes; /* per call */
} rpc_summary;

static int summarize_rpc(const char *file, rpc_summary *s)
{
    ab_trace t;
    memset(s, 0, sizeof *s);
    if (open_in_dir(file, &t))
        return -1;
    s->call_bytes = calloc(t.hdr.op_count, sizeof *s->call_bytes);
    int in_call = 0;
    uint16_t slot = 0;
    int64_t live = 0;
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        const ab_op *op = &t.ops[i];
        if (op->kind == AB_OP_MARK && op->flags == AB_MARK_CALL) {
            in_call = 1;
            slot = op->scope;
            s->calls++;
        } else if (op->kind == AB_OP_RESET) {
            s->bad_scope += op->scope != slot;
            s->live_at_reset += live != 0;
            in_call = 0;
        } else if (!in_call) {
            s->unbracketed++;
        } else if (op->kind == AB_OP_ALLOC) {
            s->allocs++;
            s->node24 += op->size == 24;
            s->bad_scope += op->scope != slot;
            s->bad_align += op->align_log2 != 3;
            s->call_bytes[s->calls - 1] += op->size;
            live++;
        } else if (op->kind == AB_OP_FREE) {
            live--;
        }
    }
    ab_trace_close(&t);
    return 0;
}

static void check_rpc(void)
{
    char err[512];
    CHECK(gen("rpc", 3, 0.05, "single", "rs.abt", err, sizeof err) == 0, "rpc-single-generates");
    CHECK(gen("rpc", 3, 0.05, "all", "ra.abt", err, sizeof err) == 0, "rpc-all-generates");
    CHECK(valid("ra.abt"), "rpc-all-valid");
    rpc_summary s, a;
    if (summarize_rpc("rs.abt", &s) || summarize_rpc("ra.abt", &a))
        return;
    CHECK(s.calls == 5000 && a.calls == 5000, "rpc-calls-at-scale");
    CHECK(s.unbracketed == 0 && a.unbracketed == 0, "rpc-every-op-inside-a-call");
    CHECK(s.bad_scope == 0 && a.bad_scope == 0, "rpc-blocks-in-their-call-scope");
    CHECK(s.live_at_reset == 0 && a.live_at_reset == 0, "rpc-every-block-freed-within-its-call");
    CHECK(s.bad_align == 0 && a.bad_align == 0, "rpc-8-byte-alignment");
    CHECK(s.allocs > a.allocs + s.calls / 10, "rpc-single-has-more-allocs");
    CHECK(s.node24 > 2 * a.node24, "rpc-single-has-more-24-byte-nodes");
    uint64_t differ = 0;
    for (uint64_t c = 0; c < s.calls; c++)
        differ += s.call_bytes[c] != a.call_bytes[c];
    CHECK(differ == 0, "rpc-variants-same-bytes-per-call");
    free(s.call_bytes);
    free(a.call_bytes);
}

static void check_il(void)
{
    enum { N = 200000 };
    ab_rng r;
    ab_rng_seed(&r, 11);
    double *code = malloc(N * sizeof *code), *fat_code = malloc(N * sizeof *fat_code);
    size_t nfat = 0;
    double code_sum = 0, clauses = 0;
    unsigned tiny = 0, eh = 0, eh_fat = 0, bad_align = 0;
    for (int i = 0; i < N; i++) {
        ab_il_body b;
        ab_il_draw_body(&r, &b);
        code[i] = b.code;
        code_sum += b.code;
        if (b.fat)
            fat_code[nfat++] = b.code;
        tiny += !b.fat;
        eh += b.eh_clauses > 0;
        eh_fat += b.eh_fat;
        clauses += b.eh_clauses;
        bad_align += b.fat ? b.align_log2 != 2 : (b.align_log2 != 0 || b.code >= 64);
    }
    qsort(code, N, sizeof *code, cmp_double);
    static const double q[] = {0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
    static const double want[] = {7, 9, 21, 61, 155, 266, 744};
    for (int i = 0; i < 7; i++) {
        char name[64];
        snprintf(name, sizeof name, "il-code-p%g-is-%g", q[i] * 100, want[i]);
        CHECK(near(pct(code, N, q[i]), want[i], 0.10, 1), "%s", name);
    }
    CHECK(near(code_sum / N, 70, 0.05, 0), "il-code-mean-70");
    qsort(fat_code, nfat, sizeof *fat_code, cmp_double);
    CHECK(near(pct(fat_code, nfat, 0.5), 92, 0.10, 0), "il-fat-code-median-92");
    CHECK(near(100.0 * tiny / N, 65, 0, 1.5), "il-tiny-share-65pct");
    CHECK(near(100.0 * eh / N, 6.4, 0, 0.5), "il-eh-share-6.4pct");
    CHECK(near(clauses / eh, 1.38, 0.05, 0), "il-eh-clauses-mean-1.38");
    CHECK(near(100.0 * eh_fat / eh, 14, 0, 1.5), "il-eh-fat-share-14pct");
    CHECK(bad_align == 0, "il-tiny-only-under-64-align-1-fat-align-4");
    free(code);
    free(fat_code);

    /* The trace: body sizes (what the replay allocates). */
    char err[512];
    CHECK(gen("il", 5, 0.1, NULL, "il.abt", err, sizeof err) == 0, "il-generates");
    CHECK(valid("il.abt"), "il-valid");
    ab_trace t;
    if (open_in_dir("il.abt", &t))
        return;
    double *body = malloc(t.hdr.op_count * sizeof *body);
    size_t n = 0;
    uint64_t frees = 0, modules = 0, resets = 0;
    double sum = 0;
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        const ab_op *op = &t.ops[i];
        if (op->kind == AB_OP_ALLOC) {
            body[n++] = op->size;
            sum += op->size;
        }
        frees += op->kind == AB_OP_FREE || op->kind == AB_OP_REALLOC;
        modules += op->kind == AB_OP_MARK && op->flags == AB_MARK_MODULE;
        resets += op->kind == AB_OP_RESET;
    }
    qsort(body, n, sizeof *body, cmp_double);
    CHECK(n == 300000, "il-methods-at-scale");
    CHECK(near(pct(body, n, 0.5), 23, 0.10, 1), "il-body-p50-23");
    CHECK(near(sum / (double)n, 76, 0.05, 0), "il-body-mean-76");
    CHECK(frees == 0, "il-allocate-only");
    CHECK(modules > 10 && modules == resets, "il-every-module-unloads");
    CHECK(t.hdr.scope_count >= 3, "il-several-modules-at-once");
    free(body);
    ab_trace_close(&t);
}

static void check_simd(void)
{
    char err[512];
    CHECK(gen("simd", 2, 0.01, NULL, "simd.abt", err, sizeof err) == 0, "simd-generates");
    ab_trace t;
    if (open_in_dir("simd.abt", &t))
        return;
    uint64_t by_align[64] = {0}, phases = 0, reallocs = 0;
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        const ab_op *op = &t.ops[i];
        if (op->kind == AB_OP_ALLOC)
            by_align[op->align_log2]++;
        phases += op->kind == AB_OP_MARK && op->flags == AB_MARK_PHASE;
        reallocs += op->kind == AB_OP_REALLOC;
    }
    CHECK(by_align[4] > 0, "simd-align-16-present");
    CHECK(by_align[5] > 0, "simd-align-32-present");
    CHECK(by_align[6] > 0, "simd-align-64-present");
    CHECK(by_align[12] > 0, "simd-align-4096-present");
    uint64_t allocs = 0;
    for (int k = 0; k < 64; k++)
        allocs += by_align[k];
    CHECK(allocs > 0 && by_align[4] + by_align[5] + by_align[6] + by_align[12] == allocs,
          "simd-only-those-alignments");
    CHECK(phases == 16, "simd-phase-marks");
    CHECK(reallocs > 0, "simd-reallocs-present");
    CHECK(t.hdr.max_live_ids >= 30000, "simd-live-set-reaches-tens-of-thousands");
    ab_trace_close(&t);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    check_params();
    check_determinism();
    check_rpc();
    check_il();
    check_simd();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    CHECK_DONE("test_generators");
}
