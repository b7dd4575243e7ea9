/* test_log_tail.c: the last lines of a child's log (ab_log_tail), which runs[].error, `list`'s
 * probe reason and a program's "last output" quote: empty lines skipped, the last ones kept,
 * each line an equal share of the buffer (a long first line never cuts off the last one), and
 * nothing from a log that is not there.
 */
#include "tests/check.h"
#include "harness/orchestrator/log_tail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_log(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "cannot write %s", path);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(void)
{
    char path[] = "/tmp/ab-log-tail-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "a temporary log");
    if (fd < 0)
        return 1;
    close(fd);
    char buf[800];

    write_log(path, "first\n\nsecond\nthird\n\n\nlast words\n\n");
    ab_log_tail(path, 1, buf, sizeof buf);
    CHECK(!strcmp(buf, "last words"), "the last non-empty line: '%s'", buf);
    ab_log_tail(path, 3, buf, sizeof buf);
    CHECK(!strcmp(buf, "second | third | last words"), "the last three: '%s'", buf);
    ab_log_tail(path, 9, buf, sizeof buf);
    CHECK(!strcmp(buf, "second | third | last words"), "at most three: '%s'", buf);

    write_log(path, "only\n");
    ab_log_tail(path, 3, buf, sizeof buf);
    CHECK(!strcmp(buf, "only"), "fewer lines than asked: '%s'", buf);

    /* three lines of 900 characters into 800 bytes: every line is there, the last one too */
    char longlog[3 * 902];
    size_t off = 0;
    for (char c = 'a'; c <= 'c'; c++) {
        memset(longlog + off, c, 900);
        off += 900;
        longlog[off++] = '\n';
    }
    longlog[off] = '\0';
    write_log(path, longlog);
    ab_log_tail(path, 3, buf, sizeof buf);
    CHECK(strlen(buf) < sizeof buf && strchr(buf, 'a') && strchr(buf, 'b') && strchr(buf, 'c'),
          "each of three long lines has its share: %zu bytes", strlen(buf));
    CHECK(strstr(buf, " | ccc") != NULL, "the last line follows the others");
    ab_log_tail(path, 1, buf, sizeof buf);
    CHECK(strlen(buf) == sizeof buf - 1 && buf[0] == 'c', "one long line fills the buffer");

    write_log(path, "");
    ab_log_tail(path, 1, buf, sizeof buf);
    CHECK(buf[0] == '\0', "an empty log: '%s'", buf);
    unlink(path);
    ab_log_tail(path, 1, buf, sizeof buf);
    CHECK(buf[0] == '\0', "no log: '%s'", buf);
    ab_log_tail(NULL, 1, buf, sizeof buf);
    CHECK(buf[0] == '\0', "no path: '%s'", buf);
    CHECK_DONE("log_tail");
}
