/* compare_load.c: reading one side of `alignbench compare` (see compare_data.h).
 *
 * Which kind a file is comes from its content: "schema": "alignbench-results" is a run's
 * results.json (per-repetition values from runs[], whose status must be "ok"; cells[]
 * aggregates are not used, the U test needs the repetitions), an object with "context" and a
 * "benchmarks" array is Google Benchmark JSON (entries with run_type "iteration", aggregates
 * skipped; real_time and cpu_time converted to ns by time_unit). The contexts of both kinds are
 * flattened onto the same names so that they can be compared with each other.
 */
#include "harness/analysis/compare_data.h"

#include "harness/common/json_file.h"
#include "harness/common/error_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* [1, 5, 15 minute] load averages as "a, b, c" (results: context.load_average, gbench:
 * context.load_avg); they explain a noisy side, so compare prints them. */
static void note_load(ab_cmp_side *s, const json_t *arr)
{
    size_t i, used = 0;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_number(v) || used >= sizeof s->load)
            break;
        used += (size_t)snprintf(s->load + used, sizeof s->load - used, "%s%.2f", i ? ", " : "",
                                 json_number_value(v));
    }
}
static ab_cmp_cell *cell_get(ab_cmp_side *s, const char *key, const char *allocator,
                             const char *workload)
{
    for (size_t i = 0; i < s->ncells; i++)
        if (!strcmp(s->cells[i].key, key))
            return &s->cells[i];
    if (s->ncells == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 32;
        ab_cmp_cell *cells = realloc(s->cells, cap * sizeof *cells);
        if (!cells)
            return NULL;
        s->cells = cells;
        s->cap = cap;
    }
    ab_cmp_cell *c = &s->cells[s->ncells];
    memset(c, 0, sizeof *c);
    c->key = strdup(key);
    c->allocator = strdup(allocator);
    c->workload = strdup(workload);
    c->metric = calloc(ab_cmp_metric_count, sizeof *c->metric);
    if (!c->key || !c->allocator || !c->workload || !c->metric) {
        free(c->key);
        free(c->allocator);
        free(c->workload);
        free(c->metric);
        return NULL;
    }
    s->ncells++;
    return c;
}

