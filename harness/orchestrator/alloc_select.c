/* alloc_select.c: `--alloc` specs -> allocator choices (alloc_select.h).
 *
 * Built-in names are every registry entry except `preload` (the generic backend behind
 * plug-ins). A built-in that needs a preload library gets its path from build_config.h; ""
 * there means the library was not found at configure time, and the choice is unavailable with a
 * reason rather than an error, so `list` can show it. `NAME=/path/lib.so` makes a plug-in: the
 * `preload` backend, or the native backend when NAME is jemalloc or mimalloc (a custom build of
 * the same library). `NAME=BASE:VAR=value...` makes a variant: BASE's backend and library (or the
 * plug-in's when BASE is a path) with environment settings that child.c sets in its runner
 * children only; the runner gets `--backend BASE` so NAME names it everywhere. In a sanitizer build
 * no malloc can be preloaded (ASan owns malloc), so preloaded choices are unavailable with that
 * reason.
 */
#include "harness/orchestrator/alloc_select.h"
#include "harness/common/error_message.h"
#include "harness/common/regular_file.h"
#include "harness/common/safe_name.h"
#include "allocators/allocator.h"
#include "allocators/sanitizer_malloc.h"
#include "build_config.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/locate.h"

#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where each preloaded built-in's library comes from. */
static const struct {
    const char *name, *path, *package;
} preload_libs[] = {
    {"jemalloc", AB_JEMALLOC_PATH, "libjemalloc-dev"},
    {"mimalloc", AB_MIMALLOC_PATH, "libmimalloc-dev"},
};

static const char sanitizer_why[] =
    "sanitizer build: ASan owns malloc, so no allocator library can be preloaded into the runner";

/* 0 when path is an ELF shared object (what LD_PRELOAD can load), else -1 with the reason: the
 * loader would only warn and run the child on glibc, which the child then refuses, so a file
 * that cannot be preloaded at all is refused up front, naming the file. */
static int check_shared_library(const char *path, char *why, size_t len)
{
    unsigned char h[sizeof(Elf64_Ehdr)];
    char open_err[512];
    FILE *f = ab_fopen_regular(path, open_err, sizeof open_err);
    size_t got = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (!f)
        snprintf(why, len, "cannot read %s", open_err);
    else if (got < sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0)
        snprintf(why, len, "'%s' is not a shared library (no ELF header)", path);
    else if (h[EI_CLASS] != ELFCLASS64 || ((const Elf64_Ehdr *)h)->e_type != ET_DYN)
        snprintf(why, len, "'%s' is not a 64-bit shared library (ET_DYN)", path);
    else
        return 0;
    return -1;
}

static int is_builtin(const ab_allocator *a)
{
    return strcmp(a->name, "preload") != 0;
}

static void fill_builtin(ab_alloc_choice *c, const ab_allocator *a)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", a->name);
    snprintf(c->backend, sizeof c->backend, "%s", a->name);
    c->available = 1;
    if (!(a->caps & AB_CAP_PRELOAD))
        return;
    for (size_t i = 0; i < sizeof preload_libs / sizeof preload_libs[0]; i++) {
        if (strcmp(preload_libs[i].name, a->name) != 0)
            continue;
        snprintf(c->lib, sizeof c->lib, "%s", preload_libs[i].path);
        if (!*c->lib) {
            c->available = 0;
            snprintf(c->why, sizeof c->why,
                     "lib%s not found at configure time (install %s and rebuild)", a->name,
                     preload_libs[i].package);
        } else if (access(c->lib, R_OK) != 0) {
            c->available = 0;
            snprintf(c->why, sizeof c->why, "%.200s is gone since configure time", c->lib);
        }
    }
    if (c->available && AB_SANITIZED) {
        c->available = 0;
        snprintf(c->why, sizeof c->why, "%s", sanitizer_why);
    }
}

static void known_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ab_allocator_count; i++)
        if (is_builtin(ab_allocators[i]) && used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                                     ab_allocators[i]->name);
}

/* 1 when s starts with an upper-case variable name and '=' ([A-Z_][A-Z0-9_]*=). */
static int starts_var(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')
        s++;
    return *s == '=';
}

/* A variant's settings text (after BASE's ':') into c->settings: "VAR=value" pairs split on ':'
 * only where the next text starts an upper-case VAR=, so values keep their ':' and ','. */
