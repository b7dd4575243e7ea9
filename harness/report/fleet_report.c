/* fleet_report.c: the fleet report, `alignbench report R1 R2 ...`: grouping, labelling and its
 * page (fleet_report.h).
 *
 * What is compared between runs: the context (flattened to dotted keys, allocators reduced to
 * their version and library) and the scalar run settings of config, less the fields that
 * differ on every run (date, load averages, clock calibration, the kernel's prices measured
 * at the start of each run, the runner's path).
 */
#include "harness/report/fleet_report.h"
#include "harness/common/error_message.h"
#include "harness/report/html_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const machine_keys[] = {"hostname", "cpu_model", "kernel", "glibc"};
#define NMACHINE (sizeof machine_keys / sizeof machine_keys[0])

static const char *const volatile_keys[] = {"date",
                                            "load_average",
                                            "load_average_end",
                                            "tsc_hz",
                                            "timer_resolution_ns",
                                            "timer_resolution_ticks",
                                            "unresolved_below_ns",
                                            "config.runner"};

static int is_volatile(const char *key)
{
    if (!strncmp(key, "machine_costs.", 14)) /* measured anew by every run */
        return 1;
    for (size_t i = 0; i < sizeof volatile_keys / sizeof volatile_keys[0]; i++)
        if (!strcmp(key, volatile_keys[i]))
            return 1;
    return 0;
}

/* Adds obj's members to flat as prefix+key, objects recursively, arrays as values. */
static void flatten(json_t *flat, const char *prefix, const json_t *obj)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char name[512];
        snprintf(name, sizeof name, "%s%s", prefix, key);
        if (is_volatile(name))
            continue;
        if (!strcmp(name, "allocators") && json_is_object(v)) { /* version and library only */
            const char *a;
            const json_t *av;
            json_object_foreach((json_t *)v, a, av)
            {
                static const char *const keep[] = {"version", "library"};
                for (size_t k = 0; k < 2; k++) {
                    snprintf(name, sizeof name, "allocators.%s.%s", a, keep[k]);
                    const json_t *x = json_object_get(av, keep[k]);
                    if (x)
                        json_object_set_new(flat, name, json_deep_copy(x));
                }
            }
        } else if (json_is_object(v)) {
            char sub[520];
            snprintf(sub, sizeof sub, "%s.", name);
            flatten(flat, sub, v);
        } else {
            json_object_set_new(flat, name, json_deep_copy(v));
        }
    }
}

static json_t *compared_fields(const json_t *res)
{
    json_t *flat = json_object();
    flatten(flat, "", json_object_get(res, "context"));
    const json_t *config = json_object_get(res, "config");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)config, key, v)
    {
        char name[512];
        snprintf(name, sizeof name, "config.%s", key);
        if (!json_is_array(v) && !json_is_object(v) && !is_volatile(name))
            json_object_set_new(flat, name, json_deep_copy(v));
    }
    return flat;
}

/* A value as short text: strings bare, null "null", missing "unset", else compact JSON. */
static void value_text(const json_t *v, char *buf, size_t len)
{
    if (!v) {
        snprintf(buf, len, "unset");
    } else if (json_is_string(v)) {
        snprintf(buf, len, "%s", json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, len, "%s", s ? s : "?");
        free(s);
    }
}

/* "settings.MALLOC_ARENA_MAX" -> "MALLOC_ARENA_MAX": the label uses the last part. */
static const char *short_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    return strncmp(key, "settings.", 9) == 0 && dot ? dot + 1 : key;
}

static int same_machine(const json_t *a, const json_t *b)
{
    for (size_t k = 0; k < NMACHINE; k++) {
        const json_t *x = json_object_get(json_object_get(a, "context"), machine_keys[k]);
        const json_t *y = json_object_get(json_object_get(b, "context"), machine_keys[k]);
        if (!(x == y || (x && y && json_equal((json_t *)x, (json_t *)y))))
            return 0;
    }
    return 1;
}

void ab_fleet_free(ab_fleet *fl)
{
    for (size_t i = 0; i < fl->n; i++) {
        json_decref(fl->runs ? fl->runs[i] : NULL);
        json_decref(fl->flat ? fl->flat[i] : NULL);
        if (fl->dirs)
            free(fl->dirs[i]);
        if (fl->labels)
            free(fl->labels[i]);
    }
    free(fl->runs);
    free(fl->flat);
    free(fl->dirs);
    free(fl->labels);
    free(fl->group);
    ab_names_free(&fl->differ);
    *fl = (ab_fleet){0};
}

