/* cmd_list.c: `alignbench list`: which allocators can run here, and what exactly they are.
 *
 * Each available allocator is probed in a fresh runner child with its own LD_PRELOAD, the same
 * way a measured run starts, so "available" means "a child really ran on that library and
 * verified it" (a broken preload shows up here with the child's own reason, not in the middle of
 * a benchmark). Output: a table, or with --json an array of objects.
 */
#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/log_tail.h"
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WHO "alignbench list"

typedef struct list_row {
    ab_alloc_choice c;
    char version[128], library[PATH_MAX], description[512];
} list_row;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench list [--alloc SPEC]... [--json] [--timeout S]\n\n"
            "Lists the allocators and whether each can run here. Each one is probed in a fresh\n"
            "runner process with its library preloaded, which checks that the library really\n"
            "serves malloc.\n\n"
            "  --alloc SPEC  NAME, all, NAME=/path/lib.so (a malloc-replacement plug-in), a\n"
            "                variant NAME=BASE:VAR=value[:VAR=value...] (settings in its\n"
            "                children only), or a comma list; repeatable; default: every built-in "
            "allocator, to\n"
            "                which plug-ins are added when only plug-ins are named\n"
            "  --json        print a JSON array instead of a table\n"
            "  --timeout S   give up on a probe after S seconds (default 10)\n");
}

static void probe(list_row *row, const char *runner, const char *dir, double timeout_s)
{
    char out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    snprintf(out_path, sizeof out_path, "%s/probe.out", dir);
    snprintf(err_path, sizeof err_path, "%s/probe.err", dir);
    const char *argv[9];
    ab_alloc_runner_argv(&row->c, runner, "probe", argv);
    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(&row->c, env);
    ab_child_spec spec = {.argv = argv,
                          .preload = row->c.lib[0] ? row->c.lib : NULL,
                          .env = env,
                          .timeout_s = timeout_s,
                          .stdout_path = out_path,
                          .stderr_path = err_path};
    ab_child_result r;
    char what[128], reason[300];
    if (ab_child_run(&spec, &r) != 0 || r.outcome != AB_CHILD_OK) {
        ab_child_describe(&r, what, sizeof what);
        ab_log_tail(err_path, 1, reason, sizeof reason);
        static const char prefix[] = "alignbench-runner: ";
        if (!strncmp(reason, prefix, sizeof prefix - 1))
            memmove(reason, reason + sizeof prefix - 1, strlen(reason) - (sizeof prefix - 1) + 1);
        row->c.available = 0;
        snprintf(row->c.why, sizeof row->c.why, "probe failed (%s)%s%s", what,
                 reason[0] ? ": " : "", reason);
        goto out;
    }
    json_error_t jerr;
    json_t *o = json_load_file(out_path, JSON_DISABLE_EOF_CHECK, &jerr);
    const char *version = NULL, *library = NULL, *description = NULL;
    if (!o || json_unpack(o, "{s:s, s:s, s:s}", "version", &version, "library", &library,
                          "description", &description) != 0) {
        row->c.available = 0;
        snprintf(row->c.why, sizeof row->c.why, "probe answered no valid JSON (%s)", jerr.text);
    } else {
        snprintf(row->version, sizeof row->version, "%s", version);
        snprintf(row->library, sizeof row->library, "%s", library);
        snprintf(row->description, sizeof row->description, "%s", description);
    }
    json_decref(o);
out:
    unlink(out_path);
    unlink(err_path);
}

static int print_json(const list_row *rows, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const list_row *r = &rows[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s}", "name",
                                           r->c.name, "backend", r->c.backend, "available",
                                           r->c.available, "why", r->c.why, "version", r->version,
                                           "library", r->library, "preload", r->c.lib,
                                           "description", r->description));
    }
    char *s = json_dumps(a, JSON_INDENT(2));
    json_decref(a);
    if (!s) {
        fprintf(stderr, WHO ": cannot write JSON\n");
        return AB_EXIT_FAILURE;
    }
    printf("%s\n", s);
    free(s);
    return AB_EXIT_OK;
}

