/* cmd_compare.c: `alignbench compare BASE NEW`, the regression gate for CI.
 *
 * Both sides are read by compare_load.c (results.json of `run`, or Google Benchmark JSON of
 * `micro`). For every cell present on both sides and every chosen metric it prints the two
 * medians, the change, the two-sided Mann-Whitney U p-value over the repetitions
 * (mannwhitney.h) and a verdict:
 *   same         |change| <= threshold, and the run could have seen a change of the threshold
 *                (its minimum detectable effect, compare_mde.h, is at most the threshold)
 *   unresolved   |change| <= threshold (or, for a count, below the effect it could detect),
 *                but the run could not have seen a change of the threshold: never "same"
 *   regression   beyond the threshold in the worse direction, and p < alpha (a count: beyond
 *                the threshold and the detectable effect)
 *   improvement  the same in the better direction
 *   noisy        beyond the threshold but not significant (p >= alpha)
 *   failed       NEW has failed repetitions (crash, timeout, gbench error) where BASE had none
 * Counts (run --measure instructions: instructions, misses, estimated cycles) are exact and
 * repeat, so they are judged by their size alone, against a threshold of 0.2 % by default.
 * Exit 1 when any cell regressed or failed, 0 otherwise, 2 on bad input. Cells on one side
 * only are listed, and differing contexts (host, CPU, kernel, allocator versions) are stated
 * first. --json writes the same diff for other tools; --format markdown prints it as a GitHub
 * Markdown table (regressions first), also appended to $GITHUB_STEP_SUMMARY when that is set.
 *
 * --within RESULTS --alloc A,B compares allocator B against allocator A (the base) in every
 * workload of one run where both have ok repetitions, with the same test and verdicts. It is a
 * report: exit 0 unless --fail-on-regression is given.
 *
 * A run's ns_per_op and cycles_per_op are raw (allocator plus the replay floor): the change, the
 * threshold and the U test are on it, because the floor is the same harness code on both sides
 * and the net time (a few ns) turns small absolute changes into large relative ones. The net
 * medians are printed next to them, for reading, never for the verdict.
 *
 * Cells and metrics are called as in results.json (results/README.md, "Names"): a cell is
 * ALLOCATOR/WORKLOAD, a metric its key (cycles_per_op; Google Benchmark's real_time for micro).
 */
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/analysis/compare_data.h"
#include "harness/analysis/compare_mde.h"
#include "harness/common/json_file.h"
#include "harness/analysis/mannwhitney.h"
#include "harness/analysis/stats.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "alignbench compare"

enum verdict {
    V_SAME,
    V_IMPROVEMENT,
    V_REGRESSION,
    V_NOISY,
    V_FAILED,
    V_NA,
    V_UNRESOLVED,
    V_COUNT
};
static const char *const verdict_names[V_COUNT] = {"same",   "improvement", "regression", "noisy",
                                                   "failed", "n/a",         "unresolved"};

/* The default threshold of counts (compare_mde.h: twice their repeatability), percent. */
#define COUNT_THRESHOLD_PCT 0.2

typedef struct compare_opts {
    const char *base, *new_, *json_out;
    const char *within;              /* --within RESULTS, or NULL */
    char alloc_a[128], alloc_b[128]; /* --alloc A,B ("" when not given) */
    int fail_on_regression, markdown;
    double threshold_pct, alpha;
    int threshold_given; /* --threshold: for every metric; else counts have their own default */
    int metrics[64];
    size_t nmetrics;
    int all;     /* 'all' was asked for: keep what the file kind has, skip the rest */
    int by_kind; /* the default metrics of results: each cell those of its kind */
} compare_opts;

typedef struct row {
    const ab_cmp_cell *b, *n;
    const char *label; /* the cell key, or the workload in --within */
    int metric;        /* -1: the cell's failure row */
    double base_median, new_median, change_pct, min_p;
    double mde_pct;           /* the smallest change this comparison could detect (compare_mde.h) */
    double threshold;         /* the threshold applied to this row, percent */
    double net_base, net_new; /* medians of the metric's net part (ns), NAN when none */
    ab_mw_result mw;
    enum verdict v;
} row;

