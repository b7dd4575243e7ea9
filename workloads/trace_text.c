/* trace_text.c: parsing and writing the text form of a trace (syntax in trace_text.h). */
#include "workloads/trace_text.h"
#include "harness/common/error_message.h"
#include "harness/common/atomic_file.h"
#include "harness/common/regular_file.h"
#include "workloads/trace_live.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const mark_names[] = {NULL, "call", "phase", "module"};

static const char *const entry_names[AB_ENTRY_COUNT] = {
    [AB_ENTRY_UNSPEC] = "unspec",
    [AB_ENTRY_MALLOC] = "malloc",
    [AB_ENTRY_CALLOC] = "calloc",
    [AB_ENTRY_REALLOC] = "realloc",
    [AB_ENTRY_POSIX_MEMALIGN] = "posix_memalign",
    [AB_ENTRY_ALIGNED_ALLOC] = "aligned_alloc",
    [AB_ENTRY_MEMALIGN] = "memalign",
    [AB_ENTRY_VALLOC] = "valloc",
    [AB_ENTRY_FREE] = "free",
    [AB_ENTRY_FREE_SIZED] = "free_sized",
    [AB_ENTRY_FREE_ALIGNED_SIZED] = "free_aligned_sized",
    [AB_ENTRY_NEW] = "new",
    [AB_ENTRY_NEW_ALIGNED] = "new_aligned",
    [AB_ENTRY_DELETE] = "delete",
};

const char *ab_entry_name(unsigned e)
{
    return e < AB_ENTRY_COUNT ? entry_names[e] : NULL;
}

int ab_entry_parse(const char *s, size_t n)
{
    for (unsigned e = 0; e < AB_ENTRY_COUNT; e++)
        if (strlen(entry_names[e]) == n && memcmp(entry_names[e], s, n) == 0)
            return (int)e;
    return -1;
}

typedef struct parser {
    const char *p, *end; /* the rest of the current line */
    unsigned long line;
    char *err;
    size_t errlen;
} parser;

static int perr(parser *ps, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errlen, "line %lu: %s", ps->line, msg);
    return -1;
}

/* Next space-separated token of the line; returns its length (0 at the end of the line). */
static size_t next_token(parser *ps, const char **tok)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
    *tok = ps->p;
    while (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t')
        ps->p++;
    return (size_t)(ps->p - *tok);
}

static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0 || n > 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* A required positional number. */
static int number(parser *ps, const char *what, uint64_t max, uint64_t *out)
{
    const char *tok;
    size_t n = next_token(ps, &tok);
    if (n == 0)
        return perr(ps, "missing %s", what);
    if (parse_u64(tok, n, max, out))
        return perr(ps, "bad %s '%.*s' (an unsigned decimal number up to %llu)", what, (int)n, tok,
                    (unsigned long long)max);
    return 0;
}

static int token_is(const char *tok, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(tok, word, n) == 0;
}

enum { OPT_SCOPE = 1, OPT_THREAD = 2, OPT_ZERO = 4, OPT_ENTRY = 8 };

/* The trailing options (scope=, thread=, zero, an entry point's name), those in `allowed` only,
 * each at most once. Whether the entry point fits the op is the validator's to say. */
static int options(parser *ps, const char *kname, unsigned allowed, ab_op *op)
{
    unsigned seen = 0;
    const char *tok;
    size_t n;
    while ((n = next_token(ps, &tok)) != 0) {
        unsigned which;
        uint64_t v = 0;
        if (n > 6 && memcmp(tok, "scope=", 6) == 0)
            which = OPT_SCOPE;
        else if (n > 7 && memcmp(tok, "thread=", 7) == 0)
            which = OPT_THREAD;
        else if (token_is(tok, n, "zero"))
            which = OPT_ZERO;
        else if (ab_entry_parse(tok, n) > 0)
            which = OPT_ENTRY;
        else
            return perr(ps, "unexpected '%.*s' after %s", (int)n, tok, kname);
        if (!(allowed & which))
            return perr(ps, "'%.*s' is not an option of %s", (int)n, tok, kname);
        if (seen & which)
            return perr(ps, "'%.*s' given twice", (int)n, tok);
        seen |= which;
        if (which == OPT_SCOPE || which == OPT_THREAD) {
            size_t skip = which == OPT_SCOPE ? 6 : 7;
            if (parse_u64(tok + skip, n - skip, UINT16_MAX - 1, &v))
                return perr(ps, "bad %.*s (0 to %u)", (int)n, tok, UINT16_MAX - 1);
        }
        if (which == OPT_SCOPE)
            op->scope = (uint16_t)v;
        else if (which == OPT_THREAD)
            op->thread = (uint16_t)v;
        else if (which == OPT_ENTRY)
            op->flags |= AB_OPF_ENTRY((unsigned)ab_entry_parse(tok, n));
        else
            op->flags |= AB_OPF_ZERO;
    }
    return 0;
}

