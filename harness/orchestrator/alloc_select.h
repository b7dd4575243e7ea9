/* alloc_select.h: turning the user's `--alloc` specs into runnable allocator choices.
 *
 * The orchestrator side of one allocator per process: it knows, per allocator, which library is
 * to be LD_PRELOADed into the runner (jemalloc and mimalloc paths come from configure time,
 * plug-ins from `--alloc NAME=/path/lib.so`), which environment settings a variant
 * (`--alloc NAME=BASE:VAR=value[:VAR=value...]`) sets in its runner children only, and whether
 * the allocator is available here, and why not. `list`, `check`, `run` and `micro` all choose
 * allocators through this one piece.
 */
#ifndef AB_ALLOC_SELECT_H
#define AB_ALLOC_SELECT_H

#include <stddef.h>

#define AB_ALLOC_MAX_SETTINGS 8 /* VAR=value pairs of one variant */

typedef struct ab_alloc_choice {
    char name[64];    /* what results call it: "jemalloc", or a plug-in's or variant's NAME */
    char backend[32]; /* the registry entry the runner uses ("preload" for plug-ins) */
    char lib[4096];   /* absolute path to LD_PRELOAD, "" for none */
    int available;    /* 1 when it can run here */
    char why[256];    /* when not available: library missing, preload failed, ... */
    int named;        /* 1 when the user gave NAME= (a plug-in or a variant) */
    size_t nsettings; /* the variant's settings: "VAR=value", set in its runner children only */
    char settings[AB_ALLOC_MAX_SETTINGS][1024];
} ab_alloc_choice;

/* specs: NULL/0 means every built-in allocator; otherwise names ("jemalloc", "all"), plug-ins
 * ("tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4") and variants
 * ("je0=jemalloc:MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0"), also comma lists. A variant
 * takes the rest of its spec (its values may hold ',' and ':'): its settings are split on ':'
 * only where the next text is an upper-case `VAR=`. An unknown name or base, a missing plug-in
 * file, a malformed VAR=value or a NAME given twice is an error (-1, message in err). The
 * result is malloc'ed (free it). Availability of a built-in depends on its library being found. */
int ab_alloc_choose(const char *const *specs, size_t nspecs, ab_alloc_choice **out, size_t *n,
                    char *err, size_t errlen);

/* Fill argv for the runner: {runner_path, mode, "--alloc", name, ["--backend", backend],
 * ["--lib", lib]} followed by nothing (--backend when a variant's name is not its built-in
 * backend's); returns the number of entries used (argv must have room for 8 + NULL). */
int ab_alloc_runner_argv(const ab_alloc_choice *c, const char *runner_path, const char *mode,
                         const char **argv);

/* The variant's settings as a NULL-terminated list of "VAR=value" pointing into c (env must
 * have room for AB_ALLOC_MAX_SETTINGS + 1), for ab_child_spec.env and the context. */
void ab_alloc_env(const ab_alloc_choice *c, const char **env);

/* Path of alignbench-runner: the installed libexec directory, else next to the running
 * executable (a build tree); see locate.h. */
int ab_runner_path(char *buf, size_t len);

#endif