static int parse_settings(const char *name, const char *text, ab_alloc_choice *c, char *err,
                          size_t errlen)
{
    if (!starts_var(text))
        return ab_fail(err, errlen,
                       "variant '%s': malformed setting '%s' (want VAR=value, VAR in upper case: "
                       "NAME=BASE:VAR=value[:VAR=value...])",
                       name, text);
    const char *p = text;
    while (*p) {
        const char *end = p + 1;
        while (*end && !(end[-1] == ':' && starts_var(end)))
            end++;
        size_t len = (size_t)(end - p) - (*end ? 1 : 0); /* without the ':' before the next */
        size_t vlen = strcspn(p, "=");
        if (c->nsettings == AB_ALLOC_MAX_SETTINGS)
            return ab_fail(err, errlen, "variant '%s': more than %d settings", name,
                           AB_ALLOC_MAX_SETTINGS);
        if (len >= sizeof c->settings[0])
            return ab_fail(err, errlen, "variant '%s': setting '%.40s...' too long", name, p);
        if (vlen == 10 && !strncmp(p, "LD_PRELOAD", 10))
            return ab_fail(err, errlen,
                           "variant '%s': LD_PRELOAD is alignbench's own (it preloads BASE)", name);
        for (size_t k = 0; k < c->nsettings; k++)
            if (!strncmp(c->settings[k], p, vlen + 1))
                return ab_fail(err, errlen, "variant '%s': %.*s set twice", name, (int)vlen, p);
        memcpy(c->settings[c->nsettings], p, len);
        c->settings[c->nsettings++][len] = '\0';
        p = end;
    }
    return 0;
}