static int parse_op_line(parser *ps, ab_op *op)
{
    const char *tok;
    size_t n = next_token(ps, &tok);
    uint64_t a = 0, b = 0, c = 0;
    memset(op, 0, sizeof *op);
    if (token_is(tok, n, "alloc")) {
        op->kind = AB_OP_ALLOC;
        if (number(ps, "id", UINT32_MAX - 1, &a) || number(ps, "size", UINT32_MAX, &b) ||
            number(ps, "alignment", UINT64_MAX, &c))
            return -1;
        if (c == 0 || (c & (c - 1)) != 0)
            return perr(ps, "alignment %llu is not a power of two", (unsigned long long)c);
        op->id = (uint32_t)a;
        op->size = (uint32_t)b;
        op->align_log2 = (uint8_t)__builtin_ctzll(c);
        return options(ps, "alloc", OPT_SCOPE | OPT_THREAD | OPT_ZERO | OPT_ENTRY, op);
    }
    if (token_is(tok, n, "free") || token_is(tok, n, "realloc")) {
        int is_free = tok[0] == 'f';
        op->kind = is_free ? AB_OP_FREE : AB_OP_REALLOC;
        if (number(ps, "id", UINT32_MAX - 1, &a))
            return -1;
        op->id = (uint32_t)a;
        if (!is_free) {
            if (number(ps, "size", UINT32_MAX, &b))
                return -1;
            op->size = (uint32_t)b;
        }
        return options(ps, is_free ? "free" : "realloc", OPT_THREAD | OPT_ENTRY, op);
    }
    if (token_is(tok, n, "reset")) {
        op->kind = AB_OP_RESET;
        if (number(ps, "scope", UINT16_MAX - 1, &a))
            return -1;
        op->scope = (uint16_t)a;
        return options(ps, "reset", OPT_THREAD, op);
    }
    if (token_is(tok, n, "time")) { /* time NS: the next op of the thread happened at NS */
        op->kind = AB_OP_TIME;
        if (number(ps, "time", UINT64_MAX, &a))
            return -1;
        op->id = (uint32_t)(a >> 32);
        op->size = (uint32_t)a;
        return options(ps, "time", OPT_THREAD, op);
    }
    if (token_is(tok, n, "mark")) {
        op->kind = AB_OP_MARK;
        n = next_token(ps, &tok);
        for (unsigned k = AB_MARK_CALL; k <= AB_MARK_MODULE; k++)
            if (token_is(tok, n, mark_names[k]))
                op->flags = (uint16_t)k;
        if (!op->flags)
            return perr(ps, "mark kind '%.*s' is not call, phase or module", (int)n, tok);
        if (number(ps, "mark argument", UINT16_MAX, &a))
            return -1;
        op->scope = (uint16_t)a;
        return options(ps, "mark", OPT_THREAD, op);
    }
    return perr(ps, "unknown op '%.*s' (alloc, free, realloc, reset, mark or time)", (int)n, tok);
}

/* The header's counts from the ops. The id/thread/scope spans are taken over every op, the peak
 * from the live table leniently (an invalid op is skipped), so the validator then names the
 * first bad op rather than a header mismatch. */
