/* cmd_fidelity.c: `alignbench fidelity`, the replay checked against the real program.
 *
 * A user's question is "would jemalloc make *our* program faster, and by how much?". The replay
 * answers it only if it predicts the program, so this command checks that, per program:
 *   1. records it (`alignbench record`, one trace per process it runs);
 *   2. runs, in one interleaved run, its traces as replay cells and the program itself as
 *      whole-program cells (`alignbench run --trace ... --program ...`), under each allocator;
 *   3. puts the replay's predicted time saved beside the program's measured time saved
 *      (analysis/fidelity.c), adds that to the run's results.json as "fidelity", prints it and
 *      draws the report again with it.
 * It drives the other commands as child processes of this same executable, so each step is
 * exactly what a user gets from that command.
 */
#include "harness/analysis/fidelity.h"
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/json_file.h"
#include "harness/common/parse_num.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/program_run.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/program_run.h"
#include "harness/report/fidelity_table.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WHO "alignbench fidelity"
#define MAX_PROGRAMS 16
#define MAX_TRACES 64 /* per program: one per process it ran */
#define MAX_ARGS (16 + 2 * MAX_PROGRAMS * (MAX_TRACES + 1))

typedef struct program {
    char name[64];
    const char *command;
    char *trace_path[MAX_TRACES];
    const char *workload[MAX_TRACES]; /* the trace's workload name in the run: its file stem */
    size_t ntraces;
} program;

typedef struct fidelity_opts {
    program prog[MAX_PROGRAMS];
    size_t nprog;
    const char *alloc, *out, *run_id, *timeout;
    unsigned reps;
    double tolerance;
    int quiet;
} fidelity_opts;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: alignbench fidelity --program NAME='CMD ARGS' [--program ...] [OPTIONS]\n\n"
        "Checks the replay against the real program. For each program: records it\n"
        "(alignbench record, one trace per process), then runs its traces as replay cells\n"
        "and the program itself as whole-program cells, under each allocator, in one\n"
        "interleaved run (alignbench run --trace ... --program ...). Then it shows, for each\n"
        "allocator against the first, the replay's predicted time saved (ops x the\n"
        "difference in ns_per_op, summed over the program's traces) beside the program's\n"
        "measured CPU time saved (wall time when a trace has several threads), each the\n"
        "median of per-round differences with its interval; whether they agree within the\n"
        "tolerance; whether both rank the allocators alike; and, where they disagree, what\n"
        "the replay leaves out for this program. The answer goes to the console, to the\n"
        "run's results.json (\"fidelity\") and to its report.html.\n\n"
        "  --program NAME=CMD   a program (repeatable): NAME is letters, digits, '_' and '-';\n"
        "                       CMD runs through /bin/sh -c, as in alignbench run --program\n"
        "  --alloc LIST         allocators (default malloc,jemalloc,mimalloc: those that can\n"
        "                       serve a whole program); the first is the baseline\n"
        "  --reps R             rounds, 2..1000 (default 9)\n"
        "  --tolerance X        agreement when |predicted - measured| <= X |measured|\n"
        "                       (default 0.35)\n"
        "  --timeout S          per-child timeout in seconds (passed to run)\n"
        "  --out DIR            where the run folder goes (default results)\n"
        "  --run-id ID          the run folder's name (default fidelity-UTC date-time)\n"
        "  --quiet              no progress from the steps\n"
        "  -h, --help           this text\n\n"
        "Writes OUT/ID/recorded/NAME-PID[-N].abt (the traces) and OUT/ID/run/ (results.json with\n"
        "\"fidelity\", results.csv, charts, report.html). Exit status: 0 done (whatever the\n"
        "verdicts), 1 a step failed (recording, the run, or too few allocators ran the\n"
        "program), 2 bad usage. See docs/fidelity.md.\n");
}

