/* gen_rpc.c: the `rpc` generator: a MIDL server stub's allocations, call after call.
 *
 * Each call is bracketed by mark(call, slot) ... reset(slot): scope = the call's slot (calls
 * rotate over RPC_SLOTS slots, as a server's dispatch slots would), and every block the call
 * allocates is freed inside the call, so every block lives exactly one call (as MIDL stubs do). All
 * blocks are 8-byte aligned (midl_user_allocate's guarantee), allocated through the plain entry
 * (entry point MALLOC, CALLOC for zeroed [out] buffers) and freed with FREE. A call has 1 to 3
 * parameters, each of one of the shapes in docs/workloads.md with its sizes; the mix weights and
 * the counts (N, K, string and data lengths, parameters per call), which the sources do not give,
 * are this generator's choice and are listed in the help text below.
 *
 * Order of allocations and frees, as NDR does them:
 * - unmarshalling allocates a struct, then its embedded pointees in member order, so a list is
 *   node1, data1, node2, data2 ... and a tree is allocated in pre-order;
 * - parameters are unmarshalled in order, and freed in order once the reply is marshalled;
 * - after the server routine returns the stub frees with NdrPointerFree, which frees a struct's
 *   embedded pointees first (recursively) and the struct last: a list goes data1 ... dataN,
 *   nodeN ... node1, a tree in post-order, a server-built [out] list tail first, head last.
 * The variants `single` ([allocate(single_node)], the default) and `all` ([allocate(all_nodes)]:
 * one block of Σ(24 + data) per list, 24N per tree) draw the same random numbers, so the two
 * traces of one seed describe the same calls. The server-built list is allocated node by node in
 * both (the server routine calls midl_user_allocate itself).
 *
 * Threads (--threads N): a server with N worker threads; call i runs on worker i mod N (so with
 * N dividing 8 a slot always belongs to one worker). A quarter of the calls (RPC_HANDOFF_PCT)
 * run their server routine on the next worker, which allocates the call's [out] data (the read
 * buffer and the server-built list) in the call's scope - the workers of one call share its
 * arena, through the thread handle with rpcss - and the stub on the call's worker frees them:
 * remote frees. Which calls do is drawn from a stream of its own, so every N gives the same
 * calls and sizes, op for op; only the thread of each op differs.
 */
#include "workloads/gen_common.h"
#include "workloads/gen_rng.h"

#include <stdio.h>
#include <string.h>

#define RPC_SLOTS 8
#define RPC_CALLS_AT_SCALE_1 100000 /* ~3.1 M ops with single nodes */
#define RPC_ALIGN_LOG2 3            /* 8 bytes */
#define RPC_NODE 24                 /* a list or tree node under NDR20 on x64 */
#define RPC_MAX_PARAMS 3
#define RPC_MAX_BLOCKS (64 * RPC_MAX_PARAMS) /* a list param has at most 64 blocks */
#define RPC_HANDOFF_PCT 25 /* threaded: calls whose [out] data another worker makes */

enum rpc_shape {
    SHAPE_NO_ALLOC,    /* [in,string] wchar_t* plus [out] handle: points into the buffer */
    SHAPE_STRING,      /* [in,size_is(n),string] char*: 1 x n */
    SHAPE_ARRAY,       /* [in,out,size_is(size),length_is(*len)] long*: 1 x 4*size */
    SHAPE_READ_BUFFER, /* [out,size_is(n)] byte*: 1 x n zeroed, 4-64 KiB */
    SHAPE_LIST,        /* linked list of N {long; [size_is] char *data; next} */
    SHAPE_TREE,        /* tree of N {short; left; right} */
    SHAPE_SERVER_LIST, /* [out] list built by the server routine */
    SHAPE_COUNT
};

/* Mix weights, in percent of parameters. */
static const unsigned shape_weight[SHAPE_COUNT] = {20, 20, 15, 10, 15, 10, 10};

typedef struct rpc_call {
    ab_trace_writer *w;
    uint16_t slot;
    int all_nodes;
    uint16_t thread;     /* the call's worker: marks, stub allocations, every free, the reset */
    uint16_t out_thread; /* the worker that allocates the [out] data (the same, or the next) */
    uint32_t ids[RPC_MAX_BLOCKS]; /* in the order the stub frees them */
    unsigned n;
} rpc_call;

