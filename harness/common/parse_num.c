/* parse_num.c: option values as numbers, and the option parsers' complaints (parse_num.h).
 *
 * It exists so that the rules and the words live in one place: each parser asks for a number
 * within bounds, and the refusal is built here from the option's name and those bounds.
 */
#include "harness/common/parse_num.h"
#include "harness/common/error_message.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum why { WHY_NOT_NUMBER, WHY_NOT_WHOLE, WHY_NOT_POW2, WHY_RANGE };
static const char *const why_text[] = {"not a number", "not a whole number", "not a power of two",
                                       "out of range"};

/* A byte count with the largest suffix that divides it: 16777216 -> "16M". */
static void format_whole(char *buf, size_t len, uint64_t v, unsigned flags)
{
    static const char suffix[] = {'G', 'M', 'K'};
    for (int k = 0; (flags & AB_NUM_KMG) && v && k < 3; k++) {
        unsigned shift = 30u - 10u * (unsigned)k;
        if (v % (1ull << shift) == 0) {
            snprintf(buf, len, "%llu%c", (unsigned long long)(v >> shift), suffix[k]);
            return;
        }
    }
    snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void whole_range(char *buf, size_t len, uint64_t min, uint64_t max, unsigned flags)
{
    char lo[32], hi[32];
    format_whole(lo, sizeof lo, min, flags);
    format_whole(hi, sizeof hi, max, flags);
    if (max == AB_NUM_NO_MAX)
        snprintf(buf, len, min ? " >= %s" : "", lo);
    else
        snprintf(buf, len, " from %s to %s", lo, hi);
}

static void real_range(char *buf, size_t len, double min, double max, unsigned flags)
{
    int above = (flags & AB_NUM_ABOVE_MIN) != 0, below = (flags & AB_NUM_BELOW_MAX) != 0;
    int has_min = isfinite(min), has_max = isfinite(max);
    if (has_min && has_max)
        snprintf(buf, len, " %s %g %s %g",
                 above   ? "above"
                 : below ? "at least"
                         : "from",
                 min,
                 below   ? "and below"
                 : above ? "and at most"
                         : "to",
                 max);
    else if (has_min)
        snprintf(buf, len, above ? " above %g" : " >= %g", min);
    else if (has_max)
        snprintf(buf, len, below ? " below %g" : " at most %g", max);
    else
        buf[0] = '\0';
}

static int refuse(const ab_num_opt *o, const char *arg, const char *noun, const char *range,
                  enum why why, char *err, size_t errlen)
{
    if (o->want)
        return ab_fail(err, errlen, "%s: %s %s, not '%s' (%s; see %s --help)", o->who, o->name,
                       o->want, arg, why_text[why], o->who);
    return ab_fail(err, errlen, "%s: %s wants %s%s, not '%s' (%s; see %s --help)", o->who, o->name,
                   o->noun ? o->noun : noun, range, arg, why_text[why], o->who);
}

/* Whether s, all of it, is what strtod reads (to tell "1.5" from "x" in a whole number). */
static int reads_as_real(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    (void)v;
    return end != s && *end == '\0';
}

int ab_num_parse_u64(const ab_num_opt *o, const char *arg, uint64_t min, uint64_t max,
                     uint64_t *out, char *err, size_t errlen)
{
    char range[80];
    whole_range(range, sizeof range, min, max, o->flags);
    const char *noun = (o->flags & AB_NUM_POW2) ? "a power of two" : "a whole number";
    const char *s = arg;
    if (!*s || isspace((unsigned char)*s))
        return refuse(o, arg, noun, range, WHY_NOT_NUMBER, err, errlen);
    if (*s == '-') /* strtoull would wrap it around */
        return refuse(o, arg, noun, range, reads_as_real(s + 1) ? WHY_RANGE : WHY_NOT_NUMBER, err,
                      errlen);
    if (*s == '+')
        s++;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (!isxdigit((unsigned char)s[hex ? 2 : 0]))
        return refuse(o, arg, noun, range, WHY_NOT_NUMBER, err, errlen);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
    int overflow = errno == ERANGE;
    unsigned shift = 0;
    if ((o->flags & AB_NUM_KMG) && *end && strchr("KkMmGg", *end)) {
        shift = strchr("Kk", *end) ? 10 : strchr("Mm", *end) ? 20 : 30;
        end++;
    }
    if (*end)
        return refuse(o, arg, noun, range,
                      !hex && reads_as_real(s) ? WHY_NOT_WHOLE : WHY_NOT_NUMBER, err, errlen);
    if (overflow || v > (~0ull >> shift))
        return refuse(o, arg, noun, range, WHY_RANGE, err, errlen);
    v <<= shift;
    if (v < min || v > max)
        return refuse(o, arg, noun, range, WHY_RANGE, err, errlen);
    if ((o->flags & AB_NUM_POW2) && (v == 0 || (v & (v - 1))))
        return refuse(o, arg, noun, range, WHY_NOT_POW2, err, errlen);
    *out = v;
    return 0;
}

int ab_num_parse_double(const ab_num_opt *o, const char *arg, double min, double max, double *out,
                        char *err, size_t errlen)
{
    char range[80];
    real_range(range, sizeof range, min, max, o->flags);
    const char *noun = (o->flags & AB_NUM_PERCENT) ? "a percentage" : "a number";
    if (!*arg || isspace((unsigned char)*arg))
        return refuse(o, arg, noun, range, WHY_NOT_NUMBER, err, errlen);
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    int overflow = errno == ERANGE;
    if ((o->flags & AB_NUM_PERCENT) && end != arg && *end == '%')
        end++;
    if (end == arg || *end || isnan(v))
        return refuse(o, arg, noun, range, WHY_NOT_NUMBER, err, errlen);
    if (overflow || !isfinite(v) || v < min || v > max ||
        ((o->flags & AB_NUM_ABOVE_MIN) && v == min) || ((o->flags & AB_NUM_BELOW_MAX) && v == max))
        return refuse(o, arg, noun, range, WHY_RANGE, err, errlen);
    *out = v;
    return 0;
}

static int say(int rc, const char *err)
{
    if (rc)
        fprintf(stderr, "%s\n", err);
    return rc;
}

int ab_opt_u64(const ab_num_opt *o, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
    char err[512];
    return say(ab_num_parse_u64(o, arg, min, max, out, err, sizeof err), err);
}

int ab_opt_uint(const ab_num_opt *o, const char *arg, unsigned min, unsigned max, unsigned *out)
{
    uint64_t v;
    if (ab_opt_u64(o, arg, min, max, &v))
        return -1;
    *out = (unsigned)v;
    return 0;
}

int ab_opt_double(const ab_num_opt *o, const char *arg, double min, double max, double *out)
{
    char err[512];
    return say(ab_num_parse_double(o, arg, min, max, out, err, sizeof err), err);
}

int ab_opt_complain(const char *who, int c, char *const *argv)
{
    const char *elem = optind > 0 ? argv[optind - 1] : "";
    int is_long = !strncmp(elem, "--", 2);
    const char *eq = is_long ? strchr(elem, '=') : NULL;
    if (c == ':' && is_long)
        fprintf(stderr, "%s: option %s needs a value", who, elem);
    else if (c == ':')
        fprintf(stderr, "%s: option -%c needs a value", who, optopt);
    else if (is_long && optopt && eq) /* --quiet=yes */
        fprintf(stderr, "%s: option %.*s takes no value", who, (int)(eq - elem), elem);
    else if (is_long && !optopt) /* --bogus or --bogus=1 */
        fprintf(stderr, "%s: unknown option '%.*s'", who, eq ? (int)(eq - elem) : (int)strlen(elem),
                elem);
    else
        fprintf(stderr, "%s: unknown option '-%c'", who, optopt);
    fprintf(stderr, " (see %s --help)\n", who);
    return -1;
}

int ab_opt_unexpected(const char *who, const char *arg)
{
    fprintf(stderr, "%s: unexpected argument '%s' (see %s --help)\n", who, arg, who);
    return -1;
}