static void usage(FILE *f)
{
    fprintf(f, "usage: alignbench compare BASE NEW [--threshold PCT] [--alpha A]\n"
               "                          [--metric NAME[,NAME...]]... [--json FILE]\n"
               "                          [--format text|markdown]\n"
               "       alignbench compare --within RESULTS --alloc A,B [--fail-on-regression]\n"
               "                          [same options]\n\n"
               "Compares two results: results.json files of `alignbench run` (or their run\n"
               "folders), or two Google Benchmark JSON files of `alignbench micro` (the kind is\n"
               "detected). Per cell and metric: old and new median, change, two-sided\n"
               "Mann-Whitney U p-value over the repetitions, and a verdict (same, regression,\n"
               "improvement, noisy = beyond the threshold but not significant, failed = NEW has\n"
               "failed repetitions where BASE had none, unresolved = within the threshold but the\n"
               "run could not have seen a change of the threshold: its minimum detectable\n"
               "effect, printed as \"mde\", is larger; never called same).\n\n"
               "options:\n"
               "  --threshold PCT  smallest change that counts, e.g. 5%% or 5 (default 5%% for\n"
               "                   times and memory, 0.2%% for the counts of --measure\n"
               "                   instructions runs, which repeat within 0.1%%)\n"
               "  --alpha A        significance level for the U test (default 0.05)\n"
               "  --metric LIST    metrics to compare (repeatable, comma lists, 'all'), by\n"
               "                   their results.json keys (Google Benchmark's fields for\n"
               "                   micro), as printed; the older short names in parentheses\n"
               "                   below are accepted too. Default: cycles_per_op,frag_peak\n"
               "                   for runs (cpu_mcycles,peak_rss for --program cells,\n"
               "                   instructions_per_op_net for --measure instructions runs),\n"
               "                   real_time for micro (a run's ns_per_op and cycles_per_op\n"
               "                   are raw; the net change is printed next to them)\n"
               "  --json FILE      also write the comparison as JSON\n"
               "  --format FMT     text (default) or markdown: a GitHub Markdown summary and\n"
               "                   table, regressions first; when GITHUB_STEP_SUMMARY names a\n"
               "                   file, the Markdown is also appended to it\n"
               "  --within RESULTS one run (results.json, its folder, or a micro JSON file):\n"
               "                   compare allocator B against allocator A (the base) in every\n"
               "                   workload where both have ok repetitions; needs --alloc A,B\n"
               "  --alloc A,B      the two allocators of --within\n"
               "  --fail-on-regression  with --within: exit 1 when B is significantly worse\n"
               "                   than A (or failed where A did not) on any metric\n\n"
               "metrics (lower is better unless marked higher):\n");
    for (size_t i = 0; i < ab_cmp_metric_count; i++) {
        const ab_cmp_metric *m = &ab_cmp_metrics[i];
        char names[96];
        const char *name = ab_cmp_metric_name(m, AB_CMP_RESULTS);
        int used = snprintf(names, sizeof names, "%s", name);
        if (m->results_key && m->gbench_key && strcmp(m->results_key, m->gbench_key))
            used += snprintf(names + used, sizeof names - used, ", micro %s", m->gbench_key);
        if (strcmp(m->alias, name))
            snprintf(names + used, sizeof names - used, " (%s)", m->alias);
        fprintf(f, "  %-34s %s%s [%s%s%s]\n", names, ab_cmp_metric_what(m),
                ab_cmp_metric_higher_is_better(m) ? " (higher)" : "", m->results_key ? "run" : "",
                m->results_key && m->gbench_key ? ", " : "", m->gbench_key ? "micro" : "");
    }
    fprintf(f,
            "\nRepetitions: the smallest two-sided p with n+m repetitions is 2/C(n+m,n):\n"
            "2+2 gives 0.33, 3+3 0.10, 4+4 0.029, 5+5 0.0079. With fewer than about 4 per\n"
            "side no change can be significant at alpha 0.05 (such cells say noisy).\n\n"
            "Minimum detectable effect (mde, percent of the base median): for times, the\n"
            "shift the U test finds with 80%% power, (z(1-alpha/2) + z(0.8)) * sigma *\n"
            "sqrt(pi/3 * (1/n + 1/m)) / |base median|, sigma = 1.4826 * the two sides' root\n"
            "mean square MAD (infinite when n+m repetitions cannot reach alpha); for counts,\n"
            "the larger of their 0.1%% repeatability and the spread within a side. A change\n"
            "below the threshold is \"same\" only when mde <= threshold, else \"unresolved\".\n\n"
            "Exit status: 0 no significant regression, 1 a cell regressed significantly\n"
            "beyond the threshold or failed, 2 bad input (unreadable, malformed, mixed kinds).\n"
            "With --within: 0 (a report, whatever the verdicts), or with --fail-on-regression\n"
            "1 when B regressed against A or failed; 2 bad input (no --alloc, an allocator\n"
            "absent from the run).\n");
}

/* Adds metric m once (a metric named twice, or also by 'all', is one row). */
static void push_metric(compare_opts *o, int m)
{
    for (size_t i = 0; i < o->nmetrics; i++)
        if (o->metrics[i] == m)
            return;
    if (o->nmetrics < sizeof o->metrics / sizeof o->metrics[0])
        o->metrics[o->nmetrics++] = m;
}

static int add_metrics(compare_opts *o, const char *list)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "all")) {
            o->all = 1;
            for (size_t i = 0; i < ab_cmp_metric_count; i++)
                push_metric(o, (int)i);
            continue;
        }
        int m = ab_cmp_metric_find(tok);
        if (m < 0) {
            fprintf(stderr, "alignbench compare: unknown metric '%s'; valid:", tok);
            for (size_t i = 0; i < ab_cmp_metric_count; i++)
                fprintf(stderr, " %s", ab_cmp_metric_name(&ab_cmp_metrics[i], AB_CMP_RESULTS));
            fprintf(stderr, "\n");
            return -1;
        }
        push_metric(o, m);
    }
    return 0;
}