static void compute_header(ab_trace *t, uint64_t n)
{
    ab_live_table live;
    ab_live_init(&live, NULL, NULL);
    char ignored[160];
    uint32_t id_bound = 0, thread_span = 0, scope_span = 0;
    for (uint64_t i = 0; i < n; i++) {
        const ab_op *op = &t->owned[i];
        if (op->kind == AB_OP_ALLOC && op->id + 1 > id_bound)
            id_bound = op->id + 1;
        if ((uint32_t)op->thread + 1 > thread_span)
            thread_span = (uint32_t)op->thread + 1;
        if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_RESET) &&
            (uint32_t)op->scope + 1 > scope_span)
            scope_span = (uint32_t)op->scope + 1;
        /* An id at or above the op count cannot be dense (every id needs an alloc): the
         * validator rejects it from the header alone, and the table must not grow to it. */
        if (op->id < n || op->kind == AB_OP_RESET || op->kind == AB_OP_MARK ||
            op->kind == AB_OP_TIME)
            ab_live_apply(&live, op, ignored, sizeof ignored);
    }
    t->hdr.op_count = n;
    t->hdr.peak_live_bytes = live.peak_live_bytes;
    t->hdr.max_live_ids = id_bound;
    t->hdr.thread_count = (uint16_t)thread_span;
    t->hdr.scope_count = (uint16_t)scope_span;
    ab_live_fini(&live);
}

int ab_trace_parse_text(const char *buf, size_t len, ab_trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    memcpy(t->hdr.magic, AB_TRACE_MAGIC, 8);
    t->hdr.version = AB_TRACE_VERSION;
    t->hdr.header_size = sizeof(ab_trace_header);
    parser ps = {.err = err, .errlen = errlen};
    const char *p = buf, *end = buf + len;
    uint64_t n = 0, cap = 0;
    int have_meta = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        ps.line++;
        ps.p = p;
        ps.end = line_end;
        if (ps.end > ps.p && ps.end[-1] == '\r')
            ps.end--;
        p = eol ? eol + 1 : end;
        if (memchr(ps.p, '\0', (size_t)(ps.end - ps.p)))
            goto fail_nul;
        if (ps.line == 1) {
            const size_t ml = strlen(AB_TRACE_TEXT_MAGIC);
            if ((size_t)(ps.end - ps.p) < ml || memcmp(ps.p, AB_TRACE_TEXT_MAGIC, ml) != 0) {
                perr(&ps, "not a text trace (the first line must be '%s %u')", AB_TRACE_TEXT_MAGIC,
                     AB_TRACE_VERSION);
                goto fail;
            }
            ps.p += ml;
            uint64_t v;
            if (number(&ps, "version", UINT32_MAX, &v))
                goto fail;
            if (v < AB_TRACE_VERSION_OLDEST || v > AB_TRACE_VERSION) {
                perr(&ps, "text trace version %llu, this build reads versions %u to %u",
                     (unsigned long long)v, AB_TRACE_VERSION_OLDEST, AB_TRACE_VERSION);
                goto fail;
            }
            t->hdr.version = (uint32_t)v; /* a version-1 text stays version 1 through binary */
            const char *tok;
            if (next_token(&ps, &tok)) {
                perr(&ps, "unexpected text after the version");
                goto fail;
            }
            continue;
        }
        const char *tok;
        size_t tn = next_token(&ps, &tok);
        if (tn == 0)
            continue; /* blank line */
        if (tok[0] == '#') {
            size_t kn = token_is(tok, tn, "#") ? next_token(&ps, &tok) : 0;
            if (kn == 5 && !memcmp(tok, "flags", 5)) { /* version 2: the header's flags */
                size_t fn;
                while ((fn = next_token(&ps, &tok)) != 0) {
                    if (token_is(tok, fn, "recorded"))
                        t->hdr.flags |= AB_TRACE_F_RECORDED;
                    else if (token_is(tok, fn, "timestamps"))
                        t->hdr.flags |= AB_TRACE_F_TIMESTAMPS;
                    else {
                        perr(&ps, "unknown trace flag '%.*s' (recorded, timestamps)", (int)fn, tok);
                        goto fail;
                    }
                }
                continue;
            }
            if (kn == 4 && !memcmp(tok, "meta", 4)) {
                if (have_meta++) {
                    perr(&ps, "a second '# meta' line");
                    goto fail;
                }
                while (ps.p < ps.end && (*ps.p == ' ' || *ps.p == '\t'))
                    ps.p++;
                size_t ml = (size_t)(ps.end - ps.p);
                if (ml >= AB_TRACE_META_MAX) {
                    perr(&ps, "metadata longer than %d characters", AB_TRACE_META_MAX - 1);
                    goto fail;
                }
                for (size_t i = 0; i < ml; i++)
                    if (ps.p[i] < 0x20 || ps.p[i] > 0x7e) {
                        perr(&ps, "metadata holds a non-printable character");
                        goto fail;
                    }
                memcpy(t->hdr.meta, ps.p, ml);
            }
            continue; /* any other '#' line is a comment */
        }
        ps.p = tok; /* re-read the op name */
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            ab_op *grown = realloc(t->owned, cap * sizeof *grown);
            if (!grown) {
                perr(&ps, "out of memory for %llu ops", (unsigned long long)cap);
                goto fail;
            }
            t->owned = grown;
        }
        if (parse_op_line(&ps, &t->owned[n]))
            goto fail;
        n++;
    }
    if (ps.line == 0) {
        ab_fail(err, errlen, "empty file: not a trace");
        goto fail;
    }
    compute_header(t, n);
    t->ops = t->owned;
    return 0;