static int samples_add(ab_cmp_samples *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        double *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

static void note_failure(ab_cmp_cell *c, const char *what)
{
    c->failed++;
    if (!c->failure[0])
        snprintf(c->failure, sizeof c->failure, "%s", what);
}

/* Copies a scalar as a string into the flat context (strings as is, others as JSON). */
static void ctx_copy(json_t *ctx, const char *name, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        json_object_set_new(ctx, name, json_string(json_string_value(v)));
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (text)
        json_object_set_new(ctx, name, json_string(text));
    free(text);
}

/* Context fields that say whether two runs are comparable (not the date or commit, which are
 * expected to differ). */
static const char *const results_ctx_keys[] = {"cpu_model", "hostname", "kernel",   "glibc",
                                               "thp",       "cores",    "compiler", "cflags"};

static int load_results(json_t *doc, ab_cmp_side *s, char *err, size_t errlen)
{
    json_t *version = json_object_get(doc, "version");
    if (!json_is_integer(version))
        return ab_fail(err, errlen, "%s: no integer \"version\"", s->path);
    if (json_integer_value(version) != 1)
        return ab_fail(err, errlen, "%s: results schema version %lld; this alignbench reads 1",
                       s->path, (long long)json_integer_value(version));
    s->incomplete = json_is_false(json_object_get(doc, "complete"));

    json_t *ctx = json_object_get(doc, "context");
    note_load(s, json_object_get(ctx, "load_average"));
    for (size_t i = 0; i < sizeof results_ctx_keys / sizeof results_ctx_keys[0]; i++)
        ctx_copy(s->context, results_ctx_keys[i], json_object_get(ctx, results_ctx_keys[i]));
    const char *name;
    json_t *a;
    json_object_foreach(json_object_get(ctx, "allocators"), name, a)
    {
        char key[256];
        snprintf(key, sizeof key, "allocator %s version", name);
        ctx_copy(s->context, key, json_object_get(a, "version"));
        snprintf(key, sizeof key, "allocator %s settings", name);
        json_t *settings = json_object_get(a, "settings");
        if (json_object_size(settings))
            ctx_copy(s->context, key, settings);
    }

    json_t *runs = json_object_get(doc, "runs");
    if (!json_is_array(runs))
        return ab_fail(err, errlen, "%s: no \"runs\" array", s->path);
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        const char *alloc = json_string_value(json_object_get(run, "allocator"));
        const char *workload = json_string_value(json_object_get(run, "workload"));
        if (!alloc || !workload)
            return ab_fail(err, errlen,
                           "%s: runs[%zu]: \"allocator\" and \"workload\" must be strings", s->path,
                           i);
        char key[512];
        snprintf(key, sizeof key, "%s/%s", alloc, workload);
        ab_cmp_cell *c = cell_get(s, key, alloc, workload);
        if (!c)
            return ab_fail(err, errlen, "out of memory");
        c->reps++;
        const char *kind = json_string_value(json_object_get(run, "kind"));
        c->program |= kind && !strcmp(kind, "program");
        const char *status = json_string_value(json_object_get(run, "status"));
        if (!status || strcmp(status, "ok") != 0) {
            const char *why = json_string_value(json_object_get(run, "error"));
            char what[160];
            snprintf(what, sizeof what, "%s%s%.120s", status ? status : "no status",
                     why ? ": " : "", why ? why : "");
            note_failure(c, what);
            continue;
        }
        json_t *metrics = json_object_get(run, "metrics");
        c->counted |= json_object_get(metrics, "instructions_per_op_net") != NULL;
        for (size_t m = 0; m < ab_cmp_metric_count; m++) {
            const char *mk = ab_cmp_metrics[m].results_key;
            json_t *v = mk ? json_object_get(metrics, mk) : NULL;
            if (json_is_number(v) && samples_add(&c->metric[m], json_number_value(v)))
                return ab_fail(err, errlen, "out of memory");
        }
    }
    return 0;
}

static double unit_to_ns(const char *unit)
{
    static const struct {
        const char *name;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    for (size_t i = 0; unit && i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(unit, units[i].name))
            return units[i].ns;
    return unit ? 0 : 1; /* no time_unit: ns, as Google Benchmark's default */
}

static void load_gbench_context(const json_t *ctx, ab_cmp_side *s)
{
    static const struct {
        const char *from, *to;
    } renames[] = {
        {"host_name", "hostname"},
        {"alignbench_cpu_model", "cpu_model"},
        {"alignbench_kernel", "kernel"},
        {"alignbench_glibc", "glibc"},
        {"alignbench_thp", "thp"},
        {"num_cpus", "cores"},
        {"library_build_type", "libbenchmark build"},
    };
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
        ctx_copy(s->context, renames[i].to, json_object_get(ctx, renames[i].from));
    static const char prefix[] = "alignbench_allocator_version:";
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ctx, key, v)
    {
        if (strncmp(key, prefix, sizeof prefix - 1) != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "allocator %s version", key + sizeof prefix - 1);
        ctx_copy(s->context, name, v);
    }
}

/* alignbench's names are KIND/ALLOCATOR/PARAMS...: the allocator is the second part. */
static void split_micro_name(const char *name, char *alloc, size_t alen, char *workload,
                             size_t wlen)
{
    const char *a = strchr(name, '/');
    const char *rest = a ? strchr(a + 1, '/') : NULL;
    if (!a) {
        snprintf(alloc, alen, "%s", "");
        snprintf(workload, wlen, "%s", name);
        return;
    }
    size_t alloc_len = rest ? (size_t)(rest - a - 1) : strlen(a + 1);
    snprintf(alloc, alen, "%.*s", (int)alloc_len, a + 1);
    snprintf(workload, wlen, "%.*s%s", (int)(a - name), name, rest ? rest : "");
}