static int parse_args(int argc, char **argv, compare_opts *o)
{
    static const struct option longs[] = {{"threshold", required_argument, NULL, 't'},
                                          {"alpha", required_argument, NULL, 'a'},
                                          {"metric", required_argument, NULL, 'm'},
                                          {"json", required_argument, NULL, 'j'},
                                          {"format", required_argument, NULL, 'f'},
                                          {"within", required_argument, NULL, 'w'},
                                          {"alloc", required_argument, NULL, 'A'},
                                          {"fail-on-regression", no_argument, NULL, 'F'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    o->threshold_pct = 5;
    o->alpha = 0.05;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 't':
            if (ab_opt_double(AB_NUM_OPT(WHO, "--threshold", .flags = AB_NUM_PERCENT), optarg, 0,
                              INFINITY, &o->threshold_pct))
                return -1;
            o->threshold_given = 1;
            break;
        case 'a':
            if (ab_opt_double(
                    AB_NUM_OPT(WHO, "--alpha", .flags = AB_NUM_ABOVE_MIN | AB_NUM_BELOW_MAX),
                    optarg, 0, 1, &o->alpha))
                return -1;
            break;
        case 'm':
            if (add_metrics(o, optarg))
                return -1;
            break;
        case 'j':
            o->json_out = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
                o->markdown = 1;
            else if (!strcmp(optarg, "text"))
                o->markdown = 0;
            else {
                fprintf(stderr, WHO ": --format '%s': expected text or markdown\n", optarg);
                return -1;
            }
            break;
        case 'w':
            o->within = optarg;
            break;
        case 'A': {
            const char *comma = strchr(optarg, ',');
            if (!comma || comma == optarg || !comma[1] || strchr(comma + 1, ',') ||
                (size_t)(comma - optarg) >= sizeof o->alloc_a ||
                strlen(comma + 1) >= sizeof o->alloc_b) {
                fprintf(stderr,
                        WHO ": --alloc '%s': expected two allocators A,B (B is compared "
                            "against A)\n",
                        optarg);
                return -1;
            }
            snprintf(o->alloc_a, sizeof o->alloc_a, "%.*s", (int)(comma - optarg), optarg);
            snprintf(o->alloc_b, sizeof o->alloc_b, "%s", comma + 1);
            if (!strcmp(o->alloc_a, o->alloc_b)) {
                fprintf(stderr, WHO ": --alloc %s: an allocator against itself\n", optarg);
                return -1;
            }
            break;
        }
        case 'F':
            o->fail_on_regression = 1;
            break;
        default:
            return ab_opt_complain(WHO, c, argv);
        }
    }
    if (o->within || o->alloc_a[0]) {
        if (!o->within) {
            fprintf(stderr, WHO ": --alloc needs --within RESULTS\n");
            return -1;
        }
        if (!o->alloc_a[0]) {
            fprintf(stderr, WHO ": --within needs --alloc A,B (B is compared against A)\n");
            return -1;
        }
        if (argc - optind != 0) {
            fprintf(stderr, WHO ": --within takes one results file, not BASE and NEW\n");
            return -1;
        }
        o->base = o->new_ = o->within;
        return 0;
    }
    if (o->fail_on_regression) {
        fprintf(stderr, WHO ": --fail-on-regression is for --within (BASE NEW always gates)\n");
        return -1;
    }
    if (argc - optind > 2) {
        fprintf(stderr, WHO ": more than two files given\n");
        return -1;
    }
    if (argc - optind != 2) {
        fprintf(stderr, WHO ": needs BASE and NEW (see --help)\n");
        return -1;
    }
    o->base = argv[optind];
    o->new_ = argv[optind + 1];
    return 0;
}

/* Default metrics of each kind, and a check that every chosen one exists in it. */
static int settle_metrics(compare_opts *o, ab_cmp_kind kind)
{
    if (o->nmetrics == 0)
        /* not p99 by default: a latency in ns moves with the host's clock between two runs */
        return (o->by_kind = kind == AB_CMP_RESULTS),
               add_metrics(o, kind == AB_CMP_RESULTS ? AB_CMP_DEFAULTS : "real_time");
    size_t kept = 0;
    for (size_t i = 0; i < o->nmetrics; i++) {
        const ab_cmp_metric *m = &ab_cmp_metrics[o->metrics[i]];
        if (ab_cmp_metric_key(m, kind)) {
            o->metrics[kept++] = o->metrics[i];
        } else if (!o->all) {
            fprintf(stderr, "alignbench compare: metric '%s' does not exist in %s files\n",
                    ab_cmp_metric_name(m, kind),
                    kind == AB_CMP_RESULTS ? "results.json" : "Google Benchmark");
            return -1;
        }
    }
    o->nmetrics = kept;
    return 0;
}

static const char *side_kind(ab_cmp_kind k)
{
    return k == AB_CMP_RESULTS ? "alignbench results" : "Google Benchmark";
}

/* Context differences as [{key, base, new}] (null for a side without the key). */
static json_t *context_differences(const ab_cmp_side *b, const ab_cmp_side *n)
{
    json_t *out = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(b->context, key, v)
    {
        json_t *w = json_object_get(n->context, key);
        if (!w || !json_equal(v, w))
            json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "key", key, "base", v, "new",
                                                 w ? w : json_null()));
    }
    json_object_foreach(n->context, key, v)
    {
        if (!json_object_get(b->context, key))
            json_array_append_new(out, json_pack("{s:s, s:n, s:O}", "key", key, "base", "new", v));
    }
    return out;
}

static double median_of(const ab_cmp_samples *s)
{
    return ab_median(s->v, s->n);
}

/* The medians of the row metric's net part (ab_cmp_metric.net_metric), when both sides have it. */
static void note_net(row *r)
{
    r->net_base = r->net_new = NAN;
    const ab_cmp_metric *m = &ab_cmp_metrics[r->metric];
    int k = m->net_metric ? ab_cmp_metric_find(m->net_metric) : -1;
    if (k < 0 || r->b->metric[k].n == 0 || r->n->metric[k].n == 0)
        return;
    r->net_base = median_of(&r->b->metric[k]);
    r->net_new = median_of(&r->n->metric[k]);
}

static void compare_metric(const compare_opts *o, row *r)
{
    const ab_cmp_metric *m = &ab_cmp_metrics[r->metric];
    const ab_cmp_samples *bs = &r->b->metric[r->metric], *ns = &r->n->metric[r->metric];
    r->base_median = median_of(bs);
    r->new_median = median_of(ns);
    if (r->base_median == r->new_median)
        r->change_pct = 0;
    else if (r->base_median == 0)
        r->change_pct = r->new_median > 0 ? INFINITY : -INFINITY;
    else
        r->change_pct = (r->new_median - r->base_median) / fabs(r->base_median) * 100.0;
    r->min_p = ab_mw_min_p(bs->n, ns->n);
    note_net(r);
    int count = ab_cmp_metric_is_count(m);
    r->threshold = count && !o->threshold_given ? COUNT_THRESHOLD_PCT : o->threshold_pct;
    r->mde_pct = ab_cmp_mde_pct(bs->v, bs->n, ns->v, ns->n, o->alpha, count);
    if (ab_mannwhitney(bs->v, bs->n, ns->v, ns->n, &r->mw) != 0) {
        r->mw.p = NAN;
        r->v = V_NA;
        return;
    }
    if (count)
        r->mw.p = NAN; /* exact counts: no test, the verdict is on the size */
    double worse = ab_cmp_metric_higher_is_better(m) ? -r->change_pct : r->change_pct;
    double size = fabs(r->change_pct);
    /* within the threshold: "same" only when the run could have seen the threshold's change */
    if (size <= r->threshold)
        r->v = r->mde_pct <= r->threshold ? V_SAME : V_UNRESOLVED;
    else if (count) /* exact counts: no test; a change below the detectable one is unresolved */
        r->v = size <= r->mde_pct ? V_UNRESOLVED : worse > 0 ? V_REGRESSION : V_IMPROVEMENT;
    else if (!(r->mw.p < o->alpha))
        r->v = V_NOISY;
    else
        r->v = worse > 0 ? V_REGRESSION : V_IMPROVEMENT;
}

