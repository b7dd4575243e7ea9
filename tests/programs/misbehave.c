/* misbehave.c: a program that fails on purpose, for the tests of `run --program`'s failure
 * paths: `misbehave exit N` allocates a little and exits with status N; `misbehave segv`
 * allocates a little and dies of SIGSEGV; `misbehave hang` sleeps forever (the timeout). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *p = malloc(64);
    if (!p)
        return 1;
    snprintf(p, 64, "misbehave: %s", argc > 1 ? argv[1] : "(nothing)");
    puts(p);
    fflush(stdout);
    free(p);
    if (argc > 2 && !strcmp(argv[1], "exit"))
        return atoi(argv[2]);
    if (argc > 1 && !strcmp(argv[1], "segv"))
        raise(SIGSEGV);
    if (argc > 1 && !strcmp(argv[1], "hang"))
        for (;;)
            pause();
    fprintf(stderr, "usage: misbehave exit N | segv | hang\n");
    return 2;
}
