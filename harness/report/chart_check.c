/* chart_check.c: the structural check of a chart gnuplot wrote (chart_check.h). */
#include "harness/report/chart_check.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
/* The last chunk of every PNG: length 0, type IEND, its CRC. */
static const unsigned char png_iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};

/* Whether the file is incomplete because its file system is full: what gnuplot does not say. */
static void why_short(const char *path, off_t size, const char *what, char *why, size_t len)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) == 0) {
        unsigned long long free_kib =
            (unsigned long long)vfs.f_bavail * (unsigned long long)vfs.f_frsize / 1024;
        ab_fail(why, len, "%lld bytes, %s; %llu KiB free where it is%s", (long long)size, what,
                free_kib, free_kib < 1024 ? ": No space left on device" : "");
    } else {
        ab_fail(why, len, "%lld bytes, %s", (long long)size, what);
    }
}

int ab_chart_complete(const char *path, const char *format, char *why, size_t len)
{
    int fd = ab_open_regular(path, why, len);
    if (fd < 0)
        return -1;
    struct stat st;
    unsigned char head[8] = {0}, tail[64] = {0};
    size_t ntail = 0;
    int rc = -1;
    if (fstat(fd, &st) != 0) {
        ab_fail(why, len, "%s", strerror(errno));
        goto out;
    }
    if (st.st_size == 0) {
        why_short(path, st.st_size, "empty", why, len);
        goto out;
    }
    ntail = st.st_size < (off_t)sizeof tail ? (size_t)st.st_size : sizeof tail;
    if (pread(fd, head, sizeof head, 0) < 0 ||
        pread(fd, tail, ntail, st.st_size - (off_t)ntail) != (ssize_t)ntail) {
        ab_fail(why, len, "cannot read it back: %s", strerror(errno));
        goto out;
    }
    if (!strcmp(format, "png")) {
        if (memcmp(head, png_signature, sizeof png_signature) != 0)
            ab_fail(why, len, "not a PNG (no PNG signature)");
        else if (ntail < sizeof png_iend ||
                 memcmp(tail + ntail - sizeof png_iend, png_iend, sizeof png_iend) != 0)
            why_short(path, st.st_size, "no IEND chunk at the end", why, len);
        else
            rc = 0;
    } else {
        while (ntail && tail[ntail - 1] && strchr(" \t\r\n", tail[ntail - 1]))
            ntail--;
        static const char close_tag[] = "</svg>";
        size_t n = sizeof close_tag - 1;
        if (ntail < n || memcmp(tail + ntail - n, close_tag, n) != 0)
            why_short(path, st.st_size, "no closing </svg> tag at the end", why, len);
        else
            rc = 0;
    }
out:
    close(fd);
    return rc;
}
