/* prog_common.h: what every allocation-bound test program shares: reading the work size from
 * argv[1] and a small deterministic random generator (each thread its own state), so that the
 * programs stay one concern each and the same work size always does the same work. */
#ifndef AB_PROG_COMMON_H
#define AB_PROG_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* argv[1] as a positive whole number, else def; a bad argument exits 2 with a message. */
static inline unsigned long prog_work(int argc, char **argv, unsigned long def)
{
    if (argc < 2)
        return def;
    char *end;
    unsigned long v = strtoul(argv[1], &end, 10);
    if (*end || v == 0) {
        fprintf(stderr, "%s: the work size must be a positive whole number, not '%s'\n", argv[0],
                argv[1]);
        exit(2);
    }
    return v;
}

/* xorshift64*: deterministic, no locking, one state per thread. */
static inline uint64_t prog_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

#endif
