/* test_aligned_malloc.c: the MSVC _aligned_* work-alike against the CRT's rules, called directly:
 * alignment of results, EINVAL/ENOMEM errors, offsets, exact _aligned_msize, realloc rules
 * (size 0 frees, failure keeps the old block, alignment cannot change), and detection of a free
 * with the wrong function (in a forked child, which must die rather than carry on). */
#include "allocators/aligned_malloc.h"
#include "allocators/provider.h"
#include "unit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a forked child with stderr silenced; 1 when the child died or failed. */
static int child_dies(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void free_plain_block_with_aligned_free(void)
{
    void *p = malloc(100);
    _aligned_free(p);
}

static void aligned_free_twice(void)
{
    void *p = _aligned_malloc(100, 64);
    _aligned_free(p);
    _aligned_free(p);
}

static void plain_free_of_aligned_block(void)
{
    void *p = _aligned_malloc(100, 64);
    free(p);
}

static void aligned_free_once(void)
{
    _aligned_free(_aligned_malloc(100, 64));
}

int main(void)
{
    /* Every power of two from 1 to 64 KiB, several sizes: aligned, usable, exact msize. */
    for (size_t a = 1; a <= 65536; a *= 2) {
        const size_t sizes[] = {0, 1, 24, 100, 4097};
        for (size_t i = 0; i < 5; i++) {
            unsigned char *p = _aligned_malloc(sizes[i], a);
            CHECK(p != NULL);
            if (!p)
                continue;
            CHECK(((uintptr_t)p & (a - 1)) == 0);
            CHECK(((uintptr_t)p & 7) == 0); /* alignments below 8 are raised to 8 */
            memset(p, 0xAB, sizes[i]);
            CHECK(_aligned_msize(p, a, 0) == sizes[i]);
            CHECK(ab_aligned_is_block(p));
            _aligned_free(p);
        }
    }
    /* Bad alignments: NULL, EINVAL. */
    const size_t bad[] = {0, 3, 24, 48, 100, 4097, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CHECK(_aligned_malloc(64, bad[i]) == NULL && errno == EINVAL);
    }
    /* Near SIZE_MAX: NULL, ENOMEM. */
    const size_t huge[] = {SIZE_MAX, SIZE_MAX - 30, SIZE_MAX - 4096, SIZE_MAX / 2};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        errno = 0;
        CHECK(_aligned_malloc(huge[i], 64) == NULL && errno == ENOMEM);
    }
    _aligned_free(NULL); /* a no-op */

    /* Offsets: p + offset is aligned; offset >= size (offset != 0) is EINVAL. */
    for (size_t off = 1; off < 100; off += 7) {
        char *p = _aligned_offset_malloc(100, 64, off);
        CHECK(p && ((uintptr_t)(p + off) & 63) == 0);
        CHECK(_aligned_msize(p, 64, off) == 100);
        _aligned_free(p);
    }
    errno = 0;
    CHECK(_aligned_offset_malloc(100, 64, 100) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(_aligned_offset_malloc(100, 24, 8) == NULL && errno == EINVAL);
    void *z = _aligned_offset_malloc(0, 64, 0);
    CHECK(z != NULL);
    _aligned_free(z);

    /* _aligned_msize: EINVAL and (size_t)-1 for NULL and for a block that is not ours. */
    errno = 0;
    CHECK(_aligned_msize(NULL, 16, 0) == (size_t)-1 && errno == EINVAL);
    void *plain = malloc(100);
    errno = 0;
    CHECK(_aligned_msize(plain, 16, 0) == (size_t)-1 && errno == EINVAL);
    CHECK(!ab_aligned_is_block(plain));
    free(plain);

    /* Realloc keeps the content and the alignment, grows and shrinks. */
    unsigned char *p = _aligned_malloc(100, 256);
    for (int i = 0; i < 100; i++)
        p[i] = (unsigned char)i;
    p = _aligned_realloc(p, 100000, 256);
    CHECK(p && ((uintptr_t)p & 255) == 0 && _aligned_msize(p, 256, 0) == 100000);
    for (int i = 0; p && i < 100; i++)
        CHECK(p[i] == (unsigned char)i);
    p = _aligned_realloc(p, 10, 256);
    CHECK(p && _aligned_msize(p, 256, 0) == 10 && p[9] == 9);
    /* Failure (near SIZE_MAX) leaves the old block as it was. */
    errno = 0;
    CHECK(_aligned_realloc(p, SIZE_MAX - 8, 256) == NULL && errno == ENOMEM);
    CHECK(_aligned_msize(p, 256, 0) == 10 && p[9] == 9);
    /* Changing the alignment of a live block is an error, and leaves it alone. */
    errno = 0;
    CHECK(_aligned_realloc(p, 50, 64) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(_aligned_realloc(p, 50, 3) == NULL && errno == EINVAL);
    CHECK(_aligned_msize(p, 256, 0) == 10 && p[0] == 0);
    /* Size 0 frees and returns NULL; NULL block is a plain allocation. */
    CHECK(_aligned_realloc(p, 0, 256) == NULL);
    p = _aligned_realloc(NULL, 40, 32);
    CHECK(p && ((uintptr_t)p & 31) == 0 && _aligned_msize(p, 32, 0) == 40);
    _aligned_free(p);

    /* Freeing with the wrong function is detected: the process dies instead of corrupting. */
    CHECK(!child_dies(aligned_free_once)); /* the control: a right free survives */
    CHECK(child_dies(free_plain_block_with_aligned_free));
    CHECK(child_dies(aligned_free_twice));
    CHECK(child_dies(plain_free_of_aligned_block));
    CHECK_DONE("aligned_malloc");
}
