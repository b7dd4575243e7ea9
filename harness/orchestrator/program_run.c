/* program_run.c: one run of a whole program under one allocator (program_run.h). */
#include "harness/orchestrator/program_run.h"
#include "harness/measure/counters.h"
#include "harness/orchestrator/log_tail.h"
#include "harness/orchestrator/program_probe.h"
#include "harness/orchestrator/run_record.h"

#include <ctype.h>
#include <math.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The perf counters of the program's whole process tree (child.h, counters.h), totals per run
 * under the runner's names without "_per_kop" (sys_madvise, migrations, instructions, ...), and
 * syscalls, every call of every kind; faults and context switches come from wait4's rusage.
 * A counter that could not be opened is "unavailable: why"; runs[].counters names the sources. */
static void put_counters(json_t *row, json_t *m, const ab_counters *c, const ab_counter_sample *s)
{
    json_t *sources = json_object();
    for (int i = 0; i < AB_CTR_COUNT; i++) {
        if (i == AB_CTR_MINOR_FAULTS || i == AB_CTR_MAJOR_FAULTS || i == AB_CTR_CTX_VOLUNTARY ||
            i == AB_CTR_CTX_INVOLUNTARY)
            continue;
        char name[64];
        const char *metric = ab_counter_defs[i].metric;
        snprintf(name, sizeof name, "%.*s", (int)(strlen(metric) - strlen("_per_kop")), metric);
        if (c->why[i][0]) {
            char why[400];
            snprintf(why, sizeof why, "unavailable: %s", c->why[i]);
            json_object_set_new(m, name, json_string(why));
            continue;
        }
        json_object_set_new(m, name, json_integer((json_int_t)s->v[i]));
        json_object_set_new(sources, name, json_string(c->source[i]));
    }
    if (!c->why[AB_CTR_SYS_OTHER][0]) {
        json_object_set_new(m, "syscalls", json_integer((json_int_t)s->all_syscalls));
        json_object_set_new(sources, "syscalls", json_string("tracepoint raw_syscalls:sys_enter"));
    }
    json_t *o = json_object();
    json_object_set_new(o, "sources", sources);
    json_object_set_new(row, "counters", o);
}

/* Shell builtins and keywords that have no program of their name to exec. */
static const char *const not_execable[] = {
    "!",     "{",       "}",        ".",        ":",      "alias", "bg",      "break",  "case",
    "cd",    "command", "continue", "do",       "done",   "elif",  "else",    "esac",   "eval",
    "exec",  "exit",    "export",   "fg",       "fi",     "for",   "getopts", "hash",   "if",
    "jobs",  "local",   "read",     "readonly", "return", "set",   "shift",   "source", "then",
    "times", "trap",    "type",     "ulimit",   "umask",  "unset", "until",   "wait",   "while",
};

/* 1 when command has no shell operator, redirection or substitution outside quotes (and no
 * substitution inside double quotes either): then "exec" in front changes nothing but the
 * shell's staying around. */
static int plain_command(const char *command)
{
    char quote = 0;
    for (const char *c = command; *c; c++) {
        if (quote == '\'') {
            quote = *c == '\'' ? 0 : quote;
            continue;
        }
        if (*c == '`' || (*c == '$' && c[1] == '('))
            return 0;
        if (*c == '\\' && c[1]) {
            c++;
            continue;
        }
        if (quote == '"') {
            quote = *c == '"' ? 0 : quote;
            continue;
        }
        if (*c == '\'' || *c == '"')
            quote = *c;
        else if (strchr(";&|<>()\n", *c))
            return 0;
    }
    return !quote;
}

void ab_program_shell_command(const char *command, char *buf, size_t len)
{
    const char *p = command;
    while (isspace((unsigned char)*p))
        p++;
    size_t word = strcspn(p, " \t");
    int plain = word > 0 && !memchr(p, '=', word) && plain_command(command);
    for (size_t i = 0; plain && i < sizeof not_execable / sizeof not_execable[0]; i++)
        if (strlen(not_execable[i]) == word && !strncmp(p, not_execable[i], word))
            plain = 0;
    snprintf(buf, len, "%s%s", plain ? "exec " : "", command);
}

static double tv_ms(struct timeval tv)
{
    return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec * 1e-3;
}

static int status_accepted(const ab_program_spec *s, int code)
{
    if (code == 0)
        return 1;
    for (size_t i = 0; i < s->n_ok_status; i++)
        if (s->ok_status[i] == code)
            return 1;
    return 0;
}

