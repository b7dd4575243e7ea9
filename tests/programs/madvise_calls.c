/* madvise_calls.c: a program of known system calls for the process-tree counters of
 * `run --program` (programs.counters): `madvise_calls N` makes exactly N madvise(MADV_NORMAL)
 * calls on one page it maps, and nothing else of that kind. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("madvise_calls: mmap");
        return 1;
    }
    for (long i = 0; i < n; i++)
        if (madvise(p, page, MADV_NORMAL) != 0) {
            perror("madvise_calls: madvise");
            return 1;
        }
    return 0;
}
