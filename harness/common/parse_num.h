/* parse_num.h: the one parser for numbers given as option values, and the one way an option
 * parser complains.
 *
 * It exists so that every command of alignbench and every mode of alignbench-runner accepts and
 * refuses a number the same way (before, each had its own strtoull or strtod and its own words),
 * and so that a refusal always reads
 *
 *     WHO: OPT wants WHAT, not 'ARG' (WHY; see WHO --help)
 *
 * for instance "alignbench run: --reps wants a whole number from 1 to 1000, not '0' (out of
 * range; see alignbench run --help)". WHAT is built from the bounds ("a whole number from 1 to
 * 1000", "a number above 0 and at most 100", "a whole number >= 1", "seconds above 0") unless
 * the option gives its own words; WHY is one of "not a number", "not a whole number", "not a
 * power of two", "out of range".
 *
 * What is read: whole numbers in decimal, or in hexadecimal after 0x (leading zeros are still
 * decimal); a leading '-' is out of range, never a wrapped-around huge number. Real numbers are
 * what strtod reads, finite. Optionally a K, M or G suffix (x 2^10, 2^20, 2^30) on a whole
 * number of bytes, and a trailing % on a percentage. No leading or trailing blanks.
 */
#ifndef AB_PARSE_NUM_H
#define AB_PARSE_NUM_H

#include <stddef.h>
#include <stdint.h>

enum {
    AB_NUM_ABOVE_MIN = 1u << 0, /* real: the minimum itself is refused ("above MIN") */
    AB_NUM_BELOW_MAX = 1u << 1, /* real: the maximum itself is refused ("below MAX") */
    AB_NUM_POW2 = 1u << 2,      /* whole: only powers of two */
    AB_NUM_KMG = 1u << 3,       /* whole: an optional suffix K, M or G (bytes) */
    AB_NUM_PERCENT = 1u << 4,   /* real: an optional trailing % */
};

#define AB_NUM_NO_MAX UINT64_MAX /* a whole number without an upper bound */

/* The option a value belongs to: who parses it, its name, and how to word what it wants. */
typedef struct ab_num_opt {
    const char *who;  /* "alignbench run", "alignbench-runner replay": starts the message */
    const char *name; /* "--reps" */
    unsigned flags;   /* AB_NUM_* */
    const char *noun; /* NULL: "a whole number", "a power of two", "a number", "a percentage" */
    const char *want; /* NULL: "wants NOUN RANGE"; else the phrase in full, verb included */
} ab_num_opt;

/* An ab_num_opt in place: AB_NUM_OPT("alignbench run", "--scale", .flags = AB_NUM_ABOVE_MIN). */
#define AB_NUM_OPT(who_, name_, ...) (&(ab_num_opt){.who = (who_), .name = (name_), __VA_ARGS__})

/* A whole number of [min, max] from arg into *out; -1 with the message in err when it is not. */
int ab_num_parse_u64(const ab_num_opt *o, const char *arg, uint64_t min, uint64_t max,
                     uint64_t *out, char *err, size_t errlen);

/* A finite real number of [min, max] (ends excluded by AB_NUM_ABOVE_MIN, AB_NUM_BELOW_MAX;
 * -INFINITY and INFINITY for no bound); -1 with the message in err when it is not. */
int ab_num_parse_double(const ab_num_opt *o, const char *arg, double min, double max, double *out,
                        char *err, size_t errlen);

/* The same for an option parser: the message goes to stderr (one line), and -1 comes back. */
int ab_opt_u64(const ab_num_opt *o, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
int ab_opt_uint(const ab_num_opt *o, const char *arg, unsigned min, unsigned max, unsigned *out);
int ab_opt_double(const ab_num_opt *o, const char *arg, double min, double max, double *out);

/* getopt_long's two complaints, worded once for every parser (opterr = 0 and an optstring
 * starting with ':' or "+:"): c == ':' prints "WHO: option OPT needs a value", anything else
 * "WHO: unknown option 'OPT'", each followed by "(see WHO --help)". Call it right after
 * getopt_long returned c; returns -1. */
int ab_opt_complain(const char *who, int c, char *const *argv);

/* "WHO: unexpected argument 'ARG' (see WHO --help)" on stderr; returns -1. */
int ab_opt_unexpected(const char *who, const char *arg);

#endif
