/* program_serve.h: which allocators can serve a whole program (`alignbench run --program`), and
 * which library the program's malloc must then resolve to.
 *
 * A whole program calls malloc itself, so only an allocator that replaces malloc for a process
 * can serve it: glibc's malloc (nothing preloaded), and any preloaded library that defines
 * `malloc` (jemalloc, mimalloc, a `--alloc NAME=/path/lib.so` malloc replacement, or a variant
 * of one of them). alignbench's own allocators behind the runner's interface (aligned_malloc,
 * bump, rpcss) and plug-ins that only provide alignbench's plug-in table cannot: their cells
 * are "not applicable" with the reason.
 */
#ifndef AB_PROGRAM_SERVE_H
#define AB_PROGRAM_SERVE_H

#include "harness/orchestrator/alloc_select.h"

#include <stddef.h>

/* The soname glibc's malloc lives in: what a program's malloc resolves to with nothing
 * preloaded. */
#define AB_PROGRAM_LIBC "libc.so.6"

/* NULL when c can serve a whole program; else why not (a sentence without a final period,
 * written into why). */
const char *ab_program_not_applicable(const ab_alloc_choice *c, char *why, size_t len);

/* 1 when the ELF shared object at path defines (exports) the function `name` in its dynamic
 * symbol table, 0 when it does not, -1 when the file cannot be read as a 64-bit ELF object. */
int ab_elf_defines(const char *path, const char *name);

#endif