static int valid_name(const char *s, size_t len)
{
    if (len == 0 || len >= 48)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!(s[i] == '_' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9') ||
              (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

static int parse_args(int argc, char **argv, fidelity_opts *o)
{
    enum {
        OPT_PROGRAM = 256,
        OPT_ALLOC,
        OPT_REPS,
        OPT_TOL,
        OPT_TIMEOUT,
        OPT_OUT,
        OPT_RUNID,
        OPT_QUIET
    };
    static const struct option longs[] = {
        {"program", required_argument, NULL, OPT_PROGRAM},
        {"alloc", required_argument, NULL, OPT_ALLOC},
        {"reps", required_argument, NULL, OPT_REPS},
        {"tolerance", required_argument, NULL, OPT_TOL},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"out", required_argument, NULL, OPT_OUT},
        {"run-id", required_argument, NULL, OPT_RUNID},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case OPT_PROGRAM: {
            const char *eq = strchr(optarg, '=');
            if (!eq || !valid_name(optarg, (size_t)(eq - optarg)) || !eq[1]) {
                fprintf(stderr,
                        WHO ": --program wants NAME=CMD with NAME of letters, digits, '_' or '-' "
                            "(under 48) and a command, not '%s' (see " WHO " --help)\n",
                        optarg);
                return -1;
            }
            if (o->nprog == MAX_PROGRAMS) {
                fprintf(stderr, WHO ": at most %d programs\n", MAX_PROGRAMS);
                return -1;
            }
            program *p = &o->prog[o->nprog];
            snprintf(p->name, sizeof p->name, "%.*s", (int)(eq - optarg), optarg);
            for (size_t i = 0; i < o->nprog; i++)
                if (!strcmp(o->prog[i].name, p->name)) {
                    fprintf(stderr, WHO ": two programs are called '%s'\n", p->name);
                    return -1;
                }
            p->command = eq + 1;
            o->nprog++;
            break;
        }
        case OPT_ALLOC:
            o->alloc = optarg;
            break;
        case OPT_REPS:
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--reps"), optarg, 2, 1000, &o->reps))
                return -1;
            break;
        case OPT_TOL:
            if (ab_opt_double(AB_NUM_OPT(WHO, "--tolerance", .flags = AB_NUM_ABOVE_MIN), optarg, 0,
                              10, &o->tolerance))
                return -1;
            break;
        case OPT_TIMEOUT:
            o->timeout = optarg;
            break;
        case OPT_OUT:
            o->out = optarg;
            break;
        case OPT_RUNID:
            if (!valid_name(optarg, strlen(optarg))) {
                fprintf(stderr, WHO ": --run-id wants letters, digits, '_' or '-', not '%s'\n",
                        optarg);
                return -1;
            }
            o->run_id = optarg;
            break;
        case OPT_QUIET:
            o->quiet = 1;
            break;
        default:
            return ab_opt_complain(WHO, c, argv);
        }
    }
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    if (o->nprog == 0) {
        fprintf(stderr, WHO ": wants at least one --program NAME='CMD' (see " WHO " --help)\n");
        return -1;
    }
    return 0;
}

/* Runs this executable with argv (argv[0] is replaced by its path) as a child (child.h);
 * returns its exit status, 128 + signal, or -1 when it could not start. */
static int run_self(char **argv, int quiet)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    argv[0] = self;
    fflush(NULL);
    ab_child_spec spec = {.argv = (const char *const *)argv,
                          .stdout_path = quiet ? "/dev/null" : NULL};
    ab_child_result r;
    if (ab_child_run(&spec, &r) != 0 || r.outcome == AB_CHILD_SPAWN_ERROR)
        return -1;
    return r.outcome == AB_CHILD_SIGNALED ? AB_EXIT_SIGNAL_BASE + r.signo : r.exit_code;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The traces the recorder wrote for p: DIR/NAME-PID.abt and DIR/NAME-PID-N.abt (after an exec),
 * in name order. */
static int find_traces(const char *dir, program *p)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    size_t len = strlen(p->name);
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t nl = strlen(n);
        if (strncmp(n, p->name, len) || n[len] != '-' || nl < 5 || strcmp(n + nl - 4, ".abt"))
            continue;
        /* PID, or PID-N for the Nth program image a process exec'd */
        if (strspn(n + len + 1, "0123456789-") != nl - len - 5 ||
            !isdigit((unsigned char)n[len + 1]))
            continue;
        if (p->ntraces == MAX_TRACES) {
            closedir(d);
            fprintf(stderr, WHO ": program '%s' ran more than %d processes\n", p->name, MAX_TRACES);
            return -1;
        }
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, n);
        p->trace_path[p->ntraces++] = strdup(path);
    }
    closedir(d);
    qsort(p->trace_path, p->ntraces, sizeof p->trace_path[0], by_string);
    for (size_t i = 0; i < p->ntraces; i++) {
        const char *base = strrchr(p->trace_path[i], '/') + 1;
        p->workload[i] = strndup(base, strlen(base) - 4);
        if (!p->trace_path[i] || !p->workload[i])
            return -1;
    }
    return 0;
}

