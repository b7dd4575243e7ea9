/* cmd_trace.c: `alignbench trace convert|stats|check`: the trace tools for people.
 *
 * convert turns binary into text and back (exactly: binary -> text -> binary is byte-identical),
 * stats describes a trace (ops by kind, size and alignment histograms, the header's counts),
 * check runs the validator that every replay runs first. The subcommands are a table, like the
 * commands in harness/cli/main.c.
 */
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"
#include "workloads/trace_writer.h"

#include <getopt.h>
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

static void subcommand_help(const char *name);

/* The options of a subcommand (argv[0] is its name), as getopt_long sees them: -h/--help
 * answered here (returns 1), an unknown option or a missing value refused (-1), else the next
 * option (its code in *c, 0 when there are no more: optind is then the first argument). */
static int next_option(const char *who, int argc, char **argv, const struct option *longs, int *c)
{
    *c = getopt_long(argc, argv, ":h", longs, NULL);
    if (*c == -1) {
        *c = 0;
        return 0;
    }
    if (*c == 'h') {
        subcommand_help(argv[0]);
        return 1;
    }
    if (*c == ':' || *c == '?')
        return ab_opt_complain(who, *c, argv);
    return 0;
}

static int trace_check(int argc, char **argv)
{
    static const char who[] = "alignbench trace check";
    static const struct option longs[] = {{"max-size", required_argument, NULL, 's'},
                                          {"max-align", required_argument, NULL, 'a'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    optind = 0;
    opterr = 0;
    int c, r;
    while ((r = next_option(who, argc, argv, longs, &c)) == 0 && c) {
        uint64_t v;
        if (c == 's' && ab_opt_u64(AB_NUM_OPT(who, "--max-size", .want = "needs a positive number"),
                                   optarg, 1, AB_NUM_NO_MAX, &lim.max_size))
            return AB_EXIT_USAGE;
        if (c == 'a') {
            if (ab_opt_u64(AB_NUM_OPT(who, "--max-align", .flags = AB_NUM_POW2,
                                      .want = "needs a positive number (a power of two)"),
                           optarg, 1, AB_NUM_NO_MAX, &v))
                return AB_EXIT_USAGE;
            lim.max_align_log2 = (unsigned)__builtin_ctzll(v);
        }
    }
    if (r)
        return r > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    if (optind != argc - 1) {
        if (optind == argc)
            fprintf(stderr, "%s: missing FILE\n", who);
        else
            ab_opt_unexpected(who, argv[optind + 1]);
        fprintf(stderr, "usage: alignbench trace check [--max-size N] [--max-align N] FILE\n");
        return AB_EXIT_USAGE;
    }
    int i = optind;
    ab_trace t;
    if (open_trace(argv[i], &t))
        return AB_EXIT_FAILURE;
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
    return rc ? AB_EXIT_FAILURE : AB_EXIT_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int trace_convert(int argc, char **argv)
{
    static const char who[] = "alignbench trace convert";
    static const struct option longs[] = {{"to", required_argument, NULL, 't'},
                                          {"force", no_argument, NULL, 'f'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *to = NULL, *in = NULL, *out = NULL;
    int force = 0;
    optind = 0;
    opterr = 0;
    int c, r;
    while ((r = next_option(who, argc, argv, longs, &c)) == 0 && c) {
        if (c == 't')
            to = optarg;
        else if (c == 'f')
            force = 1;
    }
    if (r)
        return r > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    if (optind + 2 == argc) {
        in = argv[optind];
        out = argv[optind + 1];
    }
    if (!in || (to && strcmp(to, "text") && strcmp(to, "binary"))) {
        fprintf(stderr, "usage: alignbench trace convert [--to text|binary] [--force] IN OUT\n");
        return AB_EXIT_USAGE;
    }
    ab_trace t;
    if (open_trace(in, &t))
        return AB_EXIT_FAILURE;
    char err[512];
    if (ab_trace_validate(&t, NULL, err, sizeof err)) {
        fprintf(stderr, "%s: invalid: %s%s\n", in, err,
                force ? " (converting anyway: --force)" : " (--force converts it anyway)");
        if (!force) {
            ab_trace_close(&t);
            return AB_EXIT_FAILURE;
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
    return rc ? AB_EXIT_FAILURE : AB_EXIT_OK;
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
    static const struct option longs[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c, r = next_option("alignbench trace stats", argc, argv, longs, &c);
    if (r)
        return r > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    if (optind != argc - 1) {
        fprintf(stderr, "usage: alignbench trace stats FILE\n");
        return AB_EXIT_USAGE;
    }
    const char *path = argv[optind];
    ab_trace t;
    if (open_trace(path, &t))
        return AB_EXIT_FAILURE;
    static const char *const kinds[] = {"?", "alloc", "free", "realloc", "reset", "mark", "time"};
    static const char *const marks[] = {"?", "call", "phase", "module"};
    uint64_t by_kind[7] = {0}, by_mark[4] = {0}, sizes[STATS_CLASSES] = {0}, aligns[64] = {0};
    uint64_t zeroed = 0, alloc_bytes = 0, by_entry[3][AB_ENTRY_COUNT] = {{0}};
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        const ab_op *op = &t.ops[i];
        by_kind[op->kind <= AB_OP_TIME ? op->kind : 0]++;
        if (op->kind >= AB_OP_ALLOC && op->kind <= AB_OP_REALLOC &&
            AB_OP_ENTRY(op) < AB_ENTRY_COUNT)
            by_entry[op->kind - AB_OP_ALLOC][AB_OP_ENTRY(op)]++;
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
    printf("trace          %s (%s)\n", path, t.map ? "binary" : "text");
    printf("metadata       %s\n", h->meta);
    printf("ops            %llu\n", (unsigned long long)h->op_count);
    for (unsigned k = 1; k <= AB_OP_TIME; k++)
        if (k <= AB_OP_MARK || by_kind[k])
            printf("  %-12s %llu\n", kinds[k], (unsigned long long)by_kind[k]);
    if (by_kind[0])
        printf("  %-12s %llu\n", "unknown", (unsigned long long)by_kind[0]);
    for (unsigned k = 1; k <= AB_MARK_MODULE; k++)
        if (by_mark[k])
            printf("  mark %-7s %llu\n", marks[k], (unsigned long long)by_mark[k]);
    /* entry points (trace.h), as kind:entry (unspec: every op of a version-1 trace) */
    printf("entry points\n");
    for (unsigned k = 0; k < 3; k++)
        for (unsigned e = 0; e < AB_ENTRY_COUNT; e++)
            if (by_entry[k][e]) {
                char name[40];
                snprintf(name, sizeof name, "%s:%s", kinds[k + AB_OP_ALLOC], ab_entry_name(e));
                printf("  %-26s %llu\n", name, (unsigned long long)by_entry[k][e]);
            }
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
    return AB_EXIT_OK;
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

/* `alignbench trace NAME --help`: the subcommand's line of the table. */
static void subcommand_help(const char *name)
{
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(name, subcommands[i].name))
            printf("alignbench trace %s %s\n", subcommands[i].name, subcommands[i].summary);
}

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
        return argc < 2 ? AB_EXIT_USAGE : AB_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "alignbench trace: unknown subcommand '%s' (see alignbench trace --help)\n",
            argv[1]);
    return AB_EXIT_USAGE;
}
