/* plugin.h: what the `preload` backend (malloc.c) found in a plug-in library beyond malloc
 * itself: for the conformance suite to tell "cannot purge" from "purge did not work", and for
 * the runner's probe (hence `alignbench list`) to say which path the plug-in takes. */
#ifndef AB_PLUGIN_H
#define AB_PLUGIN_H

/* Name of the purge call the plug-in defines (e.g. "MallocExtension_ReleaseFreeMemory"), or
 * NULL when it defines none alignbench knows (purge is then a no-op). */
const char *ab_plugin_purge_call(void);

/* Which path the plug-in takes, after create: "native table v1: aligned via ..., footprint via
 * ..." when it exports the table of alignbench_plugin.h, else "generic: posix_memalign,
 * malloc_usable_size, ...". Empty before create. */
const char *ab_plugin_path(void);

#endif