/* A timed row whose repetitions can never reach p < alpha (counts need no U test). */
static int too_few(const compare_opts *o, const row *r)
{
    return r->v != V_NA && r->min_p >= o->alpha &&
           !ab_cmp_metric_is_count(&ab_cmp_metrics[r->metric]);
}

/* "1.3%", "inf" (nothing detectable), "-". */
static void fmt_mde(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (isinf(v))
        snprintf(buf, len, "inf");
    else
        snprintf(buf, len, "%.2g%%", v);
}

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

static row *rows_add(rows *rs)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? 2 * rs->cap : 64;
        row *nr = realloc(rs->r, cap * sizeof *nr);
        if (!nr)
            return NULL;
        rs->r = nr;
        rs->cap = cap;
    }
    row *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    r->mw.p = NAN;
    r->net_base = r->net_new = NAN;
    r->mde_pct = NAN;
    return r;
}

/* The rows of one pair of cells: cb (the base) against cn. */
static int add_pair(const compare_opts *o, const ab_cmp_cell *cb, const ab_cmp_cell *cn,
                    const char *label, rows *rs)
{
    {
        if (cn->failed > 0 && cb->failed == 0) {
            row *r = rows_add(rs);
            if (!r)
                return -1;
            *r = (row){.b = cb,
                       .n = cn,
                       .label = label,
                       .metric = -1,
                       .v = V_FAILED,
                       .mw.p = NAN,
                       .net_base = NAN,
                       .net_new = NAN,
                       .mde_pct = NAN};
        }
        for (size_t k = 0; k < o->nmetrics; k++) {
            int m = o->metrics[k];
            if (cb->metric[m].n == 0 && cn->metric[m].n == 0)
                continue; /* this cell does not have the metric */
            if (o->by_kind && !ab_cmp_metric_default_for(&ab_cmp_metrics[m], cb))
                continue;
            row *r = rows_add(rs);
            if (!r)
                return -1;
            r->b = cb;
            r->n = cn;
            r->label = label;
            r->metric = m;
            if (cb->metric[m].n == 0 || cn->metric[m].n == 0) {
                r->v = V_NA;
                r->base_median = cb->metric[m].n ? median_of(&cb->metric[m]) : NAN;
                r->new_median = cn->metric[m].n ? median_of(&cn->metric[m]) : NAN;
                r->change_pct = NAN;
                continue;
            }
            compare_metric(o, r);
        }
    }
    return 0;
}

/* Which cells were compared, and the lists of those that were not. */
typedef struct view {
    const char *base_name, *new_name; /* "BASE" and "NEW", or allocators A and B (--within) */
    json_t *only_base, *only_new;     /* labels of cells on one side only */
    json_t *not_ok;                   /* --within: workloads where A or B has no ok repetition */
    json_t *diffs;                    /* context differences */
    size_t counts[V_COUNT], too_few;
} view;

static int build_rows(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n, rows *rs,
                      view *vw)
{
    for (size_t i = 0; i < b->ncells; i++) {
        const ab_cmp_cell *cb = &b->cells[i];
        const ab_cmp_cell *cn = ab_cmp_find_cell(n, cb->key);
        if (!cn)
            json_array_append_new(vw->only_base, json_string(cb->key));
        else if (add_pair(o, cb, cn, cb->key, rs))
            return -1;
    }
    for (size_t k = 0; k < n->ncells; k++)
        if (!ab_cmp_find_cell(b, n->cells[k].key))
            json_array_append_new(vw->only_new, json_string(n->cells[k].key));
    return 0;
}

static const ab_cmp_cell *find_alloc_cell(const ab_cmp_side *s, const char *alloc,
                                          const char *workload)
{
    for (size_t i = 0; i < s->ncells; i++)
        if (!strcmp(s->cells[i].allocator, alloc) && !strcmp(s->cells[i].workload, workload))
            return &s->cells[i];
    return NULL;
}

static int has_alloc(const ab_cmp_side *s, const char *alloc)
{
    for (size_t i = 0; i < s->ncells; i++)
        if (!strcmp(s->cells[i].allocator, alloc))
            return 1;
    return 0;
}

/* --within: B against A in every workload both have, in the run's order. 0, or -1 with a
 * message when an allocator is not in the run, -2 when out of memory. */
