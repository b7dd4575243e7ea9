/* cmd_compare.c: `alignbench compare BASE NEW`, the regression gate for CI.
 *
 * Both sides are read by compare_load.c (results.json of `run`, or Google Benchmark JSON of
 * `micro`). For every cell present on both sides and every chosen metric it prints the two
 * medians, the change, the two-sided Mann-Whitney U p-value over the repetitions
 * (mannwhitney.h) and a verdict:
 *   same         |change| <= threshold
 *   regression   beyond the threshold in the worse direction, and p < alpha
 *   improvement  beyond the threshold in the better direction, and p < alpha
 *   noisy        beyond the threshold but not significant (p >= alpha)
 *   failed       NEW has failed repetitions (crash, timeout, gbench error) where BASE had none
 * Exit 1 when any cell regressed or failed, 0 otherwise, 2 on bad input. Cells on one side
 * only are listed, and differing contexts (host, CPU, kernel, allocator versions) are stated
 * first. --json writes the same diff for other tools.
 *
 * A run's `time` is the raw ns_per_op (allocator plus the replay floor): the change, the
 * threshold and the U test are on it, because the floor is the same harness code on both sides
 * and the net time (a few ns) turns small absolute changes into large relative ones. The net
 * medians are printed next to it in ns, for reading, never for the verdict.
 */
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/analysis/compare_data.h"
#include "harness/common/json_file.h"
#include "harness/analysis/mannwhitney.h"
#include "harness/analysis/stats.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "alignbench compare"

enum verdict { V_SAME, V_IMPROVEMENT, V_REGRESSION, V_NOISY, V_FAILED, V_NA, V_COUNT };
static const char *const verdict_names[V_COUNT] = {"same",  "improvement", "regression",
                                                   "noisy", "failed",      "n/a"};

typedef struct compare_opts {
    const char *base, *new_, *json_out;
    double threshold_pct, alpha;
    int metrics[64];
    size_t nmetrics;
    int all; /* 'all' was asked for: keep what the file kind has, skip the rest */
} compare_opts;

typedef struct row {
    const ab_cmp_cell *b, *n;
    int metric; /* -1: the cell's failure row */
    double base_median, new_median, change_pct, min_p;
    double net_base, net_new; /* medians of the metric's net part (ns), NAN when none */
    ab_mw_result mw;
    enum verdict v;
} row;