int ab_fleet_load(const char *const *dirs, size_t n, ab_fleet *out, char *err, size_t errlen)
{
    *out = (ab_fleet){0};
    json_t **loaded = calloc(n, sizeof *loaded);
    size_t *order = calloc(n, sizeof *order), *grp = calloc(n, sizeof *grp);
    out->runs = calloc(n, sizeof *out->runs);
    out->flat = calloc(n, sizeof *out->flat);
    out->dirs = calloc(n, sizeof *out->dirs);
    out->labels = calloc(n, sizeof *out->labels);
    out->group = calloc(n, sizeof *out->group);
    int rc = -1;
    if (!loaded || !order || !grp || !out->runs || !out->flat || !out->dirs || !out->labels ||
        !out->group) {
        ab_fail(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (!(loaded[i] = ab_rv_load(dirs[i], err, errlen)))
            goto done;
    /* machine groups in order of first appearance; the runs of a group together */
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        size_t g = ngroups;
        for (size_t j = 0; j < i; j++)
            if (same_machine(loaded[i], loaded[j])) {
                g = grp[j];
                break;
            }
        grp[i] = g;
        if (g == ngroups)
            ngroups++;
    }
    size_t k = 0;
    for (size_t g = 0; g < ngroups; g++)
        for (size_t i = 0; i < n; i++)
            if (grp[i] == g)
                order[k++] = i;
    out->ngroups = ngroups;
    for (size_t p = 0; p < n; p++, out->n++) {
        size_t i = order[p];
        out->runs[p] = loaded[i];
        loaded[i] = NULL;
        out->group[p] = grp[i];
        out->dirs[p] = strdup(dirs[i]);
        out->flat[p] = compared_fields(out->runs[p]);
    }
    /* the fields that differ: present in some run and not equal in all */
    for (size_t p = 0; p < n; p++) {
        const char *key;
        const json_t *v;
        json_object_foreach(out->flat[p], key, v)
        {
            for (size_t q = 0; q < n; q++) {
                const json_t *w = json_object_get(out->flat[q], key);
                if (!w || !json_equal((json_t *)v, (json_t *)w)) {
                    if (ab_names_add(&out->differ, key)) {
                        ab_fail(err, errlen, "out of memory");
                        goto done;
                    }
                    break;
                }
            }
        }
    }
    for (size_t p = 0; p < n; p++) {
        char label[256], val[128];
        size_t used =
            (size_t)snprintf(label, sizeof label, "%s", ab_rv_str(out->runs[p], "run_id"));
        for (size_t d = 0; d < out->differ.n && used < sizeof label; d++) {
            value_text(json_object_get(out->flat[p], out->differ.v[d]), val, sizeof val);
            if (strlen(val) > 24) /* a commit or a CPU model: its start tells them apart */
                strcpy(val + 12, "...");
            used += (size_t)snprintf(label + used, sizeof label - used, "|%s=%s",
                                     short_key(out->differ.v[d]), val);
        }
        if (used >= 200)
            strcpy(label + 196, "...");
        out->labels[p] = strdup(label);
    }
    rc = 0;
done:
    if (loaded)
        for (size_t i = 0; i < n; i++)
            json_decref(loaded[i]);
    free(loaded);
    free(order);
    free(grp);
    if (rc)
        ab_fleet_free(out);
    return rc;
}

/* ---- the page ---- */

static void section_runs(FILE *f, const ab_fleet *fl)
{
    fputs("<h2 id=summary>Runs</h2>\n<p>Grouped by machine (hostname, CPU model, kernel, glibc); "
          "each run with the fields of its context and settings that are not the same in every "
          "run (the date, load and clock calibration left out).</p>\n<table>\n<tr><th class=l>run"
          "</th><th class=l>machine</th><th class=l>date</th><th class=l>differs</th><th "
          "class=l>folder</th></tr>\n",
          f);
    for (size_t p = 0; p < fl->n; p++) {
        const json_t *ctx = json_object_get(fl->runs[p], "context");
        char val[512];
        fputs("<tr><td class=l>", f);
        ab_html_escape(f, ab_rv_str(fl->runs[p], "run_id"));
        fprintf(f, "</td><td class=l>machine %zu</td><td class=l>", fl->group[p] + 1);
        ab_html_escape(f, ab_rv_str(ctx, "date"));
        fputs("</td><td class=l>", f);
        for (size_t d = 0; d < fl->differ.n; d++) {
            value_text(json_object_get(fl->flat[p], fl->differ.v[d]), val, sizeof val);
            fputs(d ? "<br>" : "", f);
            fputs("<code>", f);
            ab_html_escape(f, fl->differ.v[d]);
            fputs("</code> = ", f);
            ab_html_escape(f, val);
        }
        if (!fl->differ.n)
            fputs("nothing", f);
        fputs("</td><td class=l>", f);
        ab_html_escape(f, fl->dirs[p]);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void section_machines(FILE *f, const ab_fleet *fl)
{
    fputs("<h2 id=machines>Machines</h2>\n<table>\n<tr><th class=l>machine</th>", f);
    for (size_t k = 0; k < NMACHINE; k++)
        fprintf(f, "<th class=l>%s</th>", machine_keys[k]);
    fputs("<th class=l>runs</th></tr>\n", f);
    for (size_t g = 0; g < fl->ngroups; g++) {
        size_t first = 0;
        while (fl->group[first] != g)
            first++;
        const json_t *ctx = json_object_get(fl->runs[first], "context");
        fprintf(f, "<tr><td class=l>machine %zu</td>", g + 1);
        for (size_t k = 0; k < NMACHINE; k++) {
            fputs("<td class=l>", f);
            ab_html_escape(f, ab_rv_str(ctx, machine_keys[k]));
            fputs("</td>", f);
        }
        fputs("<td class=l>", f);
        for (size_t p = 0, c = 0; p < fl->n; p++)
            if (fl->group[p] == g) {
                fputs(c++ ? ", " : "", f);
                ab_html_escape(f, ab_rv_str(fl->runs[p], "run_id"));
            }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Per workload: the median ns/op net (else raw) of each allocator, one column per run. */
static void section_tables(FILE *f, const ab_fleet *fl)
{
    ab_names al = {0}, wls = {0};
    for (size_t p = 0; p < fl->n; p++) {
        ab_names ra = {0}, rw = {0};
        if (!ab_rv_allocators(fl->runs[p], &ra) && !ab_rv_workloads(fl->runs[p], &rw)) {
            for (size_t i = 0; i < ra.n; i++)
                ab_names_add(&al, ra.v[i]);
            for (size_t i = 0; i < rw.n; i++)
                ab_names_add(&wls, rw.v[i]);
        }
        ab_names_free(&ra);
        ab_names_free(&rw);
    }
    fputs("<h2 id=tables>Medians per run</h2>\n<p>Median ns per op net of the replay floor "
          "(raw where the run has no positive net value, marked *), then frag_peak.</p>\n",
          f);
    for (size_t w = 0; w < wls.n; w++) {
        fputs("<h3>", f);
        ab_html_escape(f, wls.v[w]);
        fputs("</h3>\n<table>\n<tr><th class=l>allocator</th>", f);
        for (size_t p = 0; p < fl->n; p++) {
            fputs("<th>", f);
            ab_html_escape(f, ab_rv_str(fl->runs[p], "run_id"));
            fputs("</th>", f);
        }
        fputs("</tr>\n", f);
        for (size_t a = 0; a < al.n; a++) {
            fputs("<tr><td class=l>", f);
            ab_html_escape(f, al.v[a]);
            fputs("</td>", f);
            for (size_t p = 0; p < fl->n; p++) {
                double t, fr;
                int raw = 0;
                if (ab_rv_median(fl->runs[p], al.v[a], wls.v[w], "ns_per_op_net", &t) || t <= 0)
                    raw = 1, t = -1, ab_rv_median(fl->runs[p], al.v[a], wls.v[w], "ns_per_op", &t);
                if (t < 0) {
                    fputs("<td>-</td>", f);
                    continue;
                }
                fprintf(f, "<td>%.2f%s", t, raw ? "*" : "");
                if (!ab_rv_median(fl->runs[p], al.v[a], wls.v[w], "frag_peak", &fr))
                    fprintf(f, " <small>%.3f</small>", fr);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    ab_names_free(&al);
    ab_names_free(&wls);
}

int ab_fleet_html_write(const ab_fleet *fl, const char *out_dir, const char *html_path,
                        const ab_chart_list *charts, const char *note, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        ab_fail(err, errlen, "out of memory writing the report");
        return -1;
    }
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=\"utf-8\">\n<title>"
            "alignbench report, %zu runs</title>\n<style>%s</style>\n</head>\n<body>\n"
            "<h1>alignbench report, %zu runs on %zu machine%s</h1>\n",
            fl->n, ab_html_css(), fl->n, fl->ngroups, fl->ngroups == 1 ? "" : "s");
    fputs("<p><a href=\"#summary\">Runs</a> &middot; <a href=\"#machines\">Machines</a> &middot; "
          "<a href=\"#differs\">Differing context</a> &middot; <a href=\"#charts\">Charts</a> "
          "&middot; <a href=\"#tables\">Medians</a></p>\n",
          f);
    section_runs(f, fl);
    section_machines(f, fl);
    fputs("<h2 id=differs>Differing context</h2>\n", f);
    if (fl->differ.n) {
        fputs("<table>\n<tr><th class=l>field</th>", f);
        for (size_t p = 0; p < fl->n; p++) {
            fputs("<th class=l>", f);
            ab_html_escape(f, ab_rv_str(fl->runs[p], "run_id"));
            fputs("</th>", f);
        }
        fputs("</tr>\n", f);
        for (size_t d = 0; d < fl->differ.n; d++) {
            fputs("<tr><th class=l>", f);
            ab_html_escape(f, fl->differ.v[d]);
            fputs("</th>", f);
            for (size_t p = 0; p < fl->n; p++) {
                const json_t *v = json_object_get(fl->flat[p], fl->differ.v[d]);
                fputs("<td class=l>", f);
                if (v)
                    ab_html_json_inline(f, v);
                else
                    fputs("<small>unset</small>", f);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    } else {
        fputs("<p>The runs' context and settings are the same (but for the date and load).</p>\n",
              f);
    }
    ab_html_charts(f, out_dir, charts, note);
    section_tables(f, fl);
    fputs("<p><small>Each run's own report: <code>alignbench plot RUN_DIR</code>.</small></p>\n"
          "</body>\n</html>\n",
          f);
    if (fclose(f)) {
        free(buf);
        ab_fail(err, errlen, "out of memory writing the report");
        return -1;
    }
    int rc = ab_html_commit(buf, len, html_path, err, errlen);
    free(buf);
    return rc;
}
