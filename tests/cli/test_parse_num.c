/* test_parse_num.c: the one number parser of option values (harness/common/parse_num.h): what
 * it accepts, what it refuses and the words of the refusal, which every command and runner
 * mode prints. It exists so that a change to the rules shows up here, named, before it shows up
 * as a puzzling message from one of the commands. */
#include "harness/common/parse_num.h"
#include "tests/check.h"

#include <math.h>
#include <string.h>

static char err[512];

/* A whole number of [min, max] read from arg: 1 when it gives want. */
static int u64_is(const char *arg, uint64_t min, uint64_t max, unsigned flags, uint64_t want)
{
    uint64_t v = 0;
    return ab_num_parse_u64(AB_NUM_OPT("t", "--n", .flags = flags), arg, min, max, &v, err,
                            sizeof err) == 0 &&
           v == want;
}

/* The refusal of arg: 1 when it is refused with a message containing says. */
static int u64_refused(const char *arg, uint64_t min, uint64_t max, unsigned flags,
                       const char *says)
{
    uint64_t v;
    return ab_num_parse_u64(AB_NUM_OPT("t", "--n", .flags = flags), arg, min, max, &v, err,
                            sizeof err) == -1 &&
           strstr(err, says) != NULL;
}

static int dbl_is(const char *arg, double min, double max, unsigned flags, double want)
{
    double v = NAN;
    return ab_num_parse_double(AB_NUM_OPT("t", "--x", .flags = flags), arg, min, max, &v, err,
                               sizeof err) == 0 &&
           v == want;
}

static int dbl_refused(const char *arg, double min, double max, unsigned flags, const char *says)
{
    double v;
    return ab_num_parse_double(AB_NUM_OPT("t", "--x", .flags = flags), arg, min, max, &v, err,
                               sizeof err) == -1 &&
           strstr(err, says) != NULL;
}

int main(void)
{
    CHECK(u64_is("42", 0, AB_NUM_NO_MAX, 0, 42), "whole-decimal");
    CHECK(u64_is("010", 0, AB_NUM_NO_MAX, 0, 10), "whole-leading-zero-is-decimal");
    CHECK(u64_is("0x10", 0, AB_NUM_NO_MAX, 0, 16), "whole-hex");
    CHECK(u64_is("18446744073709551615", 0, AB_NUM_NO_MAX, 0, UINT64_MAX), "whole-max-u64");
    CHECK(u64_is("16M", 0, AB_NUM_NO_MAX, AB_NUM_KMG, 16u << 20) &&
              u64_is("3k", 0, AB_NUM_NO_MAX, AB_NUM_KMG, 3072) &&
              u64_is("1G", 0, AB_NUM_NO_MAX, AB_NUM_KMG, 1u << 30),
          "whole-kmg");
    CHECK(u64_refused("16M", 0, AB_NUM_NO_MAX, 0, "not a number"), "whole-suffix-only-when-asked");
    CHECK(u64_is("4096", 1, 1u << 30, AB_NUM_POW2, 4096), "whole-pow2");
    CHECK(u64_refused("0", 1, 1000, 0,
                      "t: --n wants a whole number from 1 to 1000, not '0' (out of range; see t "
                      "--help)"),
          "whole-the-message");
    CHECK(u64_refused("-3", 1, 1000, 0, "(out of range;"), "whole-negative-out-of-range");
    CHECK(u64_refused("99999999999999999999", 1, 1000, 0, "(out of range;"),
          "whole-overflow-out-of-range");
    CHECK(u64_refused("17179869184G", 0, AB_NUM_NO_MAX, AB_NUM_KMG, "(out of range;"),
          "whole-kmg-overflow");
    CHECK(u64_refused("1.5", 1, 1000, 0, "(not a whole number;"), "whole-fraction");
    CHECK(u64_refused("lots", 1, 1000, 0, "(not a number;") &&
              u64_refused("", 1, 1000, 0, "(not a number;") &&
              u64_refused(" 5", 1, 1000, 0, "(not a number;") &&
              u64_refused("5 ", 1, 1000, 0, "(not a number;") &&
              u64_refused("0x", 0, 1000, 0, "(not a number;"),
          "whole-garbage");
    CHECK(u64_refused("0", 1, AB_NUM_NO_MAX, 0, "wants a whole number >= 1,"), "whole-min-only");
    CHECK(u64_refused("x", 0, AB_NUM_NO_MAX, 0, "wants a whole number, not"), "whole-no-bounds");
    CHECK(u64_refused("3", 1, 1u << 30, AB_NUM_POW2,
                      "wants a power of two from 1 to 1073741824, not '3' (not "
                      "a power of two;"),
          "whole-not-pow2");
    CHECK(u64_refused("1", 16u << 20, 1u << 30, AB_NUM_KMG, "from 16M to 1G"),
          "whole-kmg-bounds-in-units");

    CHECK(dbl_is("0.25", 0, 1, 0, 0.25) && dbl_is("1e2", 0, 100, 0, 100), "real");
    CHECK(dbl_is("5%", 0, INFINITY, AB_NUM_PERCENT, 5) &&
              dbl_is("5", 0, INFINITY, AB_NUM_PERCENT, 5),
          "real-percent");
    CHECK(dbl_refused("5%", 0, 100, 0, "(not a number;"), "real-percent-only-when-asked");
    CHECK(dbl_refused("-1", 0, 100, AB_NUM_ABOVE_MIN,
                      "t: --x wants a number above 0 and at most 100, not '-1' (out of range; see "
                      "t --help)"),
          "real-the-message");
    CHECK(dbl_refused("0", 0, 100, AB_NUM_ABOVE_MIN, "range"), "real-above-min-refuses-min");
    CHECK(dbl_refused("1", 0, 1, AB_NUM_ABOVE_MIN | AB_NUM_BELOW_MAX, "above 0 and below 1,"),
          "real-below-max");
    CHECK(dbl_is("0", 0, 1, 0, 0) && dbl_refused("2", 0, 1, 0, "from 0 to 1,"), "real-inclusive");
    CHECK(dbl_refused("-1", 0, INFINITY, 0, "wants a number >= 0,"), "real-min-only");
    CHECK(dbl_refused("inf", 0, INFINITY, 0, "(out of range;") &&
              dbl_refused("nan", 0, INFINITY, 0, "(not a number;") &&
              dbl_refused("1e999", 0, INFINITY, 0, "(out of range;"),
          "real-not-finite");
    CHECK(dbl_refused("x", 0, 1, 0, "(not a number;") &&
              dbl_refused("1x", 0, 1, 0, "(not a number;") &&
              dbl_refused("", 0, 1, 0, "(not a number;"),
          "real-garbage");

    double v;
    CHECK(ab_num_parse_double(
              AB_NUM_OPT("t", "--timeout", .noun = "seconds", .flags = AB_NUM_ABOVE_MIN), "0", 0,
              10, &v, err, sizeof err) == -1 &&
              strstr(err, "--timeout wants seconds above 0 and at most 10, not '0'"),
          "own-noun");
    uint64_t u;
    CHECK(ab_num_parse_u64(AB_NUM_OPT("t", "--max-align", .flags = AB_NUM_POW2,
                                      .want = "needs a positive power of two"),
                           "3", 1, 1u << 30, &u, err, sizeof err) == -1 &&
              strstr(err, "t: --max-align needs a positive power of two, not '3' "
                          "(not a power of two; see t --help)"),
          "own-words");
    CHECK_DONE();
}
