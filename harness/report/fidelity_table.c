/* fidelity_table.c: the console and HTML forms of a run's "fidelity" object (fidelity_table.h).
 */
#include "harness/report/fidelity_table.h"
#include "harness/report/html_page.h"

#include <math.h>
#include <string.h>

static double num(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* "12.3 [10.1, 14.0]", or "-" */
static void interval(char *buf, size_t len, const json_t *st)
{
    if (!json_is_object(st))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f [%.1f, %.1f]", num(st, "median"), num(st, "ci_lo"),
                 num(st, "ci_hi"));
}

static void join(char *buf, size_t len, const json_t *arr)
{
    size_t i, used = 0;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        int k = snprintf(buf + used, len - used, "%s%s", i ? " > " : "", json_string_value(v));
        if (k < 0 || (size_t)k >= len - used)
            break;
        used += (size_t)k;
    }
}

void ab_fidelity_print(FILE *out, const json_t *f)
{
    size_t i;
    json_t *p;
    fprintf(out,
            "\nreplay against the whole program (time saved against the first allocator, "
            "median of per-round differences [interval]; agrees: within %.0f %% of the "
            "measurement; within noise: inside the measurement's interval)\n",
            num(f, "tolerance") * 100);
    json_array_foreach(json_object_get(f, "programs"), i, p)
    {
        char base[64], rep[64], rp[256], rm[256];
        const char *unit = str(p, "unit");
        interval(base, sizeof base, json_object_get(p, "baseline_time"));
        interval(rep, sizeof rep, json_object_get(p, "replay_time"));
        fprintf(out, "\n%s: %s\n", str(p, "program"), str(p, "command"));
        fprintf(out,
                "  under %s: the program %s %s %s; the replay of its %lld ops (%lld trace(s)) "
                "%s %s; allocator share %.0f %%\n",
                str(p, "baseline"), str(p, "basis"), base, unit,
                (long long)json_integer_value(json_object_get(p, "ops")),
                (long long)json_integer_value(json_object_get(p, "processes")), rep, unit,
                num(p, "allocator_share") * 100);
        char h1[48], h2[48];
        snprintf(h1, sizeof h1, "predicted saved, %s", unit);
        snprintf(h2, sizeof h2, "measured saved, %s", unit);
        fprintf(out, "  %-12s %28s %28s %7s  %s\n", "allocator", h1, h2, "ratio", "verdict");
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(p, "versus"), j, v)
        {
            char pr[64], me[64];
            interval(pr, sizeof pr, json_object_get(v, "predicted_saved"));
            interval(me, sizeof me, json_object_get(v, "measured_saved"));
            fprintf(out, "  %-12s %28s %28s %7.2f  %s\n", str(v, "allocator"), pr, me,
                    num(v, "ratio"), str(v, "verdict"));
        }
        join(rp, sizeof rp, json_object_get(p, "ranking_predicted"));
        join(rm, sizeof rm, json_object_get(p, "ranking_measured"));
        fprintf(out, "  ranking by time saved: replay %s, program %s (%s)\n", rp, rm,
                json_is_true(json_object_get(p, "same_ranking")) ? "same" : "DIFFERENT");
        json_array_foreach(json_object_get(p, "reasons"), j, v)
            fprintf(out, "  - %s\n", json_string_value(v));
    }
    fprintf(out,
            "\n%lld of %lld comparisons agree; %lld of %zu programs rank the allocators alike\n",
            (long long)json_integer_value(json_object_get(f, "agreeing")),
            (long long)json_integer_value(json_object_get(f, "pairs")),
            (long long)json_integer_value(json_object_get(f, "same_ranking")),
            json_array_size(json_object_get(f, "programs")));
}

void ab_fidelity_html(FILE *out, const json_t *f)
{
    if (!json_is_object(f))
        return;
    fprintf(out,
            "<h2 id=fidelity>Replay against the whole program</h2>\n"
            "<p>Each program was recorded, its traces replayed, and the program run whole under "
            "each allocator, interleaved in the same rounds. <em>Predicted saved</em> is the "
            "replay's time saved against the first allocator (ops &times; the difference in "
            "cycles per op, summed over the program's traces); <em>measured saved</em> is the "
            "program's CPU time saved (its wall time when a trace has several threads), in "
            "cycles: CPU time times the core's clock read in the program's processes. Both are "
            "medians of per-round differences with their intervals. They <em>agree</em> when the "
            "prediction is within %.0f %% of the measurement; a prediction that is not, but lies "
            "inside the measurement's own interval, is <em>within noise</em>.</p>\n",
            num(f, "tolerance") * 100);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(f, "programs"), i, p)
    {
        char base[64], rep[64];
        const char *unit = str(p, "unit");
        interval(base, sizeof base, json_object_get(p, "baseline_time"));
        interval(rep, sizeof rep, json_object_get(p, "replay_time"));
        fputs("<h3>", out);
        ab_html_escape(out, str(p, "program"));
        fputs("</h3><p><code>", out);
        ab_html_escape(out, str(p, "command"));
        fprintf(out,
                "</code><br>Under %s: the program %s %s %s; the replay of its %lld ops %s %s; "
                "allocator share %.0f %%</p>\n",
                str(p, "baseline"), str(p, "basis"), base, unit,
                (long long)json_integer_value(json_object_get(p, "ops")), rep, unit,
                num(p, "allocator_share") * 100);
        fprintf(out,
                "<table><tr><th>allocator</th><th>predicted saved, %s</th><th>measured saved, "
                "%s</th><th>ratio</th><th>verdict</th></tr>\n",
                unit, unit);
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(p, "versus"), j, v)
        {
            char pr[64], me[64];
            interval(pr, sizeof pr, json_object_get(v, "predicted_saved"));
            interval(me, sizeof me, json_object_get(v, "measured_saved"));
            fputs("<tr><td>", out);
            ab_html_escape(out, str(v, "allocator"));
            fprintf(out, "</td><td>%s</td><td>%s</td><td>%.2f</td><td>%s</td></tr>\n", pr, me,
                    num(v, "ratio"), str(v, "verdict"));
        }
        fputs("</table>\n", out);
        char rp[256], rm[256];
        join(rp, sizeof rp, json_object_get(p, "ranking_predicted"));
        join(rm, sizeof rm, json_object_get(p, "ranking_measured"));
        fputs("<p>Ranking by time saved: replay ", out);
        ab_html_escape(out, rp);
        fputs(", program ", out);
        ab_html_escape(out, rm);
        fprintf(out, " (%s).</p>\n",
                json_is_true(json_object_get(p, "same_ranking")) ? "same" : "different");
        if (json_array_size(json_object_get(p, "reasons"))) {
            fputs("<ul>", out);
            json_array_foreach(json_object_get(p, "reasons"), j, v)
            {
                fputs("<li>", out);
                ab_html_escape(out, json_string_value(v));
                fputs("</li>", out);
            }
            fputs("</ul>\n", out);
        }
    }
}