static void print_table(const list_row *rows, size_t n)
{
    int wn = 4, wv = 7, wl = 7; /* widths of NAME, VERSION, LIBRARY: the longest entry */
    for (size_t i = 0; i < n; i++) {
        const list_row *r = &rows[i];
        wn = (int)strlen(r->c.name) > wn ? (int)strlen(r->c.name) : wn;
        wv = (int)strlen(r->version) > wv ? (int)strlen(r->version) : wv;
        wl = (int)strlen(r->library) > wl ? (int)strlen(r->library) : wl;
    }
    printf("%-*s  %-9s  %-*s  %-*s  %s\n", wn, "NAME", "AVAILABLE", wv, "VERSION", wl, "LIBRARY",
           "DESCRIPTION / WHY NOT");
    for (size_t i = 0; i < n; i++) {
        const list_row *r = &rows[i];
        printf("%-*s  %-9s  %-*s  %-*s  %s\n", wn, r->c.name, r->c.available ? "yes" : "no", wv,
               r->c.available ? r->version : "-", wl, r->c.available ? r->library : "-",
               r->c.available ? r->description : r->c.why);
    }
}

int cmd_list(int argc, char **argv)
{
    const char **specs = calloc((size_t)argc + 1, sizeof *specs);
    size_t nspecs = 0;
    int json = 0, rc = AB_EXIT_USAGE;
    double timeout_s = 10.0;
    list_row *rows = NULL;
    ab_alloc_choice *choices = NULL;
    size_t n = 0;
    char dir[PATH_MAX];
    int have_dir = 0;
    if (!specs) {
        fprintf(stderr, WHO ": out of memory\n");
        return AB_EXIT_FAILURE;
    }
    static const struct option longs[] = {{"alloc", required_argument, NULL, 'a'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            rc = AB_EXIT_OK;
            goto out;
        } else if (c == 'a') {
            specs[nspecs++] = optarg;
        } else if (c == 'j') {
            json = 1;
        } else if (c == 't') {
            if (ab_opt_double(
                    AB_NUM_OPT(WHO, "--timeout", .flags = AB_NUM_ABOVE_MIN, .noun = "seconds"),
                    optarg, 0, INFINITY, &timeout_s))
                goto out;
        } else {
            ab_opt_complain(WHO, c, argv);
            goto out;
        }
    }
    if (optind < argc) {
        ab_opt_unexpected(WHO, argv[optind]);
        goto out;
    }
    /* Plug-ins alone are listed with the built-ins they join (`list --alloc tc=/path` adds). */
    size_t plugins = 0;
    for (size_t i = 0; i < nspecs; i++)
        plugins += strchr(specs[i], '=') != NULL;
    if (nspecs && plugins == nspecs) {
        memmove(specs + 1, specs, nspecs * sizeof *specs);
        specs[0] = "all";
        nspecs++;
    }
    char err[512], runner[PATH_MAX];
    if (ab_alloc_choose(specs, nspecs, &choices, &n, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        goto out;
    }
    rc = AB_EXIT_FAILURE;
    if (ab_runner_path(runner, sizeof runner) != 0 || access(runner, X_OK) != 0) {
        fprintf(stderr, WHO ": cannot find alignbench-runner next to alignbench\n");
        goto out;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/alignbench-list-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror(WHO ": cannot make a temporary directory");
        goto out;
    }
    have_dir = 1;
    rows = calloc(n, sizeof *rows);
    if (!rows) {
        fprintf(stderr, WHO ": out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rows[i].c = choices[i];
        if (rows[i].c.available)
            probe(&rows[i], runner, dir, timeout_s);
    }
    if (json)
        rc = print_json(rows, n);
    else {
        print_table(rows, n);
        rc = AB_EXIT_OK;
    }
out:
    if (have_dir)
        rmdir(dir);
    free(rows);
    free(choices);
    free(specs);
    return rc;
}