static int grow(ab_alloc_choice **v, size_t *n, size_t *cap, char *err, size_t errlen)
{
    if (*n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    ab_alloc_choice *nv = realloc(*v, ncap * sizeof *nv);
    if (!nv)
        return ab_fail(err, errlen, "out of memory");
    *v = nv;
    *cap = ncap;
    return 0;
}

/* NAME=BASE[:VAR=value...]: a plug-in (BASE a path) or a variant of a built-in (BASE a name)
 * or of a plug-in, into *c. */
static int fill_named(const char *name, const char *rhs, ab_alloc_choice *c, char *err,
                      size_t errlen)
{
    char base[PATH_MAX];
    const char *colon = strchr(rhs, ':');
    size_t blen = colon ? (size_t)(colon - rhs) : strlen(rhs);
    if (blen == 0 || blen >= sizeof base)
        return ab_fail(err, errlen,
                       "bad allocator spec '%s=%s' (want NAME=/path/lib.so or "
                       "NAME=BASE:VAR=value[:VAR=value...])",
                       name, rhs);
    memcpy(base, rhs, blen);
    base[blen] = '\0';
    const ab_allocator *a = ab_allocator_find(name);
    memset(c, 0, sizeof *c);
    const ab_allocator *b = strchr(base, '/') ? NULL : ab_allocator_find(base);
    if (b && is_builtin(b)) { /* a built-in base: a variant */
        if (a)
            return ab_fail(err, errlen,
                           "variant name '%s' is a built-in allocator's; pick another name", name);
        fill_builtin(c, b);
    } else {
        if (colon && !strchr(base, '/') && access(base, F_OK) != 0) {
            char known[256];
            known_names(known, sizeof known);
            return ab_fail(err, errlen,
                           "variant '%s': unknown base '%s' (known: %s, or a /path/lib.so)", name,
                           base, known);
        }
        if (a && !(a->caps & AB_CAP_PRELOAD))
            return ab_fail(err, errlen,
                           "plug-in name '%s' is a built-in allocator that is not preloaded; "
                           "pick another name",
                           name);
        char resolved[PATH_MAX] = "", why[PATH_MAX + 64];
        if (!realpath(base, resolved))
            return ab_fail(err, errlen, "plug-in '%s': library '%s' not found", name, base);
        if (check_shared_library(resolved, why, sizeof why) != 0)
            return ab_fail(err, errlen, "plug-in '%s': %s", name, why);
        snprintf(c->backend, sizeof c->backend, "%s", a ? a->name : "preload");
        snprintf(c->lib, sizeof c->lib, "%s", resolved);
        c->available = !AB_SANITIZED;
        if (AB_SANITIZED)
            snprintf(c->why, sizeof c->why, "%s", sanitizer_why);
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    c->named = 1;
    return colon ? parse_settings(name, colon + 1, c, err, errlen) : 0;
}

/* One spec item: a name, "all", NAME=/path or NAME=BASE:VAR=value... */
static int add_item(const char *item, ab_alloc_choice **v, size_t *n, size_t *cap, char *err,
                    size_t errlen)
{
    char name[64];
    const char *eq = strchr(item, '=');
    size_t nlen = eq ? (size_t)(eq - item) : strlen(item);
    if (nlen == 0 || nlen >= sizeof name || (eq && strchr(item, ':') && strchr(item, ':') < eq))
        return ab_fail(err, errlen,
                       "bad allocator spec '%s' (want NAME, NAME=/path/lib.so or "
                       "NAME=BASE:VAR=value[:VAR=value...])",
                       item);
    memcpy(name, item, nlen);
    name[nlen] = '\0';
    if (eq && !ab_safe_name(name, nlen)) /* it names the run's log files */
        return ab_fail(err, errlen, "allocator name '%s' in '%s' wants " AB_SAFE_NAME_RULE, name,
                       item);
    int all = !eq && !strcmp(name, "all");
    const ab_allocator *a = ab_allocator_find(name);
    if (!eq && !all && (!a || !is_builtin(a))) {
        char known[256];
        known_names(known, sizeof known);
        return ab_fail(err, errlen,
                       "unknown allocator '%s' (known: %s, all, NAME=/path/lib.so or "
                       "NAME=BASE:VAR=value)",
                       name, known);
    }
    if (eq) {
        ab_alloc_choice c;
        if (fill_named(name, eq + 1, &c, err, errlen) != 0)
            return -1;
        for (size_t k = 0; k < *n; k++) {
            if (strcmp((*v)[k].name, name) != 0)
                continue;
            if ((*v)[k].named)
                return ab_fail(err, errlen, "allocator name '%s' is given twice", name);
            (*v)[k] = c; /* a plug-in jemalloc=/path replaces the built-in "all" brought in */
            return 0;
        }
        if (grow(v, n, cap, err, errlen) != 0)
            return -1;
        (*v)[(*n)++] = c;
        return 0;
    }
    for (size_t i = 0; i < ab_allocator_count; i++) {
        const ab_allocator *b = ab_allocators[i];
        if (all ? !is_builtin(b) : b != a)
            continue;
        /* The same built-in twice is asked once; a plug-in of that name stays. */
        size_t dup = *n;
        for (size_t k = 0; k < *n && dup == *n; k++)
            if (!strcmp((*v)[k].name, b->name))
                dup = k;
        if (dup < *n)
            continue;
        if (grow(v, n, cap, err, errlen) != 0)
            return -1;
        fill_builtin(&(*v)[(*n)++], b);
    }
    return 0;
}

int ab_alloc_choose(const char *const *specs, size_t nspecs, ab_alloc_choice **out, size_t *n,
                    char *err, size_t errlen)
{
    static const char *const all[] = {"all"};
    ab_alloc_choice *v = NULL;
    size_t count = 0, cap = 0;
    if (!specs || nspecs == 0) {
        specs = all;
        nspecs = 1;
    }
    for (size_t i = 0; i < nspecs; i++) {
        char buf[8400];
        if (snprintf(buf, sizeof buf, "%s", specs[i]) >= (int)sizeof buf) {
            free(v);
            return ab_fail(err, errlen, "allocator spec too long");
        }
        /* Items are split on ',' until a variant (NAME=BASE:...): it takes the rest. */
        for (char *item = buf; item;) {
            char *comma = strchr(item, ',');
            char *eq = strchr(item, '=');
            char *colon = eq ? strchr(eq, ':') : NULL;
            if (comma && !(colon && colon < comma))
                *comma = '\0';
            else
                comma = NULL;
            if (*item && add_item(item, &v, &count, &cap, err, errlen) != 0) {
                free(v);
                return -1;
            }
            item = comma ? comma + 1 : NULL;
        }
    }
    if (count == 0) {
        free(v);
        return ab_fail(err, errlen, "no allocator chosen");
    }
    *out = v;
    *n = count;
    return 0;
}

void ab_alloc_env(const ab_alloc_choice *c, const char **env)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nsettings; i++)
        env[k++] = c->settings[i];
    env[k] = NULL;
}

int ab_alloc_runner_argv(const ab_alloc_choice *c, const char *runner_path, const char *mode,
                         const char **argv)
{
    int k = 0;
    argv[k++] = runner_path;
    argv[k++] = mode;
    argv[k++] = "--alloc";
    argv[k++] = c->name;
    if (strcmp(c->name, c->backend) != 0 && strcmp(c->backend, "preload") != 0) {
        argv[k++] = "--backend";
        argv[k++] = c->backend;
    }
    if (c->lib[0]) {
        argv[k++] = "--lib";
        argv[k++] = c->lib;
    }
    argv[k] = NULL;
    return k;
}

int ab_runner_path(char *buf, size_t len)
{
    /* A missing runner is the caller's to report (access()), with the build-tree path. */
    ab_locate(AB_INSTALL_RUNNER_REL, NULL, "alignbench-runner", buf, len);
    return buf[0] ? 0 : -1;
}
