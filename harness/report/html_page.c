/* html_page.c: the pieces every alignbench HTML page is made of (see html_page.h): escaping,
 * the style sheet, the Charts section with its PNGs inlined as base64, JSON values as one line of
 * text, and the atomic write of the finished page. */
#include "harness/report/html_page.h"
#include "harness/common/atomic_file.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ab_html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void ab_html_escapef(FILE *f, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ab_html_escape(f, buf);
}

static const char page_css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1.5em auto;max-width:1280px;"
    "padding:0 1em;color:#222;line-height:1.4}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;vertical-align:top}"
    "th{background:#f2f2f2}td.l,th.l{text-align:left}small{color:#666}"
    "figure{margin:1em 0 2em}figure img{max-width:100%;border:1px solid #eee}"
    "figcaption{font-size:.9em;color:#444;max-width:60em}.warn{color:#a04000}"
    ".noisy{background:#fff4e0}dt{font-family:monospace;font-weight:bold}dd{margin:0 0 .4em 2em}"
    "code{background:#f5f5f5}";

const char *ab_html_css(void)
{
    return page_css;
}

static int base64_file(FILE *out, const char *path)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char why[512];
    FILE *in = ab_fopen_regular(path, why, sizeof why);
    if (!in)
        return -1;
    unsigned char b[3];
    size_t n;
    while ((n = fread(b, 1, 3, in)) > 0) {
        unsigned v = b[0] << 16 | (n > 1 ? b[1] << 8 : 0) | (n > 2 ? b[2] : 0);
        fputc(tbl[v >> 18 & 63], out);
        fputc(tbl[v >> 12 & 63], out);
        fputc(n > 1 ? tbl[v >> 6 & 63] : '=', out);
        fputc(n > 2 ? tbl[v & 63] : '=', out);
    }
    int rc = ferror(in) ? -1 : 0;
    fclose(in);
    return rc;
}

void ab_html_charts(FILE *f, const char *run_dir, const ab_chart_list *charts, const char *note)
{
    fputs("<h2 id=charts>Charts</h2>\n", f);
    fputs("<p>Each chart is also in <code>charts/</code> as SVG and PNG, next to the data "
          "file it was drawn from (<code>.dat</code>). Colours are fixed per allocator across "
          "all charts.</p>\n",
          f);
    if (*note) {
        fputs("<p class=warn>", f);
        ab_html_escape(f, note);
        fputs("</p>\n", f);
    }
    for (size_t i = 0; i < charts->n; i++) {
        const ab_chart_job *j = &charts->jobs[i];
        char png[4300];
        snprintf(png, sizeof png, "%s/charts/%s.png", run_dir, j->name);
        fprintf(f, "<figure id=\"chart-");
        ab_html_escape(f, j->name);
        fputs("\">\n", f);
        if (j->rendered) {
            fputs("<img alt=\"", f);
            ab_html_escape(f, j->title);
            fputs("\" src=\"data:image/png;base64,", f);
            base64_file(f, png); /* readable: report.c checked it was written */
            fputs("\">\n", f);
        } else {
            fputs("<p class=warn>Chart not drawn: ", f);
            ab_html_escape(f, j->title);
            fputs("</p>\n", f);
        }
        fputs("<figcaption><b>", f);
        ab_html_escape(f, j->title);
        fputs(".</b> ", f);
        ab_html_escape(f, j->caption);
        /* a relative link to the vector version next to the page (nothing is loaded from it) */
        fputs(" <small>(<a href=\"", f);
        ab_html_escapef(f, "charts/%s.svg", j->name);
        fputs("\">", f);
        ab_html_escapef(f, "charts/%s.svg", j->name);
        fputs("</a>)</small></figcaption>\n</figure>\n", f);
    }
}

void ab_html_json_inline(FILE *f, const json_t *v)
{
    size_t i;
    const char *key;
    const json_t *item;
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        ab_html_escape(f, json_string_value(v));
        break;
    case JSON_INTEGER:
        fprintf(f, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, sizeof buf, "%.10g", json_real_value(v));
        fputs(buf, f);
        break;
    case JSON_TRUE:
        fputs("true", f);
        break;
    case JSON_FALSE:
        fputs("false", f);
        break;
    case JSON_NULL:
        fputs("null", f);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, item)
        {
            if (i)
                fputs(", ", f);
            ab_html_json_inline(f, item);
        }
        break;
    case JSON_OBJECT:
        i = 0;
        json_object_foreach((json_t *)v, key, item)
        {
            if (i++)
                fputs("; ", f);
            ab_html_escape(f, key);
            fputs("=", f);
            ab_html_json_inline(f, item);
        }
        break;
    }
}

int ab_html_commit(const char *buf, size_t len, const char *path, char *err, size_t errlen)
{
    ab_atomic_file af;
    int rc = ab_atomic_open(&af, path, err, errlen);
    if (rc == 0) {
        if (fwrite(buf, 1, len, af.f) == len) {
            rc = ab_atomic_commit(&af, err, errlen);
        } else {
            ab_atomic_abort(&af);
            ab_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    return rc;
}