static int build_within(const compare_opts *o, const ab_cmp_side *s, rows *rs, view *vw)
{
    const char *ab[2] = {o->alloc_a, o->alloc_b};
    for (int k = 0; k < 2; k++) {
        if (has_alloc(s, ab[k]))
            continue;
        fprintf(stderr, WHO ": allocator '%s' is not in %s; it has:", ab[k], s->path);
        for (size_t i = 0; i < s->ncells; i++) {
            size_t j = 0;
            while (j < i && strcmp(s->cells[j].allocator, s->cells[i].allocator))
                j++;
            if (j == i)
                fprintf(stderr, " %s", s->cells[i].allocator[0] ? s->cells[i].allocator : "''");
        }
        fprintf(stderr, "\n");
        return -1;
    }
    for (size_t i = 0; i < s->ncells; i++) {
        const ab_cmp_cell *ca = &s->cells[i];
        if (strcmp(ca->allocator, o->alloc_a) != 0)
            continue;
        const ab_cmp_cell *cb = find_alloc_cell(s, o->alloc_b, ca->workload);
        if (!cb)
            json_array_append_new(vw->only_base, json_string(ca->workload));
        else if (ca->failed == ca->reps || cb->failed == cb->reps)
            json_array_append_new(vw->not_ok, json_string(ca->workload));
        else if (add_pair(o, ca, cb, ca->workload, rs))
            return -2;
    }
    for (size_t i = 0; i < s->ncells; i++)
        if (!strcmp(s->cells[i].allocator, o->alloc_b) &&
            !find_alloc_cell(s, o->alloc_a, s->cells[i].workload))
            json_array_append_new(vw->only_new, json_string(s->cells[i].workload));
    return 0;
}

static void fmt_num(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.4g", v);
}

static void fmt_change(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (isinf(v))
        snprintf(buf, len, "%s", v > 0 ? "+inf" : "-inf");
    else
        snprintf(buf, len, fabs(v) < 1 ? "%+.3f%%" : "%+.1f%%", v); /* counts move by 0.1 % */
}

static void fmt_p(char *buf, size_t len, double p)
{
    if (isnan(p))
        snprintf(buf, len, "-");
    else if (p < 1e-4)
        snprintf(buf, len, "%.1e", p);
    else
        snprintf(buf, len, "%.4f", p);
}

static int has_net(const row *r)
{
    return isfinite(r->net_base) && isfinite(r->net_new);
}

static void print_list(const char *what, const json_t *list)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) printf("%s%s\n", what, json_string_value(v));
}

static void print_report(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n,
                         const rows *rs, const view *vw)
{
    if (o->within)
        printf("RESULTS %s (%s%s)\n%s against %s (the base) in each workload\n", b->path,
               side_kind(b->kind), b->incomplete ? ", INCOMPLETE run" : "", o->alloc_b, o->alloc_a);
    else
        printf("BASE %s (%s%s)\nNEW  %s (%s%s)\n", b->path, side_kind(b->kind),
               b->incomplete ? ", INCOMPLETE run" : "", n->path, side_kind(n->kind),
               n->incomplete ? ", INCOMPLETE run" : "");
    printf("threshold %.4g%%%s, alpha %.4g, two-sided Mann-Whitney U over the repetitions; mde: "
           "the smallest change the repetitions could detect\n",
           o->threshold_pct, o->threshold_given ? "" : " (counts: 0.2%, judged by size)", o->alpha);
    for (size_t k = 0; k < rs->n; k++)
        if (has_net(&rs->r[k])) {
            printf("cycles_per_op, ns_per_op: change, threshold and U test on the raw figure "
                   "(allocator "
                   "plus the replay floor,\nthe same harness code on both sides); \"net\" is the "
                   "median net of the floor, base -> new, for reading only\n");
            break;
        }
    if (!o->within && (b->load[0] || n->load[0]))
        printf("load average (1, 5, 15 min) at the start: BASE %s; NEW %s\n",
               b->load[0] ? b->load : "unknown", n->load[0] ? n->load : "unknown");
    size_t i;
    json_t *d;
    if (json_array_size(vw->diffs))
        printf("\nCONTEXT DIFFERS (numbers may not be comparable):\n");
    json_array_foreach(vw->diffs, i, d)
    {
        const char *bv = json_string_value(json_object_get(d, "base"));
        const char *nv = json_string_value(json_object_get(d, "new"));
        printf("  %s: %s%s%s -> %s%s%s\n", json_string_value(json_object_get(d, "key")),
               bv ? "'" : "", bv ? bv : "(absent)", bv ? "'" : "", nv ? "'" : "",
               nv ? nv : "(absent)", nv ? "'" : "");
    }

    int w = 10, mw = 14; /* the cell and metric columns: as wide as their longest name */
    for (size_t k = 0; k < rs->n; k++) {
        int len = (int)strlen(rs->r[k].label);
        if (len > w)
            w = len < 60 ? len : 60;
        if (rs->r[k].metric >= 0) {
            len = (int)strlen(ab_cmp_metric_name(&ab_cmp_metrics[rs->r[k].metric], b->kind));
            mw = len > mw ? len : mw;
        }
    }
    printf("\n%-*s  %-*s %12s %3s %12s %3s %9s %7s %9s  %s\n", w, o->within ? "workload" : "cell",
           mw, "metric", o->within ? o->alloc_a : "base", "n", o->within ? o->alloc_b : "new", "n",
           "change", "mde", "p", "verdict");
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[k];
        if (r->metric < 0) {
            printf("%-*s  %-*s %s: %s has %zu of %zu repetitions failed (%s)\n", w, r->label, mw,
                   "(runs)", verdict_names[r->v], vw->new_name, r->n->failed, r->n->reps,
                   r->n->failure);
            continue;
        }
        char bm[32], nm[32], ch[32], p[32], mde[32];
        fmt_num(bm, sizeof bm, r->base_median);
        fmt_num(nm, sizeof nm, r->new_median);
        fmt_change(ch, sizeof ch, r->change_pct);
        fmt_p(p, sizeof p, r->mw.p);
        fmt_mde(mde, sizeof mde, r->mde_pct);
        printf("%-*s  %-*s %12s %3zu %12s %3zu %9s %7s %9s  %s%s", w, r->label, mw,
               ab_cmp_metric_name(&ab_cmp_metrics[r->metric], b->kind), bm,
               r->b->metric[r->metric].n, nm, r->n->metric[r->metric].n, ch, mde, p,
               verdict_names[r->v], too_few(o, r) ? " (too few repetitions)" : "");
        if (has_net(r))
            printf("  net %.3g -> %.3g %s (%+.3g %s)", r->net_base, r->net_new,
                   ab_cmp_metric_unit(&ab_cmp_metrics[r->metric]), r->net_new - r->net_base,
                   ab_cmp_metric_unit(&ab_cmp_metrics[r->metric]));
        putchar('\n');
    }
    char what[300];
    snprintf(what, sizeof what, "only %s %s: ", o->within ? "with" : "in", vw->base_name);
    print_list(what, vw->only_base);
    snprintf(what, sizeof what, "only %s %s:  ", o->within ? "with" : "in", vw->new_name);
    print_list(what, vw->only_new);
    snprintf(what, sizeof what, "not compared (%s or %s has no ok repetition): ", o->alloc_a,
             o->alloc_b);
    print_list(what, vw->not_ok);
    if (vw->too_few)
        printf("\nnote: %zu comparison(s) have too few repetitions to ever reach p < %.4g (the "
               "smallest two-sided p is 2/C(n+m,n): 2+2 gives 0.33, 5+5 gives 0.0079); use at "
               "least 4 repetitions per side\n",
               vw->too_few, o->alpha);
    const size_t *counts = vw->counts;
    printf("\n%zu regression(s), %zu failed, %zu improvement(s), %zu same, %zu unresolved, %zu "
           "noisy, %zu n/a\n",
           counts[V_REGRESSION], counts[V_FAILED], counts[V_IMPROVEMENT], counts[V_SAME],
           counts[V_UNRESOLVED], counts[V_NOISY], counts[V_NA]);
}

