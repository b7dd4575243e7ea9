/* test_trace_validate.c: the validator and the readers reject each kind of bad trace with a
 * message that names the problem (and the op or line), and accept good ones.
 *
 * Op-level errors are written as small text traces; header lies, truncation and hostile counts
 * are made by writing a valid binary trace and patching its header.
 */
#include "tests/check.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"
#include "workloads/trace_writer.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char last_err[512];

/* Open a trace from memory and validate it; returns 0 if it is valid, else -1 with last_err. */
static int open_and_validate(const void *buf, size_t len)
{
    ab_trace t;
    last_err[0] = 0;
    if (ab_trace_open_memory(buf, len, &t, last_err, sizeof last_err))
        return -1;
    int rc = ab_trace_validate(&t, NULL, last_err, sizeof last_err);
    ab_trace_close(&t);
    return rc;
}

/* The trace (text, after the first line) is rejected with a message containing want. */
static int rejects(const char *body, const char *want)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "# alignbench-trace 1\n%s", body);
    int rc = open_and_validate(buf, strlen(buf));
    int ok = rc != 0 && strstr(last_err, want) != NULL;
    if (!ok)
        printf("     got: %s\n", rc ? last_err : "(accepted)");
    return ok;
}

static int accepts(const char *body)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "# alignbench-trace 1\n%s", body);
    int rc = open_and_validate(buf, strlen(buf));
    if (rc)
        printf("     got: %s\n", last_err);
    return rc == 0;
}

/* A small valid binary trace (two threads, two scopes) in memory. */
static unsigned char good[4096];
static size_t good_len;

static void make_good(void)
{
    char path[] = "/tmp/ab_validate_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char err[256];
    ab_trace_writer *w = ab_tw_create(path, "generator=test", err, sizeof err);
    uint32_t a = ab_tw_alloc(w, 100, 3, 0, 0, 0);
    uint32_t b = ab_tw_alloc(w, 200, 6, 1, 1, AB_OPF_ZERO);
    ab_tw_realloc(w, a, 300, 0);
    ab_tw_free(w, a, 1);
    ab_tw_reset(w, 1, 0);
    (void)b;
    if (ab_tw_close(w, err, sizeof err))
        printf("writer: %s\n", err);
    FILE *f = fopen(path, "rb");
    good_len = fread(good, 1, sizeof good, f);
    fclose(f);
    unlink(path);
}

/* The good trace with its header patched by f, then opened and validated. */
#define PATCHED(field, value)                                                                      \
    ({                                                                                             \
        unsigned char copy[sizeof good];                                                           \
        memcpy(copy, good, good_len);                                                              \
        ab_trace_header h;                                                                         \
        memcpy(&h, copy, sizeof h);                                                                \
        h.field = value;                                                                           \
        memcpy(copy, &h, sizeof h);                                                                \
        open_and_validate(copy, good_len);                                                         \
    })

static int has(const char *want)
{
    int ok = strstr(last_err, want) != NULL;
    if (!ok)
        printf("     got: %s\n", last_err);
    return ok;
}

