/* results_write.c: JSON through jansson, CSV by hand (flat scalars only), both atomic.
 *
 * CSV fields follow RFC 4180: a field holding a comma, quote or newline is quoted, quotes
 * doubled. Numbers print with %.10g (enough for ns and bytes, and stable across runs); missing
 * metrics are empty fields.
 */
#include "harness/analysis/results_write.h"
#include "harness/common/error_message.h"
#include "harness/analysis/metric_table.h"
#include "harness/common/atomic_file.h"
#include "harness/common/json_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fixed columns: the metric table's csv entries, which come first in it. */
size_t ab_results_csv_metric_count(void)
{
    size_t n = 0;
    while (n < ab_metric_def_count && ab_metric_defs[n].csv)
        n++;
    return n;
}

static const char *const fixed_columns[] = {"allocator", "workload",  "rep",    "round",
                                            "status",    "exit_code", "signal", "error"};

static int is_known_metric(const char *name)
{
    for (size_t i = 0; i < ab_results_csv_metric_count(); i++)
        if (!strcmp(ab_metric_defs[i].name, name))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The column list: the known metrics, then any other metric name found, sorted. */
static const char **metric_columns(const json_t *runs, size_t *count)
{
    json_t *extra = json_object();
    size_t i;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        const char *name;
        json_t *v;
        json_object_foreach((json_t *)json_object_get(run, "metrics"), name, v)
        {
            if (!is_known_metric(name))
                json_object_set(extra, name, json_null());
        }
    }
    size_t n = ab_results_csv_metric_count() + json_object_size(extra);
    const char **cols = malloc(n * sizeof *cols);
    if (!cols) {
        json_decref(extra);
        return NULL;
    }
    size_t k = 0;
    for (i = 0; i < ab_results_csv_metric_count(); i++)
        cols[k++] = ab_metric_defs[i].name;
    size_t first_extra = k;
    const char *name;
    json_t *v;
    json_object_foreach(extra, name, v)
    {
        cols[k++] = strdup(name);
    }
    qsort(cols + first_extra, k - first_extra, sizeof *cols, cmp_str);
    json_decref(extra);
    *count = k;
    return cols;
}

static void put_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_value(FILE *f, const json_t *v)
{
    if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        fprintf(f, "%.10g", json_real_value(v));
    else if (json_is_string(v))
        put_text(f, json_string_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "true" : "false", f);
    /* null or absent: an empty field */
}

int ab_results_csv(const json_t *doc, FILE *f)
{
    const json_t *runs = json_object_get(doc, "runs");
    size_t ncols = 0;
    const char **cols = metric_columns(runs, &ncols);
    if (!cols)
        return -1;
    size_t nfixed = sizeof fixed_columns / sizeof fixed_columns[0];
    for (size_t c = 0; c < nfixed; c++)
        fprintf(f, "%s%s", c ? "," : "", fixed_columns[c]);
    for (size_t c = 0; c < ncols; c++)
        fprintf(f, ",%s", cols[c]);
    fputc('\n', f);
    size_t i;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        for (size_t c = 0; c < nfixed; c++) {
            if (c)
                fputc(',', f);
            put_value(f, json_object_get(run, fixed_columns[c]));
        }
        const json_t *metrics = json_object_get(run, "metrics");
        for (size_t c = 0; c < ncols; c++) {
            fputc(',', f);
            put_value(f, json_object_get(metrics, cols[c]));
        }
        fputc('\n', f);
    }
    for (size_t c = ab_results_csv_metric_count(); c < ncols; c++)
        free((char *)cols[c]);
    free(cols);
    return ferror(f) ? -1 : 0;
}

typedef int (*render_fn)(const json_t *doc, FILE *f);

/* The CSV: render into the temporary, flush and fsync it, rename it into place. */
static int write_one(const char *run_dir, const char *name, render_fn render, const json_t *doc,
                     char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", run_dir, name);
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen) != 0)
        return -1;
    errno = 0;
    int failed = render(doc, af.f) != 0 || fflush(af.f) != 0 || fsync(fileno(af.f)) != 0;
    if (failed) {
        ab_fail(err, errlen, "cannot write %s: %s; the previous version is kept", path,
                strerror(errno ? errno : EIO));
        ab_atomic_abort(&af);
        return -1;
    }
    return ab_atomic_commit(&af, err, errlen);
}

int ab_results_write(const char *run_dir, const json_t *doc, char *err, size_t errlen)
{
    /* Compact: the file is rewritten after every run, and the last write of a quick run took
     * 4 times as long indented (pretty-print with `jq .`). */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/results.json", run_dir);
    if (ab_json_write_atomic(path, doc,
                             JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10), err,
                             errlen) != 0)
        return -1;
    return write_one(run_dir, "results.csv", ab_results_csv, doc, err, errlen);
}