/* ---- Markdown (--format markdown) ---- */

/* The order of the Markdown table: what a reviewer must read first. */
static int verdict_rank(enum verdict v)
{
    static const int rank[V_COUNT] = {
        [V_REGRESSION] = 0, [V_FAILED] = 1, [V_IMPROVEMENT] = 2, [V_NOISY] = 3,
        [V_UNRESOLVED] = 4, [V_NA] = 5,     [V_SAME] = 6};
    return rank[v];
}

static const row *sort_base;
static int by_verdict(const void *x, const void *y)
{
    const size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int d = verdict_rank(sort_base[a].v) - verdict_rank(sort_base[b].v);
    return d ? d : (a > b) - (a < b);
}

/* Text for a table cell: '|' escaped, newlines dropped. */
static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s != '\n' && *s != '\r')
            fputc(*s, f);
    }
}

static void md_value(FILE *f, double v, const char *unit)
{
    char buf[32];
    fmt_num(buf, sizeof buf, v);
    fprintf(f, "%s%s%s", buf, !isnan(v) && unit[0] ? " " : "", !isnan(v) ? unit : "");
}

static const char *md_verdict(enum verdict v)
{
    static const char *const md[V_COUNT] = {[V_SAME] = "same",
                                            [V_IMPROVEMENT] = "🟢 improvement",
                                            [V_REGRESSION] = "🔴 **regression**",
                                            [V_NOISY] = "⚪ noisy",
                                            [V_FAILED] = "❌ **failed**",
                                            [V_NA] = "n/a",
                                            [V_UNRESOLVED] = "❔ unresolved"};
    return md[v];
}

/* "9" when every compared metric has n repetitions on this side, else "5–9". */
static void reps_range(const rows *rs, int new_side, char *buf, size_t len)
{
    size_t lo = (size_t)-1, hi = 0;
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[k];
        if (r->metric < 0)
            continue;
        size_t n = (new_side ? r->n : r->b)->metric[r->metric].n;
        if (n == 0)
            continue; /* an n/a row: the metric is missing on this side */
        lo = n < lo ? n : lo;
        hi = n > hi ? n : hi;
    }
    if (hi == 0)
        snprintf(buf, len, "0");
    else if (lo == hi)
        snprintf(buf, len, "%zu", lo);
    else
        snprintf(buf, len, "%zu–%zu", lo, hi);
}

static void md_plural(FILE *f, size_t n, const char *one, const char *many, int bold)
{
    fprintf(f, "%s%zu %s%s", bold && n ? "**" : "", n, n == 1 ? one : many, bold && n ? "**" : "");
}

static void md_list(FILE *f, const char *title, const json_t *list)
{
    if (!json_array_size(list))
        return;
    fprintf(f, "\n%s:", title);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        fprintf(f, "%s`", i ? ", " : " ");
        md_text(f, json_string_value(v));
        fputc('`', f);
    }
    fputc('\n', f);
}