int main(void)
{
    make_good();
    ab_trace_header gh;
    memcpy(&gh, good, sizeof gh);

    /* good traces */
    CHECK(good_len > 0 && open_and_validate(good, good_len) == 0, "binary-good-trace-valid");
    CHECK(accepts("# meta generator=x\nmark call 7\nalloc 0 24 8 scope=2 thread=1 zero\n"
                  "alloc 1 48 16 scope=2\nrealloc 0 64\nfree 1\nreset 2\nalloc 1 8 1\nfree 1\n"),
          "text-good-trace-valid");
    CHECK(accepts("alloc 0 8 8\nfree 0\nalloc 0 16 8\nfree 0\n"), "text-id-reuse-after-free");
    CHECK(accepts("alloc 0 8 8 scope=1\nreset 1\nalloc 0 8 8\n"), "text-id-reuse-after-reset");
    CHECK(accepts(""), "text-empty-trace");
    CHECK(accepts("alloc 0 0 8\nfree 0\n"), "text-size-zero-alloc");
    CHECK(rejects("alloc 2109001090 6 4\n", "max_live_ids 2109001091 exceeds the op count 1"),
          "text-hostile-id-rejected-without-huge-table");

    /* version 2: entry points and timestamps */
    CHECK(accepts("time 5\nalloc 0 5 16 malloc\nalloc 1 24 16 calloc zero\nrealloc 1 48 realloc\n"
                  "alloc 2 64 64 aligned_alloc\ntime 9\nfree 0 free_sized\nfree 1 free\n"
                  "free 2 delete\n"),
          "text-entry-points-and-time-valid");
    CHECK(rejects("alloc 0 8 16 free\n", "op 0: alloc with entry point 8"), "entry-free-on-alloc");
    CHECK(rejects("alloc 0 8 16\nfree 0 malloc\n", "op 1: free with entry point 1"),
          "entry-malloc-on-free");
    CHECK(rejects("alloc 0 8 16\nrealloc 0 9 calloc\n", "op 1: realloc with entry point 2"),
          "entry-calloc-on-realloc");
    CHECK(rejects("time 10\nalloc 0 8 16\ntime 9\nfree 0\n", "op 2: time 9 ns of thread 0"),
          "time-decreasing-rejected");
    CHECK(accepts("time 10 thread=1\nalloc 0 8 16\ntime 9\nfree 0\n"),
          "time-per-thread-may-interleave");
    {
        /* an entry point beyond the enum (binary only: text cannot name it) */
        unsigned char bad[4096];
        memcpy(bad, good, good_len);
        ab_trace_header bh;
        memcpy(&bh, bad, sizeof bh);
        ab_op op0;
        memcpy(&op0, bad + bh.header_size, sizeof op0);
        op0.flags |= AB_OPF_ENTRY(15);
        memcpy(bad + bh.header_size, &op0, sizeof op0);
        CHECK(open_and_validate(bad, good_len) != 0 && has("entry point 15"),
              "entry-beyond-enum-rejected (%s)", last_err);
    }

    /* op semantics */
    CHECK(rejects("alloc 0 8 8\nfree 1\n", "op 1: free of id 1: unknown id"), "free-unknown-id");
    CHECK(rejects("free 0\n", "op 0: free of id 0: unknown id"), "free-never-allocated-id-0");
    CHECK(rejects("alloc 0 8 8\nfree 0\nfree 0\n", "op 2: free of id 0: double"), "double-free");
    CHECK(rejects("alloc 0 8 8\nrealloc 5 8\n", "op 1: realloc of id 5"), "realloc-unknown-id");
    CHECK(rejects("alloc 0 8 8\nfree 0\nrealloc 0 8\n", "use after free"), "realloc-after-free");
    CHECK(rejects("alloc 0 8 8\nrealloc 0 0\n", "op 1: realloc of id 0 to"), "realloc-to-zero");
    CHECK(rejects("alloc 0 8 8\nalloc 0 8 8\n", "op 1: alloc of id 0: id "
                                                "reused while live"),
          "id-reused-while-live");
    CHECK(rejects("alloc 0 8 8 scope=3\nreset 3\nfree 0\n", "op 2: free of id 0: use after reset"),
          "free-after-reset");
    CHECK(rejects("alloc 0 8 8 scope=3\nreset 3\nrealloc 0 9\n", "op 2: realloc of id 0: use aft"),
          "realloc-after-reset");
    CHECK(rejects("alloc 0 8 8 scope=3\nrealloc 0 99\nreset 3\nfree 0\n", "op 3: free of id 0: use "
                                                                          "after reset"),
          "realloc-keeps-scope");
    CHECK(accepts("alloc 0 8 8 scope=3\nreset 2\nfree 0\n"), "reset-spares-other-scopes");
    CHECK(rejects("alloc 0 2000000000 8\n", "op 0: size 2000000000 above"), "size-over-limit");
    CHECK(rejects("alloc 0 8 8\nrealloc 0 2000000000\n", "op 1: size 2000000000 above"),
          "realloc-size-over-limit");
    CHECK(rejects("alloc 0 8 2147483648\n", "op 0: alignment 2^31 above"), "align-over-limit");

    /* text syntax: errors name the line */
    CHECK(rejects("alloc 0 8 0\n", "line 2: alignment 0 is not a power of two"), "text-align-0");
    CHECK(rejects("alloc 0 8 3\n", "line 2: alignment 3 is not a power of two"), "text-align-3");
    CHECK(rejects("mark call 1\nalloc 0 8 24\n", "line 3: alignment 24 is not a power of two"),
          "text-align-24");
    CHECK(rejects("\n\nmalloc 0 8\n", "line 4: unknown op 'malloc'"), "text-unknown-op");
    CHECK(rejects("alloc 0\n", "line 2: missing size"), "text-missing-size");
    CHECK(rejects("alloc 0 -8 8\n", "line 2: bad size '-8'"), "text-negative-size");
    CHECK(rejects("alloc 0 4294967296 8\n", "line 2: bad size"), "text-size-overflows-u32");
    CHECK(rejects("free 0 scope=1\n", "line 2: 'scope=1' is not an option"), "text-bad-option");
    CHECK(rejects("alloc 0 8 8 thread=1 thread=1\n", "given twice"), "text-option-twice");
    CHECK(rejects("free 0 x\n", "line 2: unexpected 'x'"), "text-trailing-junk");
    CHECK(rejects("mark lunch 1\n", "line 2: mark kind 'lunch'"), "text-mark-kind");
    CHECK(open_and_validate("# alignbench-trace 3\n", 21) != 0 && has("version 3"),
          "text-wrong-version");
    CHECK(rejects("# meta a=1\n# meta b=2\n", "line 3: a second '# meta'"), "text-second-meta");

    /* binary layout */
    CHECK(open_and_validate(good, good_len - 8) != 0 && has("truncated") && has("partial op"),
          "binary-truncated-partial-op");
    CHECK(open_and_validate(good, 100) != 0 && has("truncated: 100"), "binary-truncated-header");
    CHECK(open_and_validate(good, 0) != 0 && has("truncated"), "binary-empty");
    {
        unsigned char copy[sizeof good];
        memcpy(copy, good, good_len);
        copy[0] = 'X';
        CHECK(open_and_validate(copy, good_len) != 0 && has("wrong magic"), "binary-wrong-magic");
        memcpy(copy, good, good_len);
        copy[sizeof(ab_trace_header)] = 9; /* the first op's kind */
        CHECK(open_and_validate(copy, good_len) != 0 && has("op 0: unknown op kind 9"),
              "binary-unknown-op-kind");
        memcpy(copy, good, good_len);
        copy[sizeof(ab_trace_header) + 1] = 31; /* the first op's align_log2 */
        CHECK(open_and_validate(copy, good_len) != 0 && has("op 0: alignment 2^31 above"),
              "binary-align-log2-over-limit");
        memcpy(copy, good, good_len);
        copy[sizeof(ab_trace_header) + 3 * 16 + 8] = 1; /* the free's unused size field */
        CHECK(open_and_validate(copy, good_len) != 0 && has("op 3: free has nonzero fields"),
              "binary-free-with-size-set");
        memcpy(copy, good, good_len);
        memset(copy + offsetof(ab_trace_header, meta), 'x', AB_TRACE_META_MAX);
        CHECK(open_and_validate(copy, good_len) != 0 && has("not NUL-terminated"),
              "binary-meta-unterminated");
    }
    CHECK(PATCHED(version, 3) != 0 && has("version 3"), "binary-wrong-version");
    CHECK(PATCHED(header_size, 512) != 0 && has("header_size 512"), "binary-wrong-header-size");

    /* headers that lie */
    CHECK(PATCHED(op_count, gh.op_count + 1) != 0 && has("truncated"), "header-op-count-too-high");
    CHECK(PATCHED(op_count, gh.op_count - 1) != 0 && has("the header says"),
          "header-op-count-too-low");
    CHECK(PATCHED(op_count, UINT64_MAX / 2) != 0 && has("truncated: the header says"),
          "header-op-count-hostile");
    CHECK(PATCHED(peak_live_bytes, gh.peak_live_bytes + 1) != 0 && has("peak_live_bytes says"),
          "header-peak-live-bytes-lies");
    CHECK(PATCHED(max_live_ids, gh.max_live_ids + 1) != 0 && has("max_live_ids says"),
          "header-max-live-ids-too-high");
    CHECK(PATCHED(max_live_ids, 1) != 0 && has("op 1: alloc of id 1 beyond the header's max_live"),
          "header-max-live-ids-too-low");
    CHECK(PATCHED(max_live_ids, 0xfffffff0u) != 0 && has("exceeds the op count"),
          "header-max-live-ids-hostile");
    CHECK(PATCHED(thread_count, 1) != 0 && has("op 1: thread 1 beyond the header's thread_count"),
          "header-thread-count-too-low");
    CHECK(PATCHED(thread_count, 3) != 0 && has("thread_count says 3"),
          "header-thread-count-too-high");
    CHECK(PATCHED(scope_count, 1) != 0 && has("op 1: scope 1 beyond the header's scope_count"),
          "header-scope-count-too-low");
    CHECK(PATCHED(flags, 32) != 0 && has("flags"), "header-flags-set");
    CHECK_DONE("test_trace_validate");
}