/* midl_user_allocate asks for no alignment (MALLOC); a zeroed block is a calloc (CALLOC). */
static uint32_t rpc_alloc(uint32_t size, uint16_t flags, const rpc_call *c, uint16_t thread)
{
    unsigned entry = (flags & AB_OPF_ZERO) ? AB_ENTRY_CALLOC : AB_ENTRY_MALLOC;
    return ab_tw_alloc(c->w, size, RPC_ALIGN_LOG2, c->slot, thread,
                       (uint16_t)(flags | AB_OPF_ENTRY(entry)));
}

/* A tree of n nodes: allocated in pre-order, freed in post-order (appended to c->ids). */
static void tree(rpc_call *c, ab_rng *r, unsigned n)
{
    if (n == 0)
        return;
    uint32_t id = rpc_alloc(RPC_NODE, 0, c, c->thread);
    unsigned left = (unsigned)ab_rng_range(r, 0, n - 1);
    tree(c, r, left);
    tree(c, r, n - 1 - left);
    c->ids[c->n++] = id;
}

/* One parameter: its blocks are allocated now and appended to c->ids in the order they are
 * to be freed. */
static void one_param(rpc_call *c, ab_rng *r)
{
    unsigned pick = (unsigned)ab_rng_range(r, 0, 99), shape = 0;
    while (pick >= shape_weight[shape])
        pick -= shape_weight[shape++];
    switch ((enum rpc_shape)shape) {
    case SHAPE_NO_ALLOC:
        break;
    case SHAPE_STRING:
        c->ids[c->n++] = rpc_alloc((uint32_t)ab_rng_log_range(r, 16, 512), 0, c, c->thread);
        break;
    case SHAPE_ARRAY:
        c->ids[c->n++] = rpc_alloc(4 * (uint32_t)ab_rng_range(r, 192, 320), 0, c, c->thread);
        break;
    case SHAPE_READ_BUFFER:
        c->ids[c->n++] =
            rpc_alloc((uint32_t)ab_rng_log_range(r, 4096, 65536), AB_OPF_ZERO, c, c->out_thread);
        break;
    case SHAPE_LIST: {
        unsigned n = (unsigned)ab_rng_range(r, 1, 32);
        uint32_t data[32], total = 0;
        for (unsigned i = 0; i < n; i++) {
            data[i] = (uint32_t)ab_rng_range(r, 8, 64);
            total += RPC_NODE + data[i];
        }
        if (c->all_nodes) {
            c->ids[c->n++] = rpc_alloc(total, 0, c, c->thread);
            break;
        }
        uint32_t nodes[32];
        for (unsigned i = 0; i < n; i++) {
            nodes[i] = rpc_alloc(RPC_NODE, 0, c, c->thread);
            c->ids[c->n++] = rpc_alloc(data[i], 0, c, c->thread); /* data1..dataN freed first */
        }
        for (unsigned i = n; i-- > 0;)
            c->ids[c->n++] = nodes[i]; /* then nodeN..node1 */
        break;
    }
    case SHAPE_TREE: {
        unsigned n = (unsigned)ab_rng_range(r, 1, 63);
        uint64_t shape_seed = ab_rng_next(r); /* the same draws in both variants */
        if (c->all_nodes) {
            c->ids[c->n++] = rpc_alloc(RPC_NODE * n, 0, c, c->thread);
        } else {
            ab_rng tr;
            ab_rng_seed(&tr, shape_seed);
            tree(c, &tr, n);
        }
        break;
    }
    case SHAPE_SERVER_LIST: {
        unsigned k = (unsigned)ab_rng_range(r, 1, 16);
        uint32_t head = rpc_alloc(RPC_NODE, AB_OPF_ZERO, c, c->out_thread), nodes[16];
        for (unsigned i = 0; i < k; i++)
            nodes[i] = rpc_alloc(RPC_NODE + (uint32_t)ab_rng_range(r, 8, 64), 0, c, c->out_thread);
        for (unsigned i = k; i-- > 0;)
            c->ids[c->n++] = nodes[i];
        c->ids[c->n++] = head;
        break;
    }
    case SHAPE_COUNT:
        break;
    }
}

/* One call: 1 (60 %), 2 (30 %) or 3 (10 %) parameters, unmarshalled in order; after the server
 * routine returns the stub frees them in parameter order. */