json_t *ab_program_run(const ab_program_spec *s, ab_child_result *r)
{
    char shell_cmd[8192], preload[8192], probe_env[4352];
    ab_program_shell_command(s->command, shell_cmd, sizeof shell_cmd);
    snprintf(preload, sizeof preload, "%s%s%s", s->alloc->lib, s->alloc->lib[0] ? " " : "",
             s->probe_lib);
    snprintf(probe_env, sizeof probe_env, AB_PROBE_ENV "=%s", s->probe_path);
    const char *argv[] = {"/bin/sh", "-c", shell_cmd, NULL};
    const char *env[AB_ALLOC_MAX_SETTINGS + 2];
    ab_alloc_env(s->alloc, env);
    size_t k = 0;
    while (env[k])
        k++;
    env[k++] = probe_env;
    env[k] = NULL;
    ab_counters ctr;
    memset(&ctr, 0, sizeof ctr);
    ab_child_spec spec = {.argv = argv,
                          .preload = preload,
                          .env = env,
                          .timeout_s = s->timeout_s,
                          .mem_limit = s->mem_limit,
                          .stdout_path = s->log_path,
                          .stderr_path = s->log_path,
                          .stdin_null = 1,
                          .own_group = 1,
                          .counters = &ctr};
    unlink(s->probe_path);
    if (ab_child_run(&spec, r) != 0) {
        memset(r, 0, sizeof *r);
        r->outcome = AB_CHILD_SPAWN_ERROR;
        r->exit_code = errno;
    }
    /* The bookkeeping fields of every row; status and error are the program's, below. */
    json_t *row = ab_run_row_new(s->alloc->name, s->name, s->rep, r, NULL, NULL);
    char error[2048] = "", tail[800], served[512] = "";
    unsigned processes = 0;
    double ghz = NAN;
    const char *status = "ok";
    ab_log_tail(s->log_path, 3, tail, sizeof tail);
    const char *sep = tail[0] ? "; last output: " : "";
    switch (r->outcome) {
    case AB_CHILD_OK:
    case AB_CHILD_FAILED:
        if (!status_accepted(s, r->exit_code)) {
            status = "failed";
            snprintf(error, sizeof error, "program %s exited with status %d%s%s", s->name,
                     r->exit_code, sep, tail);
        } else if (ab_program_probe_check(s->probe_path, s->alloc->lib, served, sizeof served,
                                          &processes, &ghz, error, sizeof error) != 0) {
            status = "refused";
        }
        break;
    case AB_CHILD_SIGNALED:
        status = "crashed";
        snprintf(error, sizeof error, "program %s was killed by signal %d (%s)%s%s", s->name,
                 r->signo, strsignal(r->signo), sep, tail);
        break;
    case AB_CHILD_TIMEOUT:
        status = "timeout";
        snprintf(error, sizeof error, "program %s did not finish within %.0f s and was killed%s%s",
                 s->name, s->timeout_s, sep, tail);
        break;
    case AB_CHILD_SPAWN_ERROR:
        status = "failed";
        snprintf(error, sizeof error, "program %s could not be started: %s", s->name,
                 strerror(r->exit_code));
        break;
    }
    unlink(s->probe_path);
    json_object_set_new(row, "kind", json_string("program"));
    json_object_set_new(row, "command", json_string(s->command));
    json_object_set_new(row, "status", json_string(status));
    json_object_set_new(row, "error", error[0] ? json_string(error) : json_null());
    if (r->outcome == AB_CHILD_OK || r->outcome == AB_CHILD_FAILED)
        json_object_set_new(row, "exit_code", json_integer(r->exit_code));
    json_object_set_new(row, "served_by", served[0] ? json_string(served) : json_null());
    json_object_set_new(row, "processes", json_integer(processes));
    json_object_set_new(row, "log", json_string(s->log_path));
    if (r->outcome == AB_CHILD_SPAWN_ERROR)
        return row;
    json_t *m = json_object_get(row, "metrics");
    double user = tv_ms(r->ru.ru_utime), sys = tv_ms(r->ru.ru_stime);
    json_object_set_new(m, "cpu_ms", json_real(user + sys));
    json_object_set_new(m, "user_ms", json_real(user));
    json_object_set_new(m, "sys_ms", json_real(sys));
    json_object_set_new(m, "wall_ms", json_real(r->wall_s * 1e3));
    if (isfinite(ghz)) { /* the program's own clock readings, start and exit (malloc_probe.c) */
        json_object_set_new(m, "cpu_ghz", json_real(ghz));
        json_object_set_new(m, "cpu_mcycles", json_real((user + sys) * ghz));
        json_object_set_new(m, "wall_mcycles", json_real(r->wall_s * 1e3 * ghz));
    }
    json_object_set_new(m, "peak_rss", json_integer((json_int_t)r->ru.ru_maxrss * 1024));
    json_object_set_new(m, "minor_faults", json_integer((json_int_t)r->ru.ru_minflt));
    json_object_set_new(m, "major_faults", json_integer((json_int_t)r->ru.ru_majflt));
    json_object_set_new(m, "ctx_voluntary", json_integer((json_int_t)r->ru.ru_nvcsw));
    json_object_set_new(m, "ctx_involuntary", json_integer((json_int_t)r->ru.ru_nivcsw));
    if (r->outcome == AB_CHILD_OK || r->outcome == AB_CHILD_FAILED)
        json_object_set_new(m, "exit_status", json_integer(r->exit_code));
    put_counters(row, m, &ctr, &r->counted);
    return row;
}