static void print_markdown(FILE *f, const compare_opts *o, const ab_cmp_side *b,
                           const ab_cmp_side *n, const rows *rs, const view *vw)
{
    const size_t *c = vw->counts;
    char rb[64], rn[64];
    reps_range(rs, 0, rb, sizeof rb);
    reps_range(rs, 1, rn, sizeof rn);
    md_plural(f, c[V_REGRESSION], "regression", "regressions", 1);
    fputs(", ", f);
    md_plural(f, c[V_FAILED], "failed", "failed", 1);
    fputs(", ", f);
    md_plural(f, c[V_IMPROVEMENT], "improvement", "improvements", 0);
    fprintf(f, ", %zu same", c[V_SAME]);
    if (c[V_UNRESOLVED])
        fprintf(f, ", %zu unresolved", c[V_UNRESOLVED]);
    if (c[V_NOISY])
        fprintf(f, ", %zu noisy", c[V_NOISY]);
    if (c[V_NA])
        fprintf(f, ", %zu n/a", c[V_NA]);
    fprintf(f, " — threshold %.4g %%, alpha %.4g, Mann-Whitney U over %s vs %s repetitions\n\n",
            o->threshold_pct, o->alpha, rb, rn);
    if (o->within)
        fprintf(f, "`%s` against `%s` (the base) in `%s`%s\n\n", o->alloc_b, o->alloc_a, b->path,
                b->incomplete ? " (INCOMPLETE run)" : "");
    else
        fprintf(f, "base `%s`%s, new `%s`%s\n\n", b->path, b->incomplete ? " (INCOMPLETE)" : "",
                n->path, n->incomplete ? " (INCOMPLETE)" : "");

    int any_net = 0;
    for (size_t k = 0; k < rs->n; k++)
        any_net |= has_net(&rs->r[k]);
    if (rs->n) {
        fprintf(f, "| %s | metric | %s | %s | change | detectable |%s p | verdict |\n",
                o->within ? "workload" : "cell", o->within ? o->alloc_a : "base",
                o->within ? o->alloc_b : "new", any_net ? " net change |" : "");
        fprintf(f, "|---|---|--:|--:|--:|--:|%s--:|---|\n", any_net ? "--:|" : "");
    }
    size_t *order = malloc((rs->n ? rs->n : 1) * sizeof *order);
    for (size_t k = 0; order && k < rs->n; k++)
        order[k] = k;
    sort_base = rs->r;
    if (order)
        qsort(order, rs->n, sizeof *order, by_verdict);
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[order ? order[k] : k];
        fputs("| `", f);
        md_text(f, r->label);
        fputs("` | ", f);
        if (r->metric < 0) {
            fprintf(f, "(runs) | %zu of %zu failed | %zu of %zu failed (", r->b->failed, r->b->reps,
                    r->n->failed, r->n->reps);
            md_text(f, r->n->failure);
            fprintf(f, ") | | |%s | %s |\n", any_net ? " |" : "", md_verdict(r->v));
            continue;
        }
        const ab_cmp_metric *m = &ab_cmp_metrics[r->metric];
        const char *unit = ab_cmp_metric_unit(m);
        char ch[32], p[32], mde[32];
        fmt_change(ch, sizeof ch, r->change_pct);
        fmt_p(p, sizeof p, r->mw.p);
        fmt_mde(mde, sizeof mde, r->mde_pct);
        fprintf(f, "%s | ", ab_cmp_metric_name(m, b->kind));
        md_value(f, r->base_median, unit);
        fputs(" | ", f);
        md_value(f, r->new_median, unit);
        fprintf(f, " | %s | %s |", ch, mde);
        if (any_net) {
            if (has_net(r))
                fprintf(f, " %+.3g %s |", r->net_new - r->net_base, unit);
            else
                fputs(" |", f);
        }
        fprintf(f, " %s | %s%s |\n", p, md_verdict(r->v),
                too_few(o, r) ? " (too few repetitions)" : "");
    }
    free(order);
    if (any_net)
        fputs("\ncycles_per_op, ns_per_op: the verdict is on the raw figure (allocator plus the "
              "replay "
              "floor); the net change (net of the floor) is for reading.\n",
              f);
    if (rs->n)
        fputs("\ndetectable: the smallest change these repetitions could have shown "
              "(minimum detectable effect); a change within the threshold is *same* only when it "
              "is at most the threshold, else *unresolved*.\n",
              f);
    char title[300];
    snprintf(title, sizeof title, "Only %s %s", o->within ? "with" : "in", vw->base_name);
    md_list(f, title, vw->only_base);
    snprintf(title, sizeof title, "Only %s %s", o->within ? "with" : "in", vw->new_name);
    md_list(f, title, vw->only_new);
    snprintf(title, sizeof title, "Not compared (%s or %s has no ok repetition)", o->alloc_a,
             o->alloc_b);
    md_list(f, title, vw->not_ok);
    if (json_array_size(vw->diffs)) {
        fputs("\n**Context differs** (numbers may not be comparable):\n", f);
        size_t i;
        json_t *d;
        json_array_foreach(vw->diffs, i, d)
        {
            const char *bv = json_string_value(json_object_get(d, "base"));
            const char *nv = json_string_value(json_object_get(d, "new"));
            fputs("- ", f);
            md_text(f, json_string_value(json_object_get(d, "key")));
            fprintf(f, ": `%s` → `%s`\n", bv ? bv : "(absent)", nv ? nv : "(absent)");
        }
    }
    if (vw->too_few)
        fprintf(f,
                "\n%zu comparison(s) have too few repetitions to ever reach p < %.4g; use at "
                "least 4 per side.\n",
                vw->too_few, o->alpha);
    fputc('\n', f);
}

/* Prints the Markdown and appends it to $GITHUB_STEP_SUMMARY when that is set. A summary file
 * that cannot be written is a warning: the comparison itself is still right. */
static int emit_markdown(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n,
                         const rows *rs, const view *vw)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return -1;
    print_markdown(mem, o, b, n, rs, vw);
    if (fclose(mem) != 0) {
        free(text);
        return -1;
    }
    fwrite(text, 1, len, stdout);
    const char *summary = getenv("GITHUB_STEP_SUMMARY");
    if (summary && summary[0]) {
        FILE *f = fopen(summary, "a");
        int bad = !f || fwrite(text, 1, len, f) != len;
        if (f && fclose(f) != 0)
            bad = 1;
        if (bad)
            fprintf(stderr, WHO ": warning: cannot append to GITHUB_STEP_SUMMARY (%s)\n", summary);
    }
    free(text);
    return 0;
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *side_json(const ab_cmp_cell *c, int metric, double median)
{
    json_t *s = json_pack("{s:o, s:I, s:I, s:I}", "median", num_or_null(median), "n",
                          (json_int_t)(metric >= 0 ? c->metric[metric].n : 0), "repetitions",
                          (json_int_t)c->reps, "failed", (json_int_t)c->failed);
    if (c->failure[0])
        json_object_set_new(s, "failure", json_string(c->failure));
    return s;
}

