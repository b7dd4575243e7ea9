/* op_stream.c: decoding the trace into bounded windows of ab_dop (see op_stream.h). */
#include "harness/measure/op_stream.h"
#include "harness/common/error_message.h"
#include "harness/measure/memstat.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NONE UINT32_MAX
#define LIVE 0x40u
#define DROP_EVERY (64u * 1024u) /* raw ops between drops of the trace pages decoded */

int ab_op_stream_init(ab_op_stream *s, const ab_trace *t, const ab_replay_routes *routes,
                      const uint8_t served[64], int use_lists, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->ops_raw = t->ops;
    s->n = t->hdr.op_count;
    s->map = t->map;
    s->map_len = t->map_len;
    s->routes = *routes;
    s->use_lists = use_lists;
    memcpy(s->served, served, sizeof s->served);
    s->nslots = t->hdr.max_live_ids ? t->hdr.max_live_ids : 1;
    s->nscopes = t->hdr.scope_count ? t->hdr.scope_count : 1;
    /* A reset releases at most every live id, and the window must hold it with its list; at
     * twice that, every window but the last is at least half full. A trace whose every op and
     * list free fit (at most one list free per op) gets one window of that size instead. */
    uint64_t cap = AB_DOP_WINDOW;
    if (cap < 2 * (s->nslots + 1))
        cap = 2 * (s->nslots + 1);
    uint64_t most = s->n + 1 + (use_lists ? s->n : 0);
    if (most < cap)
        cap = most;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    s->cap = (uint32_t)cap;
    size_t off_size = (size_t)s->cap * sizeof(ab_dop);
    size_t off_next = off_size + s->nslots * sizeof(uint32_t);
    size_t off_prev = off_next + s->nslots * sizeof(uint32_t);
    size_t off_heads = off_prev + s->nslots * sizeof(uint32_t);
    /* the 4-byte arrays first, then the 2-byte and 1-byte ones: each stays aligned to its type */
    size_t off_count = off_heads + s->nscopes * sizeof(uint32_t);
    size_t off_scope = off_count + s->nscopes * sizeof(uint32_t);
    size_t off_meta = off_scope + s->nslots * sizeof(uint16_t);
    s->mem_len = off_meta + s->nslots;
    char *m = ab_harness_map(s->mem_len, 1);
    if (!m)
        return ab_fail(err, errlen, "cannot map the decoded op window (%u ops, %zu ids)", s->cap,
                       s->nslots);
    s->mem = m;
    s->buf = (ab_dop *)m;
    s->size = (uint32_t *)(m + off_size);
    s->next = (uint32_t *)(m + off_next);
    s->prev = (uint32_t *)(m + off_prev);
    s->heads = (uint32_t *)(m + off_heads);
    s->scope = (uint16_t *)(m + off_scope);
    s->count = (uint32_t *)(m + off_count);
    s->meta = (uint8_t *)(m + off_meta);
    s->dop = s->buf;
    ab_op_stream_rewind(s);
    return 0;
}

void ab_op_stream_fini(ab_op_stream *s)
{
    ab_harness_unmap(s->mem, s->mem_len);
    memset(s, 0, sizeof *s);
}

void ab_op_stream_rewind(ab_op_stream *s)
{
    s->pos = 0;
    s->index = 0;
    s->start = 0;
    s->len = 0;
    s->dropped = 0;
    if (s->kept)
        return; /* the one window and the state after it are kept */
    memset(s->meta, 0, s->nslots);
    for (size_t k = 0; k < s->nscopes; k++) {
        s->heads[k] = NONE;
        s->count[k] = 0;
    }
}

static inline void link_id(ab_op_stream *s, uint32_t id, unsigned scope)
{
    uint32_t h = s->heads[scope];
    s->count[scope]++;
    s->prev[id] = NONE;
    s->next[id] = h;
    if (h != NONE)
        s->prev[h] = id;
    s->heads[scope] = id;
}

static inline void unlink_id(ab_op_stream *s, uint32_t id)
{
    uint32_t p = s->prev[id], n = s->next[id];
    s->count[s->scope[id]]--;
    if (p != NONE)
        s->next[p] = n;
    else
        s->heads[s->scope[id]] = n;
    if (n != NONE)
        s->prev[n] = p;
}

/* The number of records op needs (a harness reset: one per live block of its scope too). */
static inline uint32_t needs(const ab_op_stream *s, const ab_op *op)
{
    return op->kind == AB_OP_RESET && s->use_lists ? 1 + s->count[op->scope] : 1;
}

/* Drops the trace's pages below op `upto` from this process (the page cache keeps them). */
static void drop_behind(ab_op_stream *s, uint64_t upto)
{
    if (!s->map)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t at = (size_t)((const char *)(s->ops_raw + upto) - s->map) & ~(page - 1);
    if (at > s->dropped) {
        madvise((void *)(s->map + s->dropped), at - s->dropped, MADV_DONTNEED);
        s->dropped = at;
    }
}

