/* replay_touch.h: how the replay writes a block it was handed (--touch), shared by the
 * single-threaded replay (replay.c) and the threaded one (replay_threads.c) so both do exactly
 * the same harness work per op. A zeroed op (calloc, [out] buffers) is always cleared whole.
 */
#ifndef AB_REPLAY_TOUCH_H
#define AB_REPLAY_TOUCH_H

#include "harness/measure/replay.h"

#include <stdint.h>
#include <string.h>

#define AB_TOUCH_BYTE 0xA5
#define AB_TOUCH_PAGE 4096u

static inline __attribute__((always_inline)) void ab_touch_block(void *p, size_t size, ab_touch t,
                                                                 int zero)
{
    if (!p || !size)
        return;
    if (zero) {
        memset(p, 0, size);
        return;
    }
    if (t == AB_TOUCH_ALL) {
        memset(p, AB_TOUCH_BYTE, size);
    } else if (t == AB_TOUCH_FIRST) {
        volatile char *c = p;
        c[0] = (char)AB_TOUCH_BYTE;
        uintptr_t next = ((uintptr_t)p + AB_TOUCH_PAGE) & ~(uintptr_t)(AB_TOUCH_PAGE - 1);
        uintptr_t end = (uintptr_t)p + size;
        for (; next < end; next += AB_TOUCH_PAGE)
            *(volatile char *)next = (char)AB_TOUCH_BYTE;
    }
}

#endif
