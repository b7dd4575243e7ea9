/* gbench_json_read.c: see gbench_json_read.h. */
#include "harness/orchestrator/gbench_json_read.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t token_at(const char *s, size_t left)
{
    static const char *const tokens[] = {"-Infinity", "Infinity", "-NaN", "NaN"};
    for (size_t k = 0; k < sizeof tokens / sizeof *tokens; k++) {
        size_t n = strlen(tokens[k]);
        if (n <= left && memcmp(s, tokens[k], n) == 0)
            return n;
    }
    return 0;
}

size_t ab_gbench_json_null_nonfinite(const char *in, size_t len, char *out)
{
    size_t o = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (in_string) {
            out[o++] = c;
            if (c == '\\' && i + 1 < len)
                out[o++] = in[++i];
            else if (c == '"')
                in_string = 0;
            continue;
        }
        size_t n = c == '"' ? 0 : token_at(in + i, len - i);
        if (n) {
            memcpy(out + o, "null", 4);
            o += 4;
            i += n - 1;
            continue;
        }
        in_string = c == '"';
        out[o++] = c;
    }
    return o;
}

json_t *ab_gbench_json_load(const char *path, char *err, size_t errlen)
{
    FILE *f = ab_fopen_regular(path, err, errlen);
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(text, cap);
            if (!grown) {
                free(text);
                fclose(f);
                ab_fail(err, errlen, "%s: out of memory reading it", path);
                return NULL;
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(text);
        ab_fail(err, errlen, "%s: cannot read it: %s", path, strerror(errno ? errno : EIO));
        return NULL;
    }
    /* "NaN" (3 bytes) grows to "null" (4): at most 4/3 of the text */
    char *clean = malloc(len / 3 * 4 + 4);
    if (!clean) {
        free(text);
        ab_fail(err, errlen, "%s: out of memory reading it", path);
        return NULL;
    }
    size_t clean_len = ab_gbench_json_null_nonfinite(text, len, clean);
    free(text);
    json_error_t jerr;
    json_t *doc = json_loadb(clean, clean_len, 0, &jerr);
    free(clean);
    if (!doc)
        ab_fail(err, errlen, "%s: line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
    return doc;
}