fail_nul:
    perr(&ps, "a NUL byte in a text trace");
fail:
    free(t->owned);
    memset(t, 0, sizeof *t);
    return -1;
}

unsigned long ab_trace_text_line_of_op(const char *path, uint64_t op_index)
{
    char err[512];
    FILE *f = ab_fopen_regular(path, err, sizeof err);
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0, found = 0;
    uint64_t ops = 0;
    while (!found && getline(&line, &cap, f) >= 0) {
        if (++lineno == 1)
            continue; /* the format line */
        const char *p = line + strspn(line, " \t\r\n");
        if (*p == 0 || *p == '#')
            continue; /* blank or comment: as the parser counts */
        if (ops++ == op_index)
            found = lineno;
    }
    free(line);
    fclose(f);
    return found;
}

int ab_trace_write_text(const ab_trace *t, FILE *out)
{
    const ab_trace_header *h = &t->hdr;
    fprintf(out, "%s %u\n", AB_TRACE_TEXT_MAGIC, h->version);
    if (h->meta[0])
        fprintf(out, "# meta %.*s\n", AB_TRACE_META_MAX - 1, h->meta);
    if (h->flags & (AB_TRACE_F_RECORDED | AB_TRACE_F_TIMESTAMPS))
        fprintf(out, "# flags%s%s\n", h->flags & AB_TRACE_F_RECORDED ? " recorded" : "",
                h->flags & AB_TRACE_F_TIMESTAMPS ? " timestamps" : "");
    fprintf(out, "# ops=%llu peak_live_bytes=%llu max_live_ids=%u threads=%u scopes=%u\n",
            (unsigned long long)h->op_count, (unsigned long long)h->peak_live_bytes,
            h->max_live_ids, h->thread_count, h->scope_count);
    for (uint64_t i = 0; i < h->op_count; i++) {
        const ab_op *op = &t->ops[i];
        switch (op->kind) {
        case AB_OP_ALLOC:
            fprintf(out, "alloc %u %u %llu", op->id, op->size, 1ull << (op->align_log2 & 63));
            if (op->scope)
                fprintf(out, " scope=%u", op->scope);
            break;
        case AB_OP_FREE:
            fprintf(out, "free %u", op->id);
            break;
        case AB_OP_REALLOC:
            fprintf(out, "realloc %u %u", op->id, op->size);
            break;
        case AB_OP_RESET:
            fprintf(out, "reset %u", op->scope);
            break;
        case AB_OP_MARK:
            fprintf(out, "mark %s %u",
                    op->flags >= AB_MARK_CALL && op->flags <= AB_MARK_MODULE ? mark_names[op->flags]
                                                                             : "?",
                    op->scope);
            break;
        case AB_OP_TIME:
            fprintf(out, "time %llu", (unsigned long long)op->id << 32 | op->size);
            break;
        default:
            fprintf(out, "? kind=%u", op->kind);
        }
        if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_FREE || op->kind == AB_OP_REALLOC) &&
            AB_OP_ENTRY(op) && ab_entry_name(AB_OP_ENTRY(op)))
            fprintf(out, " %s", ab_entry_name(AB_OP_ENTRY(op)));
        if (op->thread)
            fprintf(out, " thread=%u", op->thread);
        if (op->kind == AB_OP_ALLOC && (op->flags & AB_OPF_ZERO))
            fputs(" zero", out);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int ab_trace_save_text(const ab_trace *t, const char *path, char *err, size_t errlen)
{
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen))
        return -1;
    setvbuf(af.f, NULL, _IOFBF, 1 << 20);
    if (ab_trace_write_text(t, af.f)) {
        ab_atomic_abort(&af);
        return ab_fail(err, errlen, "%s: write failed", path);
    }
    return ab_atomic_commit(&af, err, errlen);
}