static void usage(FILE *f)
{
    fprintf(f, "usage: alignbench compare BASE NEW [--threshold PCT] [--alpha A]\n"
               "                          [--metric NAME[,NAME...]]... [--json FILE]\n\n"
               "Compares two results: results.json files of `alignbench run` (or their run\n"
               "folders), or two Google Benchmark JSON files of `alignbench micro` (the kind is\n"
               "detected). Per cell and metric: old and new median, change, two-sided\n"
               "Mann-Whitney U p-value over the repetitions, and a verdict (same, regression,\n"
               "improvement, noisy = beyond the threshold but not significant, failed = NEW has\n"
               "failed repetitions where BASE had none).\n\n"
               "options:\n"
               "  --threshold PCT  smallest change that counts, e.g. 5%% or 5 (default 5%%)\n"
               "  --alpha A        significance level for the U test (default 0.05)\n"
               "  --metric LIST    metrics to compare (repeatable, comma lists, 'all');\n"
               "                   default: cycles,frag_peak for runs, time for micro\n"
               "                   (a run's time is the raw ns_per_op; the net time's change\n"
               "                   is printed next to it in ns)\n"
               "  --json FILE      also write the comparison as JSON\n\n"
               "metrics (lower is better unless marked higher):\n");
    for (size_t i = 0; i < ab_cmp_metric_count; i++) {
        const ab_cmp_metric *m = &ab_cmp_metrics[i];
        fprintf(f, "  %-20s %s%s [%s%s%s]\n", m->name, ab_cmp_metric_what(m),
                ab_cmp_metric_higher_is_better(m) ? " (higher)" : "", m->results_key ? "run" : "",
                m->results_key && m->gbench_key ? ", " : "", m->gbench_key ? "micro" : "");
    }
    fprintf(f,
            "\nRepetitions: the smallest two-sided p with n+m repetitions is 2/C(n+m,n):\n"
            "2+2 gives 0.33, 3+3 0.10, 4+4 0.029, 5+5 0.0079. With fewer than about 4 per\n"
            "side no change can be significant at alpha 0.05 (such cells say noisy).\n\n"
            "Exit status: 0 no significant regression, 1 a cell regressed significantly\n"
            "beyond the threshold or failed, 2 bad input (unreadable, malformed, mixed kinds).\n");
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
                fprintf(stderr, " %s", ab_cmp_metrics[i].name);
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
        default:
            return ab_opt_complain(WHO, c, argv);
        }
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
        return add_metrics(o, kind == AB_CMP_RESULTS ? "cycles,frag_peak" : "time");
    size_t kept = 0;
    for (size_t i = 0; i < o->nmetrics; i++) {
        const ab_cmp_metric *m = &ab_cmp_metrics[o->metrics[i]];
        if (ab_cmp_metric_key(m, kind)) {
            o->metrics[kept++] = o->metrics[i];
        } else if (!o->all) {
            fprintf(stderr, "alignbench compare: metric '%s' does not exist in %s files\n", m->name,
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
    if (ab_mannwhitney(bs->v, bs->n, ns->v, ns->n, &r->mw) != 0) {
        r->mw.p = NAN;
        r->v = V_NA;
        return;
    }
    double worse = ab_cmp_metric_higher_is_better(m) ? -r->change_pct : r->change_pct;
    if (fabs(r->change_pct) <= o->threshold_pct)
        r->v = V_SAME;
    else if (!(r->mw.p < o->alpha))
        r->v = V_NOISY;
    else
        r->v = worse > 0 ? V_REGRESSION : V_IMPROVEMENT;
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
    return r;
}

static int build_rows(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n, rows *rs)
{
    for (size_t i = 0; i < b->ncells; i++) {
        const ab_cmp_cell *cb = &b->cells[i];
        const ab_cmp_cell *cn = ab_cmp_find_cell(n, cb->key);
        if (!cn)
            continue;
        if (cn->failed > 0 && cb->failed == 0) {
            row *r = rows_add(rs);
            if (!r)
                return -1;
            *r = (row){.b = cb,
                       .n = cn,
                       .metric = -1,
                       .v = V_FAILED,
                       .mw.p = NAN,
                       .net_base = NAN,
                       .net_new = NAN};
        }
        for (size_t k = 0; k < o->nmetrics; k++) {
            int m = o->metrics[k];
            if (cb->metric[m].n == 0 && cn->metric[m].n == 0)
                continue; /* this cell does not have the metric */
            row *r = rows_add(rs);
            if (!r)
                return -1;
            r->b = cb;
            r->n = cn;
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
        snprintf(buf, len, "%+.1f%%", v);
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

static void print_report(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n,
                         const rows *rs, const json_t *diffs, const size_t *counts, size_t too_few)
{
    printf("BASE %s (%s%s)\nNEW  %s (%s%s)\n", b->path, side_kind(b->kind),
           b->incomplete ? ", INCOMPLETE run" : "", n->path, side_kind(n->kind),
           n->incomplete ? ", INCOMPLETE run" : "");
    printf("threshold %.4g%%, alpha %.4g, two-sided Mann-Whitney U over the repetitions\n",
           o->threshold_pct, o->alpha);
    for (size_t k = 0; k < rs->n; k++)
        if (has_net(&rs->r[k])) {
            printf("cycles, time: change, threshold and U test on the raw figure (allocator "
                   "plus the replay floor,\nthe same harness code on both sides); \"net\" is the "
                   "median net of the floor, base -> new, for reading only\n");
            break;
        }
    if (b->load[0] || n->load[0])
        printf("load average (1, 5, 15 min) at the start: BASE %s; NEW %s\n",
               b->load[0] ? b->load : "unknown", n->load[0] ? n->load : "unknown");
    size_t i;
    json_t *d;
    if (json_array_size(diffs))
        printf("\nCONTEXT DIFFERS (numbers may not be comparable):\n");
    json_array_foreach(diffs, i, d)
    {
        const char *bv = json_string_value(json_object_get(d, "base"));
        const char *nv = json_string_value(json_object_get(d, "new"));
        printf("  %s: %s%s%s -> %s%s%s\n", json_string_value(json_object_get(d, "key")),
               bv ? "'" : "", bv ? bv : "(absent)", bv ? "'" : "", nv ? "'" : "",
               nv ? nv : "(absent)", nv ? "'" : "");
    }

    int w = 10;
    for (size_t k = 0; k < rs->n; k++) {
        int len = (int)strlen(rs->r[k].b->key);
        if (len > w)
            w = len < 60 ? len : 60;
    }
    printf("\n%-*s  %-14s %12s %3s %12s %3s %9s %9s  %s\n", w, "cell", "metric", "base", "n", "new",
           "n", "change", "p", "verdict");
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[k];
        if (r->metric < 0) {
            printf("%-*s  %-14s %s: NEW has %zu of %zu repetitions failed (%s)\n", w, r->b->key,
                   "(runs)", verdict_names[r->v], r->n->failed, r->n->reps, r->n->failure);
            continue;
        }
        char bm[32], nm[32], ch[32], p[32];
        fmt_num(bm, sizeof bm, r->base_median);
        fmt_num(nm, sizeof nm, r->new_median);
        fmt_change(ch, sizeof ch, r->change_pct);
        fmt_p(p, sizeof p, r->mw.p);
        printf("%-*s  %-14s %12s %3zu %12s %3zu %9s %9s  %s%s", w, r->b->key,
               ab_cmp_metrics[r->metric].name, bm, r->b->metric[r->metric].n, nm,
               r->n->metric[r->metric].n, ch, p, verdict_names[r->v],
               r->v != V_NA && r->min_p >= o->alpha ? " (too few repetitions)" : "");
        if (has_net(r))
            printf("  net %.3g -> %.3g %s (%+.3g %s)", r->net_base, r->net_new,
                   ab_cmp_metric_unit(&ab_cmp_metrics[r->metric]), r->net_new - r->net_base,
                   ab_cmp_metric_unit(&ab_cmp_metrics[r->metric]));
        putchar('\n');
    }
    for (size_t k = 0; k < b->ncells; k++)
        if (!ab_cmp_find_cell(n, b->cells[k].key))
            printf("only in BASE: %s\n", b->cells[k].key);
    for (size_t k = 0; k < n->ncells; k++)
        if (!ab_cmp_find_cell(b, n->cells[k].key))
            printf("only in NEW:  %s\n", n->cells[k].key);
    if (too_few)
        printf("\nnote: %zu comparison(s) have too few repetitions to ever reach p < %.4g (the "
               "smallest two-sided p is 2/C(n+m,n): 2+2 gives 0.33, 5+5 gives 0.0079); use at "
               "least 4 repetitions per side\n",
               too_few, o->alpha);
    printf("\n%zu regression(s), %zu failed, %zu improvement(s), %zu same, %zu noisy, %zu n/a\n",
           counts[V_REGRESSION], counts[V_FAILED], counts[V_IMPROVEMENT], counts[V_SAME],
           counts[V_NOISY], counts[V_NA]);
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

static json_t *cell_list(const ab_cmp_side *from, const ab_cmp_side *other)
{
    json_t *a = json_array();
    for (size_t k = 0; k < from->ncells; k++)
        if (!ab_cmp_find_cell(other, from->cells[k].key))
            json_array_append_new(a, json_string(from->cells[k].key));
    return a;
}

static int write_json(const compare_opts *o, const ab_cmp_side *b, const ab_cmp_side *n,
                      const rows *rs, json_t *diffs, const size_t *counts, int exit_code)
{
    json_t *list = json_array();
    for (size_t k = 0; k < rs->n; k++) {
        const row *r = &rs->r[k];
        const ab_cmp_metric *m = r->metric >= 0 ? &ab_cmp_metrics[r->metric] : NULL;
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "cell", r->b->key,
                      "allocator", r->b->allocator, "workload", r->b->workload, "metric",
                      m ? m->name : "(runs)", "base", side_json(r->b, r->metric, r->base_median),
                      "new", side_json(r->n, r->metric, r->new_median), "change_pct",
                      num_or_null(r->change_pct), "p_value", num_or_null(r->mw.p), "min_p",
                      num_or_null(m ? r->min_p : NAN), "verdict", verdict_names[r->v]);
        if (m) {
            json_object_set_new(j, "higher_is_better",
                                json_boolean(ab_cmp_metric_higher_is_better(m)));
            json_object_set_new(j, "exact", json_boolean(r->mw.exact));
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
        json_object_set_new(summary, verdict_names[v], json_integer((json_int_t)counts[v]));
    json_t *doc =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:o, s:o, s:i}", "schema",
                  "alignbench-compare", "version", 1, "kind",
                  b->kind == AB_CMP_RESULTS ? "results" : "gbench", "base", b->path, "new", n->path,
                  "threshold_pct", o->threshold_pct, "alpha", o->alpha, "context_differences",
                  json_incref(diffs), "rows", list, "only_in_base", cell_list(b, n), "only_in_new",
                  cell_list(n, b), "summary", summary, "exit_code", exit_code);
    if (doc)
        json_object_set_new(doc, "load_average",
                            json_pack("{s:s, s:s}", "base", b->load, "new", n->load));
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
        fprintf(stderr, "alignbench compare: BASE %s\n", err);
        return AB_EXIT_USAGE;
    }
    if (ab_cmp_load(o.new_, &n, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench compare: NEW %s\n", err);
        ab_cmp_free(&b);
        return AB_EXIT_USAGE;
    }
    int rc = AB_EXIT_USAGE;
    rows rs = {0};
    json_t *diffs = NULL;
    if (b.kind != n.kind) {
        fprintf(stderr, "alignbench compare: BASE is %s but NEW is %s; compare like with like\n",
                side_kind(b.kind), side_kind(n.kind));
        goto out;
    }
    if (settle_metrics(&o, b.kind) != 0)
        goto out;
    if (build_rows(&o, &b, &n, &rs) != 0) {
        fprintf(stderr, "alignbench compare: out of memory\n");
        goto out;
    }
    size_t counts[V_COUNT] = {0}, too_few = 0;
    for (size_t k = 0; k < rs.n; k++) {
        counts[rs.r[k].v]++;
        too_few += rs.r[k].metric >= 0 && rs.r[k].v != V_NA && rs.r[k].min_p >= o.alpha;
    }
    diffs = context_differences(&b, &n);
    rc = counts[V_REGRESSION] || counts[V_FAILED] ? AB_EXIT_FAILURE : AB_EXIT_OK;
    print_report(&o, &b, &n, &rs, diffs, counts, too_few);
    if (o.json_out && write_json(&o, &b, &n, &rs, diffs, counts, rc) != 0)
        rc = AB_EXIT_USAGE;
out:
    json_decref(diffs);
    free(rs.r);
    ab_cmp_free(&b);
    ab_cmp_free(&n);
    return rc;
}
