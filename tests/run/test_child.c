/* test_child.c: the process model's mechanics (harness/orchestrator/child.c) on plain system
 * programs: exit codes, signals with their names, the timeout kill, a program that cannot start,
 * output redirection, LD_PRELOAD set in the child only (and an inherited one dropped), RLIMIT_AS,
 * and maxrss from wait4; for gnuplot and record: variables set and removed, the child's own pid
 * in a variable, a PATH search, stderr kept in memory, and a child that outlives its parent (or,
 * by default, dies with it). */
#include "harness/orchestrator/child.h"
#include "tests/check.h"
#include "tests/slurp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* The first line the child wrote to path. */
static void first_line(const char *path, char *buf, size_t len)
{
    slurp_into(path, buf, len);
    buf[strcspn(buf, "\n")] = '\0';
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts a middle process that runs `sh -c 'echo > DIR/started; sleep 0.5; echo > DIR/alive'`
 * as its child (outliving it or not), SIGKILLs the middle once the child has started, and says
 * whether the child still finished: 1 when DIR/alive appears within 10 s, 0 when it has not
 * 1.5 s after the kill (a child that is killed never writes it), -1 when it never started. */
static int survives_parent(const char *dir, int outlive)
{
    char started[256], alive[256], script[700];
    snprintf(started, sizeof started, "%s/started", dir);
    snprintf(alive, sizeof alive, "%s/alive", dir);
    unlink(started);
    unlink(alive);
    snprintf(script, sizeof script, "echo > %s; sleep 0.5; echo > %s", started, alive);
    pid_t middle = fork();
    if (middle == 0) {
        const char *argv[] = {"/bin/sh", "-c", script, NULL};
        ab_child_spec spec = {.argv = argv, .outlive_parent = outlive};
        ab_child_result r;
        ab_child_run(&spec, &r);
        _exit(0);
    }
    int waited = 0;
    while (!exists(started) && waited++ < 1000)
        nap_ms(10);
    kill(middle, SIGKILL);
    waitpid(middle, NULL, 0);
    if (!exists(started))
        return -1;
    for (int i = 0; i < (outlive ? 1000 : 150); i++) {
        if (exists(alive))
            return 1;
        nap_ms(10);
    }
    return 0;
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
    first_line(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "[]"));
    unsetenv("LD_PRELOAD");
    r = run_sh("echo \"$LD_PRELOAD\"", "/lib/x86_64-linux-gnu/libc.so.6", 5, 0, out);
    first_line(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "/lib/x86_64-linux-gnu/libc.so.6"));
    CHECK(getenv("LD_PRELOAD") == NULL);

    /* RLIMIT_AS reaches the child (ulimit -v shows KiB). */
    r = run_sh("ulimit -v", NULL, 5, (size_t)512 << 20, out);
    first_line(out, text, sizeof text);
    CHECK(r.outcome == AB_CHILD_OK && !strcmp(text, "524288"));

    /* maxrss: a child that touches 64 MiB reports at least that. */
    const char *argv[] = {"/bin/sh", "-c", "head -c 67108864 /dev/zero | tail -c 1 >/dev/null",
                          NULL};
    ab_child_spec big = {.argv = argv};
    CHECK(ab_child_run(&big, &r) == 0 && r.outcome == AB_CHILD_OK);
    CHECK(r.maxrss_kb > 1000);
    /* Variables set and removed, the child's own pid in a variable. */
    setenv("AB_TEST_GONE", "inherited", 1);
    const char *env[] = {"AB_TEST_SET=1", "AB_TEST_GONE", NULL};
    const char *show[] = {"/bin/sh", "-c",
                          "echo \"$AB_TEST_SET ${AB_TEST_GONE-removed} $AB_TEST_PID $$\"", NULL};
    ab_child_spec vars = {.argv = show, .env = env, .pid_var = "AB_TEST_PID", .stdout_path = out};
    CHECK(ab_child_run(&vars, &r) == 0 && r.outcome == AB_CHILD_OK);
    first_line(out, text, sizeof text);
    char want[128];
    snprintf(want, sizeof want, "1 removed %ld %ld", (long)r.pid, (long)r.pid);
    CHECK(!strcmp(text, want), "'%s', not '%s'", text, want);
    CHECK(!strcmp(getenv("AB_TEST_GONE"), "inherited"), "removed in the child only");

    /* A PATH search only when asked. */
    const char *bare[] = {"sh", "-c", "exit 4", NULL};
    ab_child_spec searched = {.argv = bare, .search_path = 1};
    CHECK(ab_child_run(&searched, &r) == 0 && r.outcome == AB_CHILD_FAILED && r.exit_code == 4);
    ab_child_spec unsearched = {.argv = bare};
    CHECK(ab_child_run(&unsearched, &r) == 0 && r.outcome == AB_CHILD_SPAWN_ERROR);

    /* stderr kept in memory, what does not fit dropped; stdout still goes to its file. */
    char err[8];
    const char *talk[] = {"/bin/sh", "-c", "echo warn >&2; echo out; head -c 300000 /dev/zero >&2",
                          NULL};
    ab_child_spec kept = {
        .argv = talk, .stdout_path = out, .stderr_buf = err, .stderr_buf_len = sizeof err};
    CHECK(ab_child_run(&kept, &r) == 0 && r.outcome == AB_CHILD_OK);
    CHECK(!memcmp(err, "warn\n\0\0", sizeof err), "stderr kept: '%s'", err);
    first_line(out, text, sizeof text);
    CHECK(!strcmp(text, "out"), "stdout: '%s'", text);
    char both[16];
    ab_child_spec both_kept = {.argv = talk,
                               .stdout_buf = both,
                               .stdout_buf_len = sizeof both,
                               .stderr_buf = err,
                               .stderr_buf_len = sizeof err};
    CHECK(ab_child_run(&both_kept, &r) == 0 && r.outcome == AB_CHILD_OK);
    CHECK(!strcmp(both, "out\n") && !strncmp(err, "warn\n", 5), "stdout '%s', stderr '%s' kept",
          both, err);

    /* A child dies with its parent unless it is to outlive it. */
    char dir[] = "/tmp/ab-child-dir-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(survives_parent(dir, 0) == 0, "a child is killed with its parent");
    CHECK(survives_parent(dir, 1) == 1, "an outliving child finishes");
    char path[300];
    snprintf(path, sizeof path, "%s/started", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/alive", dir);
    unlink(path);
    rmdir(dir);
    unlink(out);
    CHECK_DONE("child");
}
