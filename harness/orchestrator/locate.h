/* locate.h: where alignbench finds its companions at run time (the runner, the recorder
 * library, the gnuplot scripts), so that the same executable works from a build tree and from
 * an installed prefix (`cmake --install`), whatever the current directory.
 *
 * Every path is relative to the running executable's own directory (/proc/self/exe): first the
 * installed layout (AB_INSTALL_*_REL, relative to the bin directory, set by
 * harness/CMakeLists.txt from GNUInstallDirs), then the build tree's. No absolute path fixed at
 * configure time is needed.
 */
#ifndef AB_LOCATE_H
#define AB_LOCATE_H

#include <stddef.h>

/* The first of <exe dir>/<install_rel>/<name> and <exe dir>/<build_rel>/<name> that exists
 * (build_rel "" or NULL: <exe dir>/<name>). Returns 0 with the path in buf; -1 when neither
 * exists, with the build-tree candidate in buf (for the error message), or -1 and buf "" when
 * the executable's directory is unknown or the path does not fit. */
int ab_locate(const char *install_rel, const char *build_rel, const char *name, char *buf,
              size_t len);

#endif
