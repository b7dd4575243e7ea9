/* report.c: a results folder into charts and report.html (report.h).
 *
 * The order is: read results.json (jansson), let chart_data.c write the data files and the
 * list of charts, run gnuplot once per chart and format (PNG and SVG) as a child process
 * (child.h) whose stderr is captured, then let report_html.c write the page. gnuplot writes each
 * image to a temporary created exclusively (O_EXCL, a random name: a planted link is never
 * followed) that is renamed into place only when gnuplot succeeded and the image is complete
 * (chart_check.h: gnuplot exits 0 on a full disk), so a chart file is never half-drawn. Where the
 * scripts are: $AB_PLOTS_DIR, else the installed share/alignbench/plots, else <exe dir>/../plots (a
 * build tree; locate.h), else the source tree's plots/ (a last resort, never needed by an installed
 * or built tree). Which gnuplot: $AB_GNUPLOT, else the one found at configure time, else `gnuplot`
 * on PATH.
 */
#include "harness/report/report.h"
#include "harness/common/error_message.h"
#include "harness/report/chart_data.h"
#include "harness/report/fleet_report.h"
#include "harness/report/chart_check.h"
#include "harness/common/atomic_file.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/locate.h"
#include "harness/report/report_html.h"
#include "harness/report/results_view.h"
#include "build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int find_plots_dir(char *buf, size_t len)
{
    char probe[4200];
    const char *env = getenv("AB_PLOTS_DIR");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        snprintf(probe, sizeof probe, "%s/style.gp", buf);
        return is_file(probe) ? 0 : -1;
    }
    if (ab_locate(AB_INSTALL_PLOTS_REL, "../plots", "style.gp", buf, len) == 0) {
        *strrchr(buf, '/') = '\0'; /* the folder, not style.gp */
        return 0;
    }
    snprintf(buf, len, "%s/plots", AB_SOURCE_DIR);
    snprintf(probe, sizeof probe, "%s/style.gp", buf);
    return is_file(probe) ? 0 : -1;
}

