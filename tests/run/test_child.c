/* test_child.c: the process model's mechanics (harness/orchestrator/child.c) on plain system
 * programs: exit codes, signals with their names, the timeout kill, a program that cannot start,
 * output redirection, LD_PRELOAD set in the child only (and an inherited one dropped), RLIMIT_AS,
 * and maxrss from wait4. */
#include "harness/orchestrator/child.h"
#include "tests/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ab_child_result run_sh(const char *script, const char *preload, double timeout, size_t mem,
                              const char *out)
{
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    ab_child_spec spec = {.argv = argv,
                          .preload = preload,
                          .timeout_s = timeout,
                          .mem_limit = mem,
                          .stdout_path = out};
    ab_child_result r;
    if (ab_child_run(&spec, &r) != 0)
        memset(&r, 0xFF, sizeof r);
    return r;
}

static void slurp(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

int main(void)
{
    char desc[128], out[] = "/tmp/ab-child-XXXXXX", text[256];
    int fd = mkstemp(out);
    CHECK(fd >= 0);
    close(fd);

    ab_child_result r = run_sh("exit 0", NULL, 5, 0, NULL);
    CHECK(r.outcome == AB_CHILD_OK);
    ab_child_describe(&r, desc, sizeof desc);
    CHECK(!strcmp(desc, "ok"));

    r = run_sh("exit 3", NULL, 5, 0, NULL);
    CHECK(r.outcome == AB_CHILD_FAILED && r.exit_code == 3);
    ab_child_describe(&r, desc, sizeof desc);
    CHECK(!strcmp(desc, "exit 3"));

    r = run_sh("kill -SEGV $$", NULL, 5, 0, NULL);
    CHECK(r.outcome == AB_CHILD_SIGNALED && r.signo == 11);
    ab_child_describe(&r, desc, sizeof desc);
    CHECK(!strcmp(desc, "signal 11 (Segmentation fault)"));

    r = run_sh("exec sleep 20", NULL, 0.3, 0, NULL);
    CHECK(r.outcome == AB_CHILD_TIMEOUT);
    CHECK(r.wall_s >= 0.3 && r.wall_s < 10); /* killed, not waited for */
    ab_child_describe(&r, desc, sizeof desc);
    CHECK(!strncmp(desc, "timeout after", 13));

    const char *missing[] = {"/nonexistent/alignbench-runner", NULL};
    ab_child_spec bad = {.argv = missing};
    CHECK(ab_child_run(&bad, &r) == 0 && r.outcome == AB_CHILD_SPAWN_ERROR);
    ab_child_describe(&r, desc, sizeof desc);
    CHECK(strstr(desc, "No such file") != NULL);

    /* stdout goes to the file; LD_PRELOAD is the child's only. */
    setenv("LD_PRELOAD", "", 1); /* an inherited (empty) one must not reach the child */
    r = run_sh("echo \"[$LD_PRELOAD]\"", NULL, 5, 0, out);
    slurp(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "[]"));
    unsetenv("LD_PRELOAD");
    r = run_sh("echo \"$LD_PRELOAD\"", "/lib/x86_64-linux-gnu/libc.so.6", 5, 0, out);
    slurp(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "/lib/x86_64-linux-gnu/libc.so.6"));
    CHECK(getenv("LD_PRELOAD") == NULL);

    /* RLIMIT_AS reaches the child (ulimit -v shows KiB). */
    r = run_sh("ulimit -v", NULL, 5, (size_t)512 << 20, out);
    slurp(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "524288"));

    /* maxrss: a child that touches 64 MiB reports at least that. */
    const char *argv[] = {"/bin/sh", "-c", "head -c 67108864 /dev/zero | tail -c 1 >/dev/null",
                          NULL};
    ab_child_spec big = {.argv = argv};
    CHECK(ab_child_run(&big, &r) == 0 && r.outcome == AB_CHILD_OK);
    CHECK(r.maxrss_kb > 1000);
    unlink(out);
    CHECK_DONE("child");
}