static int write_json(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n,
                      const rows *rs, const view *vw, int exit_code)
{
    json_t *list = json_array();
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[k];
        const ab_cmp_metric *m = r->metric >= 0 ? &ab_cmp_metrics[r->metric] : NULL;
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "cell",
                              r->label, "allocator", r->b->allocator, "workload", r->b->workload,
                              "metric", m ? ab_cmp_metric_name(m, b->kind) : "(runs)", "base",
                              side_json(r->b, r->metric, r->base_median), "new",
                              side_json(r->n, r->metric, r->new_median), "change_pct",
                              num_or_null(r->change_pct), "p_value", num_or_null(r->mw.p), "min_p",
                              num_or_null(m ? r->min_p : NAN), "verdict", verdict_names[r->v]);
        if (o->within)
            json_object_set_new(j, "new_allocator", json_string(r->n->allocator));
        if (m) {
            json_object_set_new(j, "higher_is_better",
                                json_boolean(ab_cmp_metric_higher_is_better(m)));
            json_object_set_new(j, "exact", json_boolean(r->mw.exact));
            json_object_set_new(j, "mde_pct", num_or_null(r->mde_pct));
            json_object_set_new(j, "threshold_pct", num_or_null(r->threshold));
            json_object_set_new(j, "count", json_boolean(ab_cmp_metric_is_count(m)));
        }
        if (m && has_net(r)) {
            const ab_cmp_metric *net = &ab_cmp_metrics[ab_cmp_metric_find(m->net_metric)];
            json_object_set_new(j, "net",
                                json_pack("{s:s, s:f, s:f, s:f}", "metric", net->results_key,
                                          "base_median", r->net_base, "new_median", r->net_new,
                                          "change", r->net_new - r->net_base));
        }
        json_array_append_new(list, j);
    }
    json_t *summary = json_object();
    for (int v = 0; v < V_COUNT; v++)
        json_object_set_new(summary, verdict_names[v], json_integer((json_int_t)vw->counts[v]));
    json_t *doc =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:f, s:f, s:O, s:o, s:O, s:O, s:o, s:i}", "schema",
                  "alignbench-compare", "version", 1, "kind",
                  b->kind == AB_CMP_RESULTS ? "results" : "gbench", "base", b->path, "new", n->path,
                  "threshold_pct", o->threshold_pct, "alpha", o->alpha, "context_differences",
                  vw->diffs, "rows", list, "only_in_base", vw->only_base, "only_in_new",
                  vw->only_new, "summary", summary, "exit_code", exit_code);
    if (doc)
        json_object_set_new(doc, "load_average",
                            json_pack("{s:s, s:s}", "base", b->load, "new", n->load));
    if (doc && o->within)
        json_object_set_new(doc, "within",
                            json_pack("{s:s, s:s, s:O, s:b}", "base_allocator", o->alloc_a,
                                      "new_allocator", o->alloc_b, "not_compared", vw->not_ok,
                                      "fail_on_regression", o->fail_on_regression));
    char err[512];
    int rc = doc ? ab_json_write_atomic(o->json_out, doc, JSON_INDENT(2), err, sizeof err) : -1;
    if (rc != 0)
        fprintf(stderr, "alignbench compare: %s\n", doc ? err : "out of memory");
    json_decref(doc);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    compare_opts o = {0};
    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    ab_cmp_side b, n;
    char err[1024];
    if (ab_cmp_load(o.base, &b, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench compare: %s%s\n", o.within ? "" : "BASE ", err);
        return AB_EXIT_USAGE;
    }
    /* --within reads its one file once: NEW is the same side */
    if (!o.within && ab_cmp_load(o.new_, &n, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench compare: NEW %s\n", err);
        ab_cmp_free(&b);
        return AB_EXIT_USAGE;
    }
    const ab_cmp_side *np = o.within ? &b : &n;
    int rc = AB_EXIT_USAGE;
    rows rs = {0};
    view vw = {.base_name = o.within ? o.alloc_a : "BASE",
               .new_name = o.within ? o.alloc_b : "NEW",
               .only_base = json_array(),
               .only_new = json_array(),
               .not_ok = json_array()};
    if (b.kind != np->kind) {
        fprintf(stderr, "alignbench compare: BASE is %s but NEW is %s; compare like with like\n",
                side_kind(b.kind), side_kind(np->kind));
        goto out;
    }
    if (settle_metrics(&o, b.kind) != 0)
        goto out;
    int built = o.within ? build_within(&o, &b, &rs, &vw) : build_rows(&o, &b, np, &rs, &vw);
    if (built == -1 && o.within)
        goto out;
    if (built != 0) {
        fprintf(stderr, "alignbench compare: out of memory\n");
        goto out;
    }
    for (size_t k = 0; k < rs.n; k++) {
        vw.counts[rs.r[k].v]++;
        vw.too_few += rs.r[k].metric >= 0 && too_few(&o, &rs.r[k]);
    }
    vw.diffs = o.within ? json_array() : context_differences(&b, np);
    int gate = !o.within || o.fail_on_regression;
    rc = gate && (vw.counts[V_REGRESSION] || vw.counts[V_FAILED]) ? AB_EXIT_FAILURE : AB_EXIT_OK;
    if (o.markdown) {
        if (emit_markdown(&o, &b, np, &rs, &vw) != 0) {
            fprintf(stderr, "alignbench compare: out of memory\n");
            rc = AB_EXIT_USAGE;
        }
    } else {
        print_report(&o, &b, np, &rs, &vw);
    }
    if (o.json_out && write_json(&o, &b, np, &rs, &vw, rc) != 0)
        rc = AB_EXIT_USAGE;
out:
    json_decref(vw.diffs);
    json_decref(vw.only_base);
    json_decref(vw.only_new);
    json_decref(vw.not_ok);
    free(rs.r);
    ab_cmp_free(&b);
    if (!o.within)
        ab_cmp_free(&n);
    return rc;
}