static int mkdirs(const char *path)
{
    char buf[PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int record_all(fidelity_opts *o, const char *run_dir)
{
    char dir[PATH_MAX + 16], pattern[PATH_MAX + 96];
    snprintf(dir, sizeof dir, "%s/recorded", run_dir);
    if (mkdirs(dir) != 0) {
        fprintf(stderr, WHO ": cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < o->nprog; i++) {
        program *p = &o->prog[i];
        snprintf(pattern, sizeof pattern, "%s/%s-%%p.abt", dir, p->name);
        if (!o->quiet)
            fprintf(stderr, "[fidelity] recording %s: %s\n", p->name, p->command);
        /* the same shell command as the program's runs ("exec CMD" for a plain command), so
         * that the recording has the same processes as what is measured */
        char shell_cmd[4200];
        ab_program_shell_command(p->command, shell_cmd, sizeof shell_cmd);
        char *argv[] = {NULL, "record", "-o", pattern, "--", "/bin/sh", "-c", shell_cmd, NULL};
        int rc = run_self(argv, o->quiet);
        if (rc != 0) {
            fprintf(stderr, WHO ": recording '%s' failed (alignbench record exit %d)\n", p->name,
                    rc);
            return -1;
        }
        if (find_traces(dir, p) != 0 || p->ntraces == 0) {
            fprintf(stderr, WHO ": recording '%s' left no trace in %s\n", p->name, dir);
            return -1;
        }
    }
    return 0;
}

static int run_all(fidelity_opts *o, const char *run_dir)
{
    char *argv[MAX_ARGS];
    char reps[16], programs[MAX_PROGRAMS][4200];
    size_t n = 0;
    argv[n++] = NULL;
    argv[n++] = "run";
    argv[n++] = "--out";
    argv[n++] = (char *)run_dir;
    argv[n++] = "--run-id";
    argv[n++] = "run";
    argv[n++] = "--alloc";
    argv[n++] = (char *)o->alloc;
    snprintf(reps, sizeof reps, "%u", o->reps);
    argv[n++] = "--reps";
    argv[n++] = reps;
    argv[n++] = "--natural-baseline";
    argv[n++] = "off";
    argv[n++] = "--cold"; /* one cold replay per fresh process, as one run of the program */
    if (o->timeout) {
        argv[n++] = "--timeout";
        argv[n++] = (char *)o->timeout;
    }
    for (size_t i = 0; i < o->nprog; i++) {
        for (size_t t = 0; t < o->prog[i].ntraces; t++) {
            argv[n++] = "--trace";
            argv[n++] = o->prog[i].trace_path[t];
        }
        snprintf(programs[i], sizeof programs[i], "%s=%s", o->prog[i].name, o->prog[i].command);
        argv[n++] = "--program";
        argv[n++] = programs[i];
    }
    if (o->quiet)
        argv[n++] = "--quiet";
    argv[n] = NULL;
    if (!o->quiet)
        fprintf(stderr, "[fidelity] running the traces and the programs under %s\n", o->alloc);
    int rc = run_self(argv, 0);
    if (rc != 0) {
        fprintf(stderr, WHO ": the run failed (alignbench run exit %d); see %s/run\n", rc, run_dir);
        return -1;
    }
    return 0;
}

static int judge(fidelity_opts *o, const char *run_dir)
{
    char path[PATH_MAX + 32], err[512];
    snprintf(path, sizeof path, "%s/run/results.json", run_dir);
    json_t *doc = ab_json_load_named(path, err, sizeof err);
    if (!doc) {
        fprintf(stderr, WHO ": %s\n", err);
        return -1;
    }
    ab_fidelity_program progs[MAX_PROGRAMS];
    for (size_t i = 0; i < o->nprog; i++)
        progs[i] = (ab_fidelity_program){.name = o->prog[i].name,
                                         .command = o->prog[i].command,
                                         .traces = o->prog[i].workload,
                                         .ntraces = o->prog[i].ntraces};
    json_t *f = ab_fidelity_compute(doc, progs, o->nprog, o->tolerance, err, sizeof err);
    if (!f) {
        json_decref(doc);
        fprintf(stderr, WHO ": %s\n", err);
        return -1;
    }
    json_object_set(doc, "fidelity", f);
    int rc = ab_json_write_atomic(path, doc, JSON_INDENT(1), err, sizeof err);
    json_decref(doc);
    if (rc != 0) {
        json_decref(f);
        fprintf(stderr, WHO ": %s\n", err);
        return -1;
    }
    ab_fidelity_print(stdout, f);
    json_decref(f);
    char dir[PATH_MAX + 8];
    snprintf(dir, sizeof dir, "%s/run", run_dir);
    char *argv[] = {NULL, "plot", dir, NULL};
    if (run_self(argv, 1) != 0)
        fprintf(stderr, WHO ": warning: report.html was not drawn again (alignbench plot %s)\n",
                dir);
    printf("\nresults: %s (results.json \"fidelity\", report.html)\n", dir);
    return 0;
}

int cmd_fidelity(int argc, char **argv)
{
    fidelity_opts o = {.alloc = "malloc,jemalloc,mimalloc",
                       .out = "results",
                       .reps = 9,
                       .tolerance = AB_FIDELITY_TOLERANCE};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    char id[64], run_dir[PATH_MAX];
    if (!o.run_id) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(id, sizeof id, "fidelity-%Y%m%dT%H%M%SZ", &tm);
        o.run_id = id;
    }
    snprintf(run_dir, sizeof run_dir, "%s/%s", o.out, o.run_id);
    struct stat st;
    if (stat(run_dir, &st) == 0) {
        fprintf(stderr, WHO ": %s exists; choose another --run-id\n", run_dir);
        return AB_EXIT_USAGE;
    }
    rc = record_all(&o, run_dir) != 0 || run_all(&o, run_dir) != 0 || judge(&o, run_dir) != 0
             ? AB_EXIT_FAILURE
             : AB_EXIT_OK;
    for (size_t i = 0; i < o.nprog; i++)
        for (size_t t = 0; t < o.prog[i].ntraces; t++) {
            free(o.prog[i].trace_path[t]);
            free((char *)o.prog[i].workload[t]);
        }
    return rc;
}
