/* results_expect.c: the hardening tests' judge of a results.json (results/README.md), so the
 * shell tests can say what a faulty run must have written without parsing JSON themselves.
 *
 * usage: results_expect FILE [CHECK]...
 *   (no check)                       FILE parses as JSON, is an object of schema
 *                                    "alignbench-results", version 1 (always checked)
 *   --complete true|false            the top-level "complete"
 *   --row ALLOC WORKLOAD STATUS      some runs[] row of that cell has that status ...
 *   --error-has TEXT                 ... and (applies to the --row before it) its error has TEXT
 *   --signal N                       ... and (applies to the --row before it) its signal is N
 *   --runs-at-least N                runs[] has at least N rows
 * Exit 0 when every check holds; 1 naming the first that does not; 2 for a usage error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *file;

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "results_expect: %s: %s%s%s\n", file, what, detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

static const char *str_member(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* The first runs[] row of (alloc, workload) with this status, or NULL. */
static const json_t *find_row(const json_t *doc, const char *alloc, const char *workload,
                              const char *status)
{
    size_t i;
    const json_t *run;
    json_array_foreach(json_object_get(doc, "runs"), i, run)
    {
        if (!strcmp(str_member(run, "allocator"), alloc) &&
            !strcmp(str_member(run, "workload"), workload) &&
            !strcmp(str_member(run, "status"), status))
            return run;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: results_expect FILE [--complete true|false] [--runs-at-least N]\n"
                "       [--row ALLOC WORKLOAD STATUS [--error-has TEXT] [--signal N]]...\n");
        return argc < 2 ? 2 : 0;
    }
    file = argv[1];
    json_error_t jerr;
    json_t *doc = json_load_file(file, 0, &jerr);
    if (!doc) {
        char where[256];
        snprintf(where, sizeof where, "line %d: %s", jerr.line, jerr.text);
        return fail("does not parse as JSON", where);
    }
    int rc = 0;
    if (!json_is_object(doc) || strcmp(str_member(doc, "schema"), "alignbench-results") ||
        json_integer_value(json_object_get(doc, "version")) != 1)
        rc = fail("not an alignbench-results document of version 1", NULL);
    const json_t *row = NULL;
    for (int i = 2; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--complete") && i + 1 < argc) {
            const json_t *c = json_object_get(doc, "complete");
            int want = !strcmp(argv[++i], "true");
            if (!json_is_boolean(c) || json_is_true(c) != want)
                rc = fail("\"complete\" is not", argv[i]);
        } else if (!strcmp(a, "--runs-at-least") && i + 1 < argc) {
            size_t n = json_array_size(json_object_get(doc, "runs"));
            if (n < strtoul(argv[++i], NULL, 10))
                rc = fail("fewer runs[] rows than", argv[i]);
        } else if (!strcmp(a, "--row") && i + 3 < argc) {
            row = find_row(doc, argv[i + 1], argv[i + 2], argv[i + 3]);
            char cell[512];
            snprintf(cell, sizeof cell, "%s x %s with status %s", argv[i + 1], argv[i + 2],
                     argv[i + 3]);
            if (!row)
                rc = fail("no runs[] row", cell);
            i += 3;
        } else if (!strcmp(a, "--error-has") && i + 1 < argc && row) {
            const char *error = str_member(row, "error");
            if (!strstr(error, argv[++i]))
                rc = fail("the row's error does not say", argv[i]);
        } else if (!strcmp(a, "--signal") && i + 1 < argc && row) {
            const json_t *sig = json_object_get(row, "signal");
            if (!json_is_integer(sig) || json_integer_value(sig) != atoi(argv[++i]))
                rc = fail("the row's signal is not", argv[i]);
        } else {
            fprintf(stderr, "results_expect: bad or misplaced argument '%s'\n", a);
            rc = 2;
        }
    }
    json_decref(doc);
    return rc;
}
