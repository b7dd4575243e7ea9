/* plugin.h: what the generic `preload` backend (malloc.c) found in a plug-in library beyond
 * malloc itself, for the conformance suite to tell "cannot purge" from "purge did not work". */
#ifndef AB_PLUGIN_H
#define AB_PLUGIN_H

/* Name of the purge call the plug-in defines (e.g. "MallocExtension_ReleaseFreeMemory"), or
 * NULL when it defines none alignbench knows (purge is then a no-op). */
const char *ab_plugin_purge_call(void);

#endif
