/* test_trace_roundtrip.c: binary -> text -> binary gives identical bytes, text -> binary -> text
 * identical text, and the writer's header counts are what the validator recomputes.
 *
 * The trace exercises every op kind and option (threads, scopes, zero, every mark kind,
 * alignments 1 to 4096, id reuse after free and after reset), drawn from a fixed-seed PRNG.
 */
#include "tests/check.h"
#include "tests/slurp.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"
#include "workloads/trace_writer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 42;
static uint32_t next_rand(void) /* xorshift64: only a test's mix */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

int main(void)
{
    char dir[] = "/tmp/ab_roundtrip_XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char bin1[256], txt1[256], bin2[256], txt2[256], err[512];
    snprintf(bin1, sizeof bin1, "%s/a.abt", dir);
    snprintf(txt1, sizeof txt1, "%s/a.txt", dir);
    snprintf(bin2, sizeof bin2, "%s/b.abt", dir);
    snprintf(txt2, sizeof txt2, "%s/b.txt", dir);

    ab_trace_writer *w = ab_tw_create(bin1, "generator=roundtrip seed=42", err, sizeof err);
    uint32_t live[64];
    uint16_t live_scope[64];
    int nlive = 0;
    for (int i = 0; i < 5000; i++) {
        uint32_t r = next_rand();
        uint16_t thread = (uint16_t)(r >> 28 & 3);
        switch (r % 7) {
        case 0:
        case 1:
        case 2:
            if (nlive < 64) {
                uint16_t scope = (uint16_t)(r >> 8 & 7);
                live_scope[nlive] = scope;
                live[nlive++] = ab_tw_alloc(w, r >> 12 & 0xffff, r >> 4 & 15, scope, thread,
                                            (r >> 20 & 1) ? AB_OPF_ZERO : 0);
            }
            break;
        case 3:
            if (nlive) {
                int k = (int)(r >> 8) % nlive;
                ab_tw_free(w, live[k], thread);
                live[k] = live[--nlive];
                live_scope[k] = live_scope[nlive];
            }
            break;
        case 4:
            if (nlive)
                ab_tw_realloc(w, live[(r >> 8) % (uint32_t)nlive], (r >> 12 & 0xfff) + 1, thread);
            break;
        case 5: {
            uint16_t scope = (uint16_t)(r >> 8 & 7);
            ab_tw_reset(w, scope, thread);
            for (int k = 0; k < nlive;)
                if (live_scope[k] == scope) {
                    live[k] = live[--nlive];
                    live_scope[k] = live_scope[nlive];
                } else {
                    k++;
                }
            break;
        }
        case 6:
            ab_tw_mark(w, (enum ab_mark_kind)(1 + (r >> 8) % 3), (uint16_t)(r >> 12), thread);
            break;
        }
    }
    CHECK(ab_tw_close(w, err, sizeof err) == 0, "writer-closes");

    ab_trace t;
    CHECK(ab_trace_open(bin1, &t, err, sizeof err) == 0, "binary-opens");
    CHECK(ab_trace_validate(&t, NULL, err, sizeof err) == 0, "writer-header-validates");
    CHECK(t.hdr.max_live_ids <= 64, "writer-ids-dense");
    CHECK(t.hdr.thread_count == 4, "writer-threads-counted");
    CHECK(t.hdr.scope_count == 8, "writer-scopes-counted");
    CHECK(t.map != NULL && t.owned == NULL, "binary-mapped");
    CHECK(ab_trace_save_text(&t, txt1, err, sizeof err) == 0, "save-text");
    ab_trace_close(&t);

    ab_trace tt;
    CHECK(ab_trace_open(txt1, &tt, err, sizeof err) == 0, "text-opens");
    CHECK(ab_trace_validate(&tt, NULL, err, sizeof err) == 0, "text-validates");
    CHECK(ab_trace_save_binary(&tt, bin2, err, sizeof err) == 0, "save-binary");
    ab_trace_close(&tt);
    CHECK(ab_trace_open(bin2, &tt, err, sizeof err) == 0, "text-reopens");
    CHECK(ab_trace_save_text(&tt, txt2, err, sizeof err) == 0, "save-text-again");
    ab_trace_close(&tt);

    size_t n1, n2, m1, m2;
    char *b1 = slurp_n(bin1, &n1), *b2 = slurp_n(bin2, &n2);
    char *t1 = slurp_n(txt1, &m1), *t2 = slurp_n(txt2, &m2);
    CHECK(b1 && b2 && n1 == n2 && !memcmp(b1, b2, n1), "binary-text-binary-bytes-identical");
    CHECK(t1 && t2 && m1 == m2 && !memcmp(t1, t2, m1), "text-binary-text-identical");
    CHECK(n1 == sizeof(ab_trace_header) + 16 * ((ab_trace_header *)b1)->op_count,
          "binary-size-is-header-plus-16-per-op");
    CHECK(t1 && strstr(t1, "\nalloc ") && strstr(t1, "\nfree ") && strstr(t1, "\nrealloc ") &&
              strstr(t1, "\nreset ") && strstr(t1, "\nmark module ") && strstr(t1, " zero\n"),
          "text-has-every-op-kind");
    CHECK(t1 && strstr(t1, "# meta generator=roundtrip seed=42\n"), "text-keeps-meta");
    free(b1);
    free(b2);
    free(t1);
    free(t2);

    /* A writer whose op breaks the rules leaves no file behind and says why. */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/bad.abt", dir);
    w = ab_tw_create(bad, NULL, err, sizeof err);
    uint32_t id = ab_tw_alloc(w, 8, 3, 0, 0, 0);
    ab_tw_free(w, id, 0);
    ab_tw_free(w, id, 0);
    CHECK(ab_tw_close(w, err, sizeof err) != 0 && strstr(err, "op 2: free of id 0: double free"),
          "writer-rejects-double-free");
    CHECK(access(bad, F_OK) != 0, "writer-leaves-no-file");
    CHECK(ab_tw_create(bad, "a=1\nb=2", err, sizeof err) == NULL && strstr(err, "non-printable"),
          "writer-refuses-unprintable-meta");

    unlink(bin1);
    unlink(bin2);
    unlink(txt1);
    unlink(txt2);
    rmdir(dir);
    CHECK_DONE("test_trace_roundtrip");
}
