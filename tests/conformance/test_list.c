/* test_list.c: `alignbench list --json` shows all six built-in allocators available here, each
 * with a version and the library its probe child found serving malloc (libc for the four that
 * run on it, the preloaded library for jemalloc and mimalloc), and the tcmalloc plug-in when
 * its library is installed. In a sanitizer build jemalloc and mimalloc cannot be preloaded: the
 * test then checks that list says so for them (the reason names the sanitizer) and exits 77. */
#include "allocators/provider.h"
#include "unit.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const six[] = {"malloc",   "aligned_malloc", "jemalloc",
                                  "mimalloc", "bump",           "rpcss"};
static const char tcmalloc[] = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_list PATH_TO_ALIGNBENCH\n");
        return 2;
    }
    int with_tc = access(tcmalloc, R_OK) == 0;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s list --json --alloc all%s%s", argv[1],
             with_tc ? " --alloc tcmalloc=" : "", with_tc ? tcmalloc : "");
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    json_error_t jerr;
    json_t *rows = p ? json_loadf(p, 0, &jerr) : NULL;
    CHECK(p && pclose(p) == 0);
    CHECK(json_is_array(rows));
    CHECK(json_array_size(rows) == 6u + (unsigned)with_tc);
    int skipped = 0;
    for (size_t i = 0; i < 6 + (size_t)with_tc; i++) {
        const char *want = i < 6 ? six[i] : "tcmalloc";
        json_t *row = json_array_get(rows, i);
        const char *name = "", *version = "", *library = "", *why = "";
        int available = 0;
        CHECK(json_unpack(row, "{s:s, s:b, s:s, s:s, s:s}", "name", &name, "available", &available,
                          "version", &version, "library", &library, "why", &why) == 0);
        CHECK(!strcmp(name, want));
        int preloaded = !strcmp(want, "jemalloc") || !strcmp(want, "mimalloc") || i >= 6;
        if (AB_SANITIZED && preloaded) {
            CHECK(!available && strstr(why, "sanitizer") != NULL);
            skipped = 1;
            continue;
        }
        printf("%-15s available=%d version=%s library=%s %s\n", name, available, version, library,
               why);
        CHECK(available);
        CHECK(version[0] != '\0');
        if (preloaded)
            CHECK(strstr(library, i < 6 ? want : "tcmalloc") != NULL);
        else
            CHECK(strstr(library, AB_SANITIZED ? "asan" : "libc.so") != NULL);
    }
    json_decref(rows);
    int rc = check_done("list");
    if (rc == 0 && skipped) {
        printf("SKIPPED (in part): sanitizer build: jemalloc, mimalloc and plug-ins cannot be "
               "preloaded into a sanitized runner; list reports them unavailable, as it "
               "should\n");
        return CHECK_SKIPPED;
    }
    return rc;
}
