/* cmd_trace.c: `alignbench trace convert|stats|check`: the trace tools for people.
 *
 * convert turns binary into text and back (exactly: binary -> text -> binary is byte-identical),
 * stats describes a trace (ops by kind, size and alignment histograms, the header's counts),
 * check runs the validator that every replay runs first. The subcommands are a table, like the
 * commands in harness/main.c.
 */
#include "harness/cli/commands.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"
#include "workloads/trace_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_trace(const char *path, ab_trace *t)
{
    char err[512];
    if (ab_trace_open(path, t, err, sizeof err)) {
        fprintf(stderr, "alignbench trace: %s\n", err);
        return -1;
    }
    return 0;
}

/* --max-size N and --max-align N (bytes) over the default limits; returns the next arg index,
 * or -1 after an error message. */
static int parse_limits(int argc, char **argv, int i, ab_trace_limits *lim)
{
    while (i < argc) {
        int is_size = !strcmp(argv[i], "--max-size");
        if (!is_size && strcmp(argv[i], "--max-align"))
            break;
        char *end;
        errno = 0;
        unsigned long long v = i + 1 < argc ? strtoull(argv[i + 1], &end, 0) : 0;
        if (i + 1 >= argc || errno || *end || v == 0 || (!is_size && (v & (v - 1)))) {
            fprintf(stderr, "alignbench trace: %s needs a positive number%s\n", argv[i],
                    is_size ? "" : " (a power of two)");
            return -1;
        }
        if (is_size)
            lim->max_size = v;
        else
            lim->max_align_log2 = (unsigned)__builtin_ctzll(v);
        i += 2;
    }
    return i;
}

static int trace_check(int argc, char **argv)
{
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    int i = parse_limits(argc, argv, 1, &lim);
    if (i < 0)
        return 2;
    if (i != argc - 1) {
        if (i == argc)
            fprintf(stderr, "alignbench trace check: missing FILE\n");
        else
            fprintf(stderr,
                    "alignbench trace check: unexpected '%s' after '%s' (options go before FILE)\n",
                    argv[i + 1], argv[i]);
        fprintf(stderr, "usage: alignbench trace check [--max-size N] [--max-align N] FILE\n");
        return 2;
    }
    ab_trace t;
    if (open_trace(argv[i], &t))
        return 1;
    char err[512];
    int rc = ab_trace_validate(&t, &lim, err, sizeof err);
    unsigned long long op;
    int at;
    unsigned long line;
    if (rc && t.map == NULL && sscanf(err, "op %llu:%n", &op, &at) == 1 &&
        (line = ab_trace_text_line_of_op(argv[i], op)) != 0)
        fprintf(stderr, "%s: invalid: op %llu (line %lu):%s\n", argv[i], op, line, err + at);
    else if (rc)
        fprintf(stderr, "%s: invalid: %s\n", argv[i], err);
    else
        printf("ok: %llu ops\n", (unsigned long long)t.hdr.op_count);
    ab_trace_close(&t);
    return rc ? 1 : 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int trace_convert(int argc, char **argv)
{
    const char *to = NULL, *in = NULL, *out = NULL;
    int force = 0, extra = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc)
            to = argv[++i];
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!in)
            in = argv[i];
        else if (!out)
            out = argv[i];
        else
            extra = 1;
    }
    if (extra || !in || !out || (to && strcmp(to, "text") && strcmp(to, "binary"))) {
        fprintf(stderr, "usage: alignbench trace convert [--to text|binary] [--force] IN OUT\n");
        return 2;
    }
    ab_trace t;
    if (open_trace(in, &t))
        return 1;
    char err[512];
    if (ab_trace_validate(&t, NULL, err, sizeof err)) {
        fprintf(stderr, "%s: invalid: %s%s\n", in, err,
                force ? " (converting anyway: --force)" : " (--force converts it anyway)");
        if (!force) {
            ab_trace_close(&t);
            return 1;
        }
    }
    int in_text = t.map == NULL; /* text traces are parsed into memory, binary ones mapped */
    int as_text = to                         ? !strcmp(to, "text")
                  : ends_with(out, ".txt")   ? 1
                  : ends_with(out, ".abt")   ? 0
                  : ends_with(out, ".trace") ? 0
                                             : !in_text;
    int rc = as_text ? ab_trace_save_text(&t, out, err, sizeof err)
                     : ab_trace_save_binary(&t, out, err, sizeof err);
    if (rc)
        fprintf(stderr, "alignbench trace convert: %s\n", err);
    else
        fprintf(stderr, "%s -> %s (%s): %llu ops\n", in, out, as_text ? "text" : "binary",
                (unsigned long long)t.hdr.op_count);
    ab_trace_close(&t);
    return rc ? 1 : 0;
}

#define STATS_CLASSES 34 /* size classes: 0, 1, then (2^(k-2), 2^(k-1)] for k = 2..33 */

