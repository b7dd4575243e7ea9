/* results_view.c: the read-only questions of results_view.h, answered over jansson values.
 * Every accessor tolerates a missing or mistyped member (a run that crashed has no metrics),
 * so callers only ever see "present" or "absent". */
#include "harness/report/results_view.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ab_rv_str(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : "";
}

int ab_rv_num(const json_t *obj, const char *key, double *out)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return isfinite(*out) ? 0 : -1;
}

static int names_has(const ab_names *names, const char *s)
{
    for (size_t i = 0; i < names->n; i++)
        if (!strcmp(names->v[i], s))
            return 1;
    return 0;
}

int ab_names_add(ab_names *names, const char *s)
{
    if (!*s || names_has(names, s))
        return 0;
    char **v = realloc(names->v, (names->n + 1) * sizeof *v);
    if (!v)
        return -1;
    names->v = v;
    if (!(v[names->n] = strdup(s)))
        return -1;
    names->n++;
    return 0;
}

void ab_names_free(ab_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->v[i]);
    free(names->v);
    names->v = NULL;
    names->n = 0;
}

/* Names of `key` ("allocator"/"workload") that occur in cells or runs, config order first. */
static int collect_names(const json_t *res, const char *config_key, const char *key, ab_names *out)
{
    ab_names seen = {0};
    const char *lists[] = {"cells", "runs"};
    size_t i;
    const json_t *item;
    for (size_t l = 0; l < 2; l++)
        json_array_foreach(json_object_get(res, lists[l]), i, item)
        {
            if (ab_names_add(&seen, ab_rv_str(item, key)))
                goto oom;
        }
    *out = (ab_names){0};
    json_array_foreach(json_object_get(json_object_get(res, "config"), config_key), i, item)
    {
        if (json_is_string(item) && names_has(&seen, json_string_value(item)) &&
            ab_names_add(out, json_string_value(item)))
            goto oom;
    }
    for (i = 0; i < seen.n; i++)
        if (ab_names_add(out, seen.v[i]))
            goto oom;
    ab_names_free(&seen);
    return 0;
oom:
    ab_names_free(&seen);
    ab_names_free(out);
    return -1;
}

int ab_rv_allocators(const json_t *res, ab_names *out)
{
    return collect_names(res, "allocators", "allocator", out);
}

int ab_rv_workloads(const json_t *res, ab_names *out)
{
    return collect_names(res, "workloads", "workload", out);
}

static int kind_is_program(const json_t *list, const char *key, const char *workload)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        if (!strcmp(ab_rv_str(e, key), workload) && !strcmp(ab_rv_str(e, "kind"), "program"))
            return 1;
    }
    return 0;
}

int ab_rv_is_program(const json_t *res, const char *workload)
{
    return kind_is_program(json_object_get(res, "workloads"), "name", workload) ||
           kind_is_program(json_object_get(res, "cells"), "workload", workload);
}

json_t *ab_rv_load(const char *run_dir, char *err, size_t errlen)
{
    char path[4096];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/results.json", run_dir);
    char why[512];
    FILE *f = ab_fopen_regular(path, why, sizeof why);
    if (!f) {
        ab_fail(err, errlen, "cannot read %s", why);
        return NULL;
    }
    json_t *res = json_loadf(f, 0, &jerr);
    fclose(f);
    if (!res) {
        if (jerr.line > 0)
            ab_fail(err, errlen, "cannot read %s: %s (line %d)", path, jerr.text, jerr.line);
        else
            ab_fail(err, errlen, "cannot read %s: %s", path, jerr.text);
        return NULL;
    }
    double version = 0;
    if (strcmp(ab_rv_str(res, "schema"), "alignbench-results") ||
        ab_rv_num(res, "version", &version) || version != 1) {
        ab_fail(err, errlen, "%s is not an alignbench results file of schema version 1", path);
        json_decref(res);
        return NULL;
    }
    const json_t *cells = json_object_get(res, "cells");
    if (!json_is_array(json_object_get(res, "runs")) || (cells && !json_is_array(cells))) {
        ab_fail(err, errlen, "%s: no \"runs\" array (or \"cells\" is not an array)", path);
        json_decref(res);
        return NULL;
    }
    return res;
}

const json_t *ab_rv_cell(const json_t *res, const char *alloc, const char *workload)
{
    size_t i;
    const json_t *cell;
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (!strcmp(ab_rv_str(cell, "allocator"), alloc) &&
            !strcmp(ab_rv_str(cell, "workload"), workload))
            return cell;
    }
    return NULL;
}

int ab_rv_cell_stat(const json_t *cell, const char *metric, const char *stat, double *out)
{
    return ab_rv_num(json_object_get(json_object_get(cell, "metrics"), metric), stat, out);
}

int ab_rv_median(const json_t *res, const char *alloc, const char *workload, const char *metric,
                 double *out)
{
    return ab_rv_cell_stat(ab_rv_cell(res, alloc, workload), metric, "median", out);
}

const json_t *ab_rv_next_ok_run(const json_t *res, const char *alloc, const char *workload,
                                size_t *pos)
{
    const json_t *runs = json_object_get(res, "runs");
    for (; *pos < json_array_size(runs); (*pos)++) {
        const json_t *run = json_array_get(runs, *pos);
        if (!strcmp(ab_rv_str(run, "allocator"), alloc) &&
            !strcmp(ab_rv_str(run, "workload"), workload) &&
            !strcmp(ab_rv_str(run, "status"), "ok")) {
            (*pos)++;
            return run;
        }
    }
    return NULL;
}

static int cmp_bucket(const void *a, const void *b)
{
    double x = ((const ab_rv_bucket *)a)->upper, y = ((const ab_rv_bucket *)b)->upper;
    return (x > y) - (x < y);
}

ab_rv_bucket *ab_rv_merged_histogram(const json_t *res, const char *alloc, const char *workload,
                                     const char *op, size_t *nb)
{
    ab_rv_bucket *b = malloc(sizeof *b);
    size_t n = 0, cap = 1, pos = 0, i;
    const json_t *run, *pair;
    *nb = 0;
    if (!b)
        return NULL;
    while ((run = ab_rv_next_ok_run(res, alloc, workload, &pos))) {
        json_array_foreach(json_object_get(json_object_get(run, "histograms"), op), i, pair)
        {
            const json_t *u = json_array_get(pair, 0), *c = json_array_get(pair, 1);
            if (!json_is_number(u) || !json_is_number(c) || !(json_number_value(c) > 0) ||
                !isfinite(json_number_value(u)) || !isfinite(json_number_value(c)))
                continue;
            if (n == cap) {
                ab_rv_bucket *more = realloc(b, 2 * cap * sizeof *b);
                if (!more) {
                    free(b);
                    return NULL;
                }
                b = more;
                cap *= 2;
            }
            b[n++] = (ab_rv_bucket){json_number_value(u), json_number_value(c)};
        }
    }
    qsort(b, n, sizeof *b, cmp_bucket);
    size_t m = 0;
    for (i = 0; i < n; i++) {
        if (m && round(b[m - 1].upper * 1000) == round(b[i].upper * 1000)) {
            b[m - 1].count += b[i].count;
            b[m - 1].upper = b[i].upper; /* sorted: the largest */
        } else {
            b[m++] = b[i];
        }
    }
    *nb = m;
    return b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ab_rv_median_of(double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