/* Decodes op i into the window; returns the records written. */
static inline uint32_t decode(ab_op_stream *s, const ab_op *op, uint32_t k)
{
    ab_dop *d = &s->buf[k];
    switch (op->kind) {
    case AB_OP_ALLOC: {
        const unsigned al = s->served[op->align_log2];
        const unsigned route = s->routes.alloc[AB_OP_ENTRY(op)];
        const int zero = (op->flags & AB_OPF_ZERO) && route != AB_ROUTE_CALLOC;
        const size_t check = ab_replay_check_align(route, (size_t)1 << al, op->size);
        d->code = route == AB_ROUTE_ALIGNED  ? (zero ? AB_DOP_ALLOC_ZERO : AB_DOP_ALLOC)
                  : route == AB_ROUTE_CALLOC ? AB_DOP_CALLOC
                  : zero                     ? AB_DOP_MALLOC_ZERO
                                             : AB_DOP_MALLOC;
        d->al = (uint8_t)al;
        d->scope = op->scope;
        d->aux = (uint32_t)__builtin_ctzll(check) | (uint32_t)op->align_log2 << 8;
        d->id = op->id;
        d->size = op->size;
        uint8_t meta = (uint8_t)(al | (route != AB_ROUTE_ALIGNED ? AB_DOP_PLAIN : 0));
        s->meta[op->id] = meta | LIVE;
        s->size[op->id] = op->size;
        s->scope[op->id] = op->scope;
        if (s->use_lists)
            link_id(s, op->id, op->scope);
        return 1;
    }
    case AB_OP_FREE:
        d->code = s->routes.sized_free[AB_OP_ENTRY(op)] ? AB_DOP_FREE_SIZED : AB_DOP_FREE;
        d->al = s->meta[op->id] & ~LIVE;
        d->scope = s->scope[op->id];
        d->aux = 0;
        d->id = op->id;
        d->size = s->size[op->id];
        s->meta[op->id] &= ~LIVE;
        if (s->use_lists)
            unlink_id(s, op->id);
        return 1;
    case AB_OP_REALLOC:
        d->code = AB_DOP_REALLOC;
        d->al = s->meta[op->id] & ~LIVE;
        d->scope = s->scope[op->id];
        d->aux = s->size[op->id];
        d->id = op->id;
        d->size = op->size;
        s->size[op->id] = op->size;
        return 1;
    case AB_OP_RESET: {
        d->scope = op->scope;
        d->al = 0;
        d->id = 0;
        d->size = 0;
        if (!s->use_lists) {
            d->code = AB_DOP_RESET;
            d->aux = 0;
            return 1;
        }
        d->code = AB_DOP_RESET_LIST;
        uint32_t n = 0;
        for (uint32_t id = s->heads[op->scope]; id != NONE; id = s->next[id]) {
            ab_dop *f = &s->buf[k + 1 + n];
            *f = (ab_dop){.code = AB_DOP_LIST_FREE,
                          .al = s->meta[id] & ~LIVE,
                          .scope = op->scope,
                          .id = id,
                          .size = s->size[id]};
            s->meta[id] &= ~LIVE;
            n++;
        }
        s->heads[op->scope] = NONE;
        s->count[op->scope] = 0;
        d->aux = n;
        return 1 + n;
    }
    default:
        return 0; /* marks, timestamps */
    }
}

uint64_t ab_op_stream_trace_index(const ab_op_stream *s, uint32_t k)
{
    /* the window's ops in order: each timed op made one record, a harness reset its list too */
    uint64_t i = s->first;
    for (uint32_t j = 0;; i++) {
        const ab_op *op = &s->ops_raw[i];
        if (op->kind < AB_OP_ALLOC || op->kind > AB_OP_RESET)
            continue;
        const ab_dop *d = &s->dop[j];
        j += 1 + (d->code == AB_DOP_RESET_LIST ? d->aux : 0);
        if (j > k)
            return i;
    }
}

uint32_t ab_op_stream_next(ab_op_stream *s)
{
    s->start += s->len;
    if (s->len)
        s->index++;
    if (s->kept) { /* the kept window, once per pass */
        s->first = 0;
        s->len = s->pos ? 0 : s->whole_len;
        s->ops = s->pos ? 0 : s->whole_ops;
        s->pos = s->n;
        return s->len;
    }
    s->first = s->pos;
    uint32_t k = 0, ops = 0;
    uint64_t i = s->pos, dropped = s->pos;
    while (i < s->n) {
        const ab_op *op = &s->ops_raw[i];
        if (k + needs(s, op) > s->cap || i - s->first >= UINT32_MAX)
            break;
        uint32_t w = decode(s, op, k);
        ops += w != 0;
        k += w;
        i++;
        if (i - dropped >= DROP_EVERY) {
            drop_behind(s, i);
            dropped = i;
        }
    }
    drop_behind(s, i);
    s->pos = i;
    s->len = k;
    s->ops = ops;
    if (s->first == 0 && i == s->n) { /* the whole trace in one window: kept */
        s->kept = 1;
        s->whole_len = k;
        s->whole_ops = ops;
    }
    return k;
}