static unsigned size_class(uint32_t size)
{
    return size == 0 ? 0 : 1 + (size == 1 ? 0 : 32 - (unsigned)__builtin_clz(size - 1));
}

static void print_histogram(const char *title, const uint64_t *count, unsigned n, int sizes)
{
    uint64_t total = 0;
    for (unsigned k = 0; k < n; k++)
        total += count[k];
    if (!total)
        return;
    printf("%s\n", title);
    for (unsigned k = 0; k < n; k++) {
        if (!count[k])
            continue;
        char label[48];
        if (!sizes)
            snprintf(label, sizeof label, "%llu", 1ull << k);
        else if (k == 0)
            snprintf(label, sizeof label, "0");
        else if (k == 1)
            snprintf(label, sizeof label, "1");
        else
            snprintf(label, sizeof label, "%llu..%llu", (1ull << (k - 2)) + 1, 1ull << (k - 1));
        printf("  %-24s %12llu  %5.1f%%\n", label, (unsigned long long)count[k],
               100.0 * (double)count[k] / (double)total);
    }
}

static int trace_stats(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: alignbench trace stats FILE\n");
        return 2;
    }
    ab_trace t;
    if (open_trace(argv[1], &t))
        return 1;
    static const char *const kinds[] = {"?", "alloc", "free", "realloc", "reset", "mark"};
    static const char *const marks[] = {"?", "call", "phase", "module"};
    uint64_t by_kind[6] = {0}, by_mark[4] = {0}, sizes[STATS_CLASSES] = {0}, aligns[64] = {0};
    uint64_t zeroed = 0, alloc_bytes = 0;
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        const ab_op *op = &t.ops[i];
        by_kind[op->kind <= AB_OP_MARK ? op->kind : 0]++;
        if (op->kind == AB_OP_ALLOC) {
            sizes[size_class(op->size)]++;
            aligns[op->align_log2 & 63]++;
            alloc_bytes += op->size;
            zeroed += (op->flags & AB_OPF_ZERO) != 0;
        } else if (op->kind == AB_OP_MARK) {
            by_mark[op->flags <= AB_MARK_MODULE ? op->flags : 0]++;
        }
    }
    const ab_trace_header *h = &t.hdr;
    printf("trace          %s (%s)\n", argv[1], t.map ? "binary" : "text");
    printf("metadata       %s\n", h->meta);
    printf("ops            %llu\n", (unsigned long long)h->op_count);
    for (unsigned k = 1; k <= AB_OP_MARK; k++)
        printf("  %-12s %llu\n", kinds[k], (unsigned long long)by_kind[k]);
    if (by_kind[0])
        printf("  %-12s %llu\n", "unknown", (unsigned long long)by_kind[0]);
    for (unsigned k = 1; k <= AB_MARK_MODULE; k++)
        if (by_mark[k])
            printf("  mark %-7s %llu\n", marks[k], (unsigned long long)by_mark[k]);
    printf("zeroed allocs  %llu\n", (unsigned long long)zeroed);
    printf("alloc bytes    %llu (mean %.1f)\n", (unsigned long long)alloc_bytes,
           by_kind[AB_OP_ALLOC] ? (double)alloc_bytes / (double)by_kind[AB_OP_ALLOC] : 0.0);
    printf("peak live      %llu bytes\n", (unsigned long long)h->peak_live_bytes);
    printf("max live ids   %u\n", h->max_live_ids);
    printf("threads        %u\n", h->thread_count);
    printf("scopes         %u\n", h->scope_count);
    print_histogram("alloc sizes (bytes)", sizes, STATS_CLASSES, 1);
    print_histogram("alloc alignments (bytes)", aligns, 64, 0);
    ab_trace_close(&t);
    return 0;
}

typedef struct trace_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} trace_subcommand;

static const trace_subcommand subcommands[] = {
    {"check", trace_check, "FILE: validate (as before every replay); 'ok: N ops' or the error"},
    {"stats", trace_stats, "FILE: ops by kind, size and alignment histograms, counts, metadata"},
    {"convert", trace_convert, "IN OUT: binary <-> text (--to text|binary, else by extension)"},
};

static void trace_usage(FILE *out)
{
    fprintf(out, "usage: alignbench trace SUBCOMMAND ARGS...\n\n"
                 "Tools for traces (binary or text, detected by their first bytes):\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\ncheck also takes --max-size N and --max-align N (defaults 1 GiB and 1 GiB);\n"
                 "convert refuses an invalid trace unless --force. The text form is described\n"
                 "in docs/workloads.md, \"The trace format\".\n");
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        trace_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(argv[1], subcommands[i].name))
            continue;
        for (int j = 2; j < argc; j++)
            if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
                printf("alignbench trace %s %s\n", subcommands[i].name, subcommands[i].summary);
                return 0;
            }
        return subcommands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "alignbench trace: unknown subcommand '%s' (see alignbench trace --help)\n",
            argv[1]);
    return 2;
}