static void one_call(rpc_call *c, ab_rng *r)
{
    unsigned u = (unsigned)ab_rng_range(r, 0, 9), params = u < 6 ? 1 : u < 9 ? 2 : 3;
    c->n = 0;
    for (unsigned i = 0; i < params; i++)
        one_param(c, r);
    for (unsigned i = 0; i < c->n; i++)
        ab_tw_free_as(c->w, c->ids[i], c->thread, AB_ENTRY_FREE); /* midl_user_free */
}

static const char *const rpc_variants[] = {"single", "all", NULL};

static int rpc_generate(const ab_gen_params *p, const char *out_path, char *err, size_t errlen)
{
    if (ab_gen_check("rpc", p, rpc_variants, err, errlen))
        return -1;
    int all_nodes = p->variant && !strcmp(p->variant, "all");
    uint64_t calls = ab_gen_scaled(p, RPC_CALLS_AT_SCALE_1, 1);
    char extra[96];
    snprintf(extra, sizeof extra, "nodes=%s calls=%llu", all_nodes ? "all" : "single",
             (unsigned long long)calls);
    ab_trace_writer *w = ab_gen_open("rpc", p, extra, out_path, err, errlen);
    if (!w)
        return -1;
    ab_rng r, tr;
    ab_rng_seed(&r, p->seed);
    ab_gen_thread_rng(p, &tr);
    rpc_call c = {.w = w, .all_nodes = all_nodes};
    for (uint64_t i = 0; i < calls; i++) {
        c.slot = (uint16_t)(i % RPC_SLOTS);
        c.thread = (uint16_t)(i % p->threads);
        c.out_thread = c.thread;
        if (p->threads > 1 && ab_rng_range(&tr, 0, 99) < RPC_HANDOFF_PCT)
            c.out_thread = (uint16_t)((c.thread + 1) % p->threads);
        ab_tw_mark(w, AB_MARK_CALL, c.slot, c.thread);
        one_call(&c, &r);
        ab_tw_reset(w, c.slot, c.thread);
    }
    return ab_tw_close(w, err, errlen);
}

const ab_generator ab_gen_rpc = {
    .name = "rpc",
    .summary = "MIDL server stub allocations: strings, arrays, [out] buffers, lists, trees",
    .help =
        "rpc: the allocations of a MIDL server stub (docs/workloads.md), one call after another.\n"
        "Each call is mark(call, slot) ... reset(slot), slot = call number mod 8 (the scope); "
        "every\n"
        "block is freed inside its call; every block is 8-byte aligned. A call has 1 (60%), 2 "
        "(30%)\n"
        "or 3 (10%) parameters, unmarshalled in order and freed in order after the call.\n"
        "Parameter mix (percent; the weights and counts are this generator's choice):\n"
        "  20  [in,string] wchar_t* + [out] handle: no allocation (points into the buffer)\n"
        "  20  [in,size_is(n),string] char*: 1 x n, n log-uniform 16..512\n"
        "  15  [in,out,size_is(size)] long*: 1 x 4*size, size 192..320 (about 1 KiB)\n"
        "  10  [out,size_is(n)] byte* read buffer: 1 x n zeroed, n log-uniform 4..64 KiB\n"
        "  15  linked list of N = 1..32 nodes: N x 24 + N x data (8..64), or 1 x sum(24 + data)\n"
        "  10  tree of N = 1..63 nodes: N x 24 (pre-order), or 1 x 24N\n"
        "  10  [out] list built by the server: 1 x 24 zeroed + K = 1..16 x (24 + data 8..64)\n"
        "Frees follow NdrPointerFree: embedded pointees first, the struct last (lists: data1..N,\n"
        "then nodeN..node1; trees in post-order; server lists tail first, head last).\n"
        "Knobs: --seed S; --scale X (100000 calls at 1.0, about 3.1 M ops with single nodes);\n"
        "--nodes single|all ([allocate(single_node)], the default, or [allocate(all_nodes)]; the\n"
        "two variants of one seed describe the same calls); --threads N (1..64): N workers, call\n"
        "i on worker i mod N; 25% of calls have the next worker allocate their [out] data (read\n"
        "buffer, server-built list) in the call's scope, freed by the call's worker (remote\n"
        "frees); the same calls and sizes for every N.\n",
    .generate = rpc_generate,
};
