/* test_gbench_json_read.c: a micro child's Google Benchmark file with NaN and Infinity (the
 * `_cv` of a counter that is 0 in every repetition is 0/0) must merge: the bare tokens become
 * null, the same letters inside strings stay, and a real syntax error is still refused. */
#include "harness/orchestrator/gbench_json_read.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *load_text(const char *text, char *err, size_t errlen)
{
    char path[] = "/tmp/ab_gbench_json_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    json_t *doc = ab_gbench_json_load(path, err, errlen);
    unlink(path);
    return doc;
}

int main(void)
{
    char err[512] = "";
    json_t *doc =
        load_text("{\"benchmarks\": [{\"name\": \"a_cv NaN Infinity\", \"alloc_p50\": NaN,"
                  " \"free_p50\": -Infinity, \"x\": Infinity, \"y\": -NaN,"
                  " \"q\": \"say \\\"NaN\\\"\", \"z\": 1.5}]}",
                  err, sizeof err);
    CHECK(doc != NULL, "NaN and Infinity tokens are read (%s)", err);
    if (doc) {
        json_t *b = json_array_get(json_object_get(doc, "benchmarks"), 0);
        CHECK(json_is_null(json_object_get(b, "alloc_p50")), "NaN -> null");
        CHECK(json_is_null(json_object_get(b, "free_p50")), "-Infinity -> null");
        CHECK(json_is_null(json_object_get(b, "x")), "Infinity -> null");
        CHECK(json_is_null(json_object_get(b, "y")), "-NaN -> null");
        CHECK(!strcmp(json_string_value(json_object_get(b, "name")), "a_cv NaN Infinity"),
              "strings keep their letters");
        CHECK(!strcmp(json_string_value(json_object_get(b, "q")), "say \"NaN\""),
              "escaped quotes do not end a string");
        CHECK(json_real_value(json_object_get(b, "z")) == 1.5, "numbers unchanged");
        json_decref(doc);
    }
    doc = load_text("{\"a\": Nope}", err, sizeof err);
    CHECK(doc == NULL && strstr(err, "line 1"), "a real syntax error is refused (%s)", err);
    doc = load_text("{\"a\": NaN", err, sizeof err);
    CHECK(doc == NULL, "a truncated file is refused");
    CHECK_DONE("micro.gbench_json_read");
}
