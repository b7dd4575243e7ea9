/* carve_memo.h: the footprint of a block carved from a region (bump, rpcss), padding included.
 *
 * A region allocator pays for alignment with the padding it skips in front of a block, but that
 * padding cannot be told from the block afterwards (blocks carry no header). So the allocator
 * entry remembers, per thread, the last block it carved and the bytes the carve consumed
 * (padding + size, plus any rounding). The replay asks for a block's footprint right after
 * allocating it, which hits the memo; any other query falls back to the size alone, which is
 * then a lower bound. Private to allocators/.
 */
#ifndef AB_CARVE_MEMO_H
#define AB_CARVE_MEMO_H

#include <stddef.h>

typedef struct ab_carve_memo {
    const void *block;
    size_t consumed;
} ab_carve_memo;

static inline void ab_carve_note(ab_carve_memo *m, const void *block, size_t consumed)
{
    m->block = block;
    m->consumed = consumed;
}

/* consumed bytes when p is the last block carved on this thread, else `fallback` */
static inline size_t ab_carve_footprint(const ab_carve_memo *m, const void *p, size_t fallback)
{
    return p && p == m->block ? m->consumed : fallback;
}

#endif