static int load_gbench(json_t *doc, ab_cmp_side *s, char *err, size_t errlen)
{
    json_t *ctx = json_object_get(doc, "context");
    load_gbench_context(ctx, s);
    note_load(s, json_object_get(ctx, "load_avg"));
    int ours = json_object_get(ctx, "alignbench_micro_allocators") != NULL;
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
    {
        const char *run_type = json_string_value(json_object_get(b, "run_type"));
        if (run_type && !strcmp(run_type, "aggregate"))
            continue;
        const char *name = json_string_value(json_object_get(b, "run_name"));
        if (!name)
            name = json_string_value(json_object_get(b, "name"));
        if (!name)
            return ab_fail(err, errlen, "%s: benchmarks[%zu] has no name", s->path, i);
        char alloc[256] = "", workload[512];
        if (ours)
            split_micro_name(name, alloc, sizeof alloc, workload, sizeof workload);
        else
            snprintf(workload, sizeof workload, "%s", name);
        ab_cmp_cell *c = cell_get(s, name, alloc, workload);
        if (!c)
            return ab_fail(err, errlen, "out of memory");
        c->reps++;
        if (json_is_true(json_object_get(b, "error_occurred"))) {
            const char *msg = json_string_value(json_object_get(b, "error_message"));
            note_failure(c, msg ? msg : "error_occurred");
            continue;
        }
        const char *unit = json_string_value(json_object_get(b, "time_unit"));
        double to_ns = unit_to_ns(unit);
        if (to_ns == 0)
            return ab_fail(err, errlen, "%s: benchmarks[%zu]: unknown time_unit '%s'", s->path, i,
                           unit);
        for (size_t m = 0; m < ab_cmp_metric_count; m++) {
            const char *mk = ab_cmp_metrics[m].gbench_key;
            json_t *v = mk ? json_object_get(b, mk) : NULL;
            if (!json_is_number(v))
                continue;
            double x = json_number_value(v);
            if (!strcmp(mk, "real_time") || !strcmp(mk, "cpu_time"))
                x *= to_ns;
            if (samples_add(&c->metric[m], x))
                return ab_fail(err, errlen, "out of memory");
        }
    }
    return 0;
}

int ab_cmp_load(const char *path, ab_cmp_side *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) != 0)
        return ab_fail(err, errlen, "%s: no such file or folder", path);
    if (S_ISDIR(st.st_mode))
        snprintf(s->path, sizeof s->path, "%.4000s/results.json", path);
    else
        snprintf(s->path, sizeof s->path, "%s", path);
    json_t *doc = ab_json_load_named(s->path, err, errlen);
    if (!doc)
        return -1;
    s->context = json_object();
    int rc;
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    if (schema && !strcmp(schema, "alignbench-results")) {
        s->kind = AB_CMP_RESULTS;
        rc = load_results(doc, s, err, errlen);
    } else if (json_is_object(json_object_get(doc, "context")) &&
               json_is_array(json_object_get(doc, "benchmarks"))) {
        s->kind = AB_CMP_GBENCH;
        rc = load_gbench(doc, s, err, errlen);
    } else {
        rc = ab_fail(err, errlen,
                     "%s: neither an alignbench results.json (\"schema\": \"alignbench-results\") "
                     "nor Google Benchmark JSON (\"context\" and \"benchmarks\")",
                     s->path);
    }
    json_decref(doc);
    if (rc != 0)
        ab_cmp_free(s);
    return rc;
}

void ab_cmp_free(ab_cmp_side *s)
{
    for (size_t i = 0; i < s->ncells; i++) {
        ab_cmp_cell *c = &s->cells[i];
        for (size_t m = 0; m < ab_cmp_metric_count; m++)
            free(c->metric[m].v);
        free(c->metric);
        free(c->key);
        free(c->allocator);
        free(c->workload);
    }
    free(s->cells);
    json_decref(s->context);
    s->cells = NULL;
    s->context = NULL;
    s->ncells = s->cap = 0;
}

const ab_cmp_cell *ab_cmp_find_cell(const ab_cmp_side *s, const char *key)
{
    for (size_t i = 0; i < s->ncells; i++)
        if (!strcmp(s->cells[i].key, key))
            return &s->cells[i];
    return NULL;
}