/* The gnuplot to run, or NULL when there is none. */
static const char *find_gnuplot(void)
{
    const char *env = getenv("AB_GNUPLOT");
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    if (*AB_GNUPLOT_PATH && access(AB_GNUPLOT_PATH, X_OK) == 0)
        return AB_GNUPLOT_PATH;
    const char *path = getenv("PATH");
    static char found[4096];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(found, sizeof found, "%.*s/gnuplot", (int)n, path);
        if (n && access(found, X_OK) == 0)
            return found;
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* Runs gnuplot with argv (a child process: child.h), its stderr captured into diag
 * (NUL-terminated, truncated). Returns its exit status (0 ok), or -1 when it could not run or
 * died of a signal. */
static int run_gnuplot(const char *const *argv, const char *plots_dir, char *diag, size_t len)
{
    char lib[4200];
    snprintf(lib, sizeof lib, "GNUPLOT_LIB=%s", plots_dir);
    const char *env[] = {lib, NULL};
    const char *preload = getenv("LD_PRELOAD"); /* gnuplot runs in our environment */
    ab_child_spec spec = {.argv = argv,
                          .preload = preload && *preload ? preload : NULL,
                          .env = env,
                          .stdin_null = 1,
                          .stdout_path = "/dev/null",
                          .stderr_buf = diag,
                          .stderr_buf_len = len};
    ab_child_result r;
    if (ab_child_run(&spec, &r) != 0 || r.outcome == AB_CHILD_SPAWN_ERROR) {
        snprintf(diag, len, "cannot run %s: %s", argv[0],
                 strerror(r.outcome == AB_CHILD_SPAWN_ERROR ? r.exit_code : errno));
        return -1;
    }
    return r.outcome == AB_CHILD_OK || r.outcome == AB_CHILD_FAILED ? r.exit_code : -1;
}

/* Draws one chart of job j in format into dir: gnuplot writes into a temporary reserved with
 * O_EXCL next to the final name (atomic_file.h), which is renamed into place only when gnuplot
 * succeeded and the file is complete (chart_check.h). Returns 0 (diag holds any warning), or -1
 * with what went wrong in why. */
static int draw_one(const ab_chart_job *j, const char *format, const char *dir, const char *corner,
                    const char *gnuplot, const char *plots_dir, char *diag, size_t diaglen,
                    char *why, size_t whylen)
{
    char script[4200], data[4200], final[4200];
    snprintf(script, sizeof script, "%s/%s", plots_dir, j->script);
    snprintf(data, sizeof data, "%s/%s.dat", dir, j->name);
    snprintf(final, sizeof final, "%s/%s.%s", dir, j->name, format);
    diag[0] = '\0';
    ab_atomic_file af;
    if (ab_atomic_reserve(&af, final, why, whylen) != 0)
        return -1;
    const char *argv[8 + AB_CHART_MAX_ARGS + 1] = {gnuplot, "-c",     script, format,   af.tmp_path,
                                                   data,    j->title, corner, j->allocs};
    size_t argc = 9;
    for (int a = 0; a < j->nargs; a++)
        argv[argc++] = j->args[a];
    argv[argc] = NULL;
    int rc = run_gnuplot(argv, plots_dir, diag, diaglen);
    char incomplete[512];
    if (rc != 0) {
        ab_fail(why, whylen, "gnuplot failed on %s (%s, %s): %s", j->name, j->script, format,
                *diag ? diag : "no output written");
    } else if (ab_chart_complete(af.tmp_path, format, incomplete, sizeof incomplete) != 0) {
        ab_fail(why, whylen, "%s: gnuplot's output is incomplete (%s)%s%s", final, incomplete,
                *diag ? "; gnuplot said: " : "", diag);
    } else {
        return ab_atomic_commit(&af, why, whylen);
    }
    ab_atomic_abort(&af);
    return -1;
}

/* Draws every job of the list as PNG and SVG into dir. Counts warnings; a failed chart or, when
 * strict, a warning makes it return -1 (the other charts are still drawn). */
static int draw_charts(ab_chart_list *list, const char *dir, const char *corner,
                       const char *gnuplot, const char *plots_dir, const ab_report_opts *opts,
                       char *err, size_t errlen)
{
    static const char *formats[] = {"png", "svg"};
    int failed = 0, warned = 0;
    for (size_t i = 0; i < list->n; i++) {
        ab_chart_job *j = &list->jobs[i];
        int ok = 1;
        for (size_t f = 0; f < 2; f++) {
            char diag[4096], why[4096 + 512];
            if (draw_one(j, formats[f], dir, corner, gnuplot, plots_dir, diag, sizeof diag, why,
                         sizeof why) != 0) {
                ok = 0;
                if (!failed++)
                    ab_fail(err, errlen, "%s", why);
                if (!opts->quiet)
                    fprintf(stderr, "alignbench: chart %s.%s failed: %s\n", j->name, formats[f],
                            why);
                continue;
            }
            if (*diag) {
                if (!warned++ && !failed && opts->strict)
                    ab_fail(err, errlen, "gnuplot warned on %s (%s, %s): %s", j->name, j->script,
                            formats[f], diag);
                if (!opts->quiet || opts->strict)
                    fprintf(stderr, "alignbench: gnuplot warning in chart %s.%s:\n%s", j->name,
                            formats[f], diag);
            }
        }
        j->rendered = ok;
    }
    if (failed || (opts->strict && warned)) {
        size_t n = strlen(err);
        while (n && err[n - 1] == '\n')
            err[--n] = '\0';
        return -1;
    }
    return 0;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0777) && errno != EEXIST) {
        ab_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The charts folder inside a results folder (which may come from elsewhere): made when missing,
 * and refused when it is a symbolic link (or anything but a folder), which would send the
 * charts outside the results folder. */
static int make_own_dir(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (make_dir(path, err, errlen))
        return -1;
    if (lstat(path, &st) != 0)
        return ab_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return ab_fail(err, errlen,
                       "%s is a symbolic link; refusing to write the charts through it (remove it)",
                       path);
    if (!S_ISDIR(st.st_mode))
        return ab_fail(err, errlen, "cannot create %s: it exists and is not a folder", path);
    return 0;
}

/* Finds gnuplot and the scripts; on failure says why in why[] and returns NULL. */
static const char *charting_tools(char *plots_dir, size_t len, char *why, size_t whylen)
{
    const char *gnuplot = find_gnuplot();
    if (!gnuplot) {
        snprintf(why, whylen, "gnuplot was not found (install gnuplot-nox, or set AB_GNUPLOT)");
        return NULL;
    }
    if (find_plots_dir(plots_dir, len)) {
        snprintf(why, whylen,
                 "the gnuplot scripts (plots/style.gp) were not found (set AB_PLOTS_DIR)");
        return NULL;
    }
    return gnuplot;
}

/* Draws the listed charts when gnuplot and the scripts are there; otherwise, or when some chart
 * fails, note says why (for the report page) and chart_err what failed. Returns draw_charts'
 * status (0 when skipped). */
static int draw_or_note(ab_chart_list *list, const char *dir, const char *corner,
                        const ab_report_opts *opts, char *note, size_t notelen, char *chart_err,
                        size_t errlen)
{
    char plots_dir[4096];
    const char *gnuplot = charting_tools(plots_dir, sizeof plots_dir, note, notelen);
    if (!gnuplot) {
        if (!opts->quiet)
            fprintf(stderr, "alignbench: charts skipped: %s\n", note);
        return 0;
    }
    int rc = draw_charts(list, dir, corner, gnuplot, plots_dir, opts, chart_err, errlen);
    if (rc)
        snprintf(note, notelen, "some charts could not be drawn: %.400s", chart_err);
    return rc;
}

/* The outcome of a page written after its charts: html_rc the page's status (its error in err),
 * charts_rc the charts' (their error in chart_err). Both failures are told, the chart first (a
 * full disk stops the charts before the page). Returns 0 or -1 with err. */
static int page_status(int html_rc, int charts_rc, const char *chart_err, char *err, size_t errlen)
{
    if (html_rc && charts_rc) {
        char html_err[1024];
        snprintf(html_err, sizeof html_err, "%s", err);
        return ab_fail(err, errlen, "%s; and %s", chart_err, html_err);
    }
    if (charts_rc)
        return ab_fail(err, errlen, "%s", chart_err);
    return html_rc ? -1 : 0;
}

int ab_report_render_opts(const char *run_dir, const ab_report_opts *opts, char *err, size_t errlen)
{
    char charts[4096], note[512] = "", corner[512];
    ab_chart_list list = {0};
    int rc = -1;
    err[0] = '\0';
    json_t *res = ab_rv_load(run_dir, err, errlen);
    if (!res)
        return -1;
    snprintf(charts, sizeof charts, "%s/charts", run_dir);
    if (make_own_dir(charts, err, errlen) || ab_chart_data_write(res, charts, &list, err, errlen))
        goto done;
    ab_chart_corner(res, corner, sizeof corner);
    char chart_err[2048] = "";
    int charts_rc =
        draw_or_note(&list, charts, corner, opts, note, sizeof note, chart_err, sizeof chart_err);
    if (page_status(ab_report_html_write(res, run_dir, &list, note, err, errlen), charts_rc,
                    chart_err, err, errlen))
        goto done;
    if (!opts->quiet) {
        size_t drawn = 0;
        for (size_t i = 0; i < list.n; i++)
            drawn += list.jobs[i].rendered;
        printf("alignbench: %zu charts in %s, report in %s/report.html\n", drawn, charts, run_dir);
    }
    rc = 0;
done:
    ab_chart_list_free(&list);
    json_decref(res);
    return rc;
}

int ab_report_render(const char *run_dir, int quiet, char *err, size_t errlen)
{
    ab_report_opts opts = {.quiet = quiet, .strict = 0};
    return ab_report_render_opts(run_dir, &opts, err, errlen);
}

int ab_report_compare(const char *base_dir, const char *new_dir, const char *out_dir,
                      const ab_report_opts *opts, char *err, size_t errlen)
{
    char plots_dir[4096], why[512], corner[512];
    ab_chart_list list = {0};
    int rc = -1;
    err[0] = '\0';
    json_t *base = ab_rv_load(base_dir, err, errlen), *new_run = NULL;
    if (!base || !(new_run = ab_rv_load(new_dir, err, errlen)))
        goto done;
    const char *gnuplot = charting_tools(plots_dir, sizeof plots_dir, why, sizeof why);
    if (!gnuplot) {
        ab_fail(err, errlen, "cannot draw the comparison: %s", why);
        goto done;
    }
    if (make_dir(out_dir, err, errlen) ||
        ab_chart_data_write_compare(base, new_run, out_dir, &list, err, errlen))
        goto done;
    ab_chart_corner(new_run, corner, sizeof corner);
    if (draw_charts(&list, out_dir, corner, gnuplot, plots_dir, opts, err, errlen))
        goto done;
    if (!opts->quiet)
        printf("alignbench: comparison in %s/compare.png and compare.svg\n", out_dir);
    rc = 0;
done:
    ab_chart_list_free(&list);
    json_decref(base);
    json_decref(new_run);
    return rc;
}

int ab_report_fleet(const char *const *dirs, size_t n, const char *html_path,
                    const ab_report_opts *opts, char *err, size_t errlen)
{
    char out_dir[4096], charts[4200], note[512] = "", corner[512];
    ab_chart_list list = {0};
    ab_fleet fl;
    int rc = -1;
    err[0] = '\0';
    snprintf(out_dir, sizeof out_dir, "%s", html_path);
    char *slash = strrchr(out_dir, '/'); /* the page's folder */
    if (!slash)
        snprintf(out_dir, sizeof out_dir, ".");
    else if (slash == out_dir)
        out_dir[1] = '\0';
    else
        *slash = '\0';
    if (ab_fleet_load(dirs, n, &fl, err, errlen))
        return -1;
    snprintf(charts, sizeof charts, "%s/charts", out_dir);
    if (make_dir(out_dir, err, errlen) || make_own_dir(charts, err, errlen) ||
        ab_chart_data_write_fleet((const json_t *const *)fl.runs, (const char *const *)fl.labels,
                                  fl.n, charts, &list, err, errlen))
        goto done;
    snprintf(corner, sizeof corner, "%zu runs on %zu machine%s", fl.n, fl.ngroups,
             fl.ngroups == 1 ? "" : "s");
    char chart_err[2048] = "";
    int charts_rc =
        draw_or_note(&list, charts, corner, opts, note, sizeof note, chart_err, sizeof chart_err);
    if (page_status(ab_fleet_html_write(&fl, out_dir, html_path, &list, note, err, errlen),
                    charts_rc, chart_err, err, errlen))
        goto done;
    if (!opts->quiet)
        printf("alignbench: %zu runs on %zu machine%s; charts in %s, report in %s\n", fl.n,
               fl.ngroups, fl.ngroups == 1 ? "" : "s", charts, html_path);
    rc = 0;
done:
    ab_chart_list_free(&list);
    ab_fleet_free(&fl);
    return rc;
}
