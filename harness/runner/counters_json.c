/* counters_json.c: the counters of one run as JSON (see counters_json.h). */
#include "harness/runner/counters_json.h"

#include <math.h>
#include <stdio.h>

/* A counter's figure per 1000 ops of one replay of the trace. */
static double per_kop(const ab_counter_delta *d, int id, double ops)
{
    return d->v[id] / d->passes / ops * 1000;
}

static void put_real(json_t *o, const char *k, double v)
{
    json_object_set_new(o, k, isfinite(v) ? json_real(v) : json_null());
}

/* One pass's own figures: every available counter per 1000 ops, and its CPU times. */
static json_t *pass_json(const ab_pass_counters *pc, const ab_counter_delta *d, double ops)
{
    json_t *o = json_object();
    for (int i = 0; i < AB_CTR_COUNT; i++)
        if (!pc->ctr->why[i][0])
            put_real(o, ab_counter_defs[i].metric, per_kop(d, i, ops));
    put_real(o, "user_ms", d->utime_us / 1e3 / d->passes);
    put_real(o, "sys_ms", d->stime_us / 1e3 / d->passes);
    json_object_set_new(o, "replays", json_integer(d->passes));
    return o;
}

static int is_fault(int id)
{
    return id == AB_CTR_MINOR_FAULTS || id == AB_CTR_MAJOR_FAULTS;
}

/* The allocator's system calls: the threaded replay's own yields are not among them. */
static int is_syscall(int id)
{
    return id >= AB_CTR_SYS_FIRST && id <= AB_CTR_SYS_OTHER && id != AB_CTR_SYS_SCHED_YIELD;
}

void ab_counters_json(json_t *run, json_t *metrics, const ab_pass_counters *pc, uint64_t ops_u)
{
    if (!pc || !pc->ctr || !pc->have_batch)
        return;
    double ops = ops_u ? (double)ops_u : 1;
    const ab_counter_delta *b = &pc->batch, *f = &pc->batch_floor;
    json_t *sources = json_object(), *unavailable = json_object();
    double faults = 0, syscalls = 0;
    int faults_ok = 1, syscalls_ok = 1;
    for (int i = 0; i < AB_CTR_COUNT; i++) {
        const char *name = ab_counter_defs[i].metric;
        if (pc->ctr->why[i][0]) {
            char why[400];
            snprintf(why, sizeof why, "unavailable: %s", pc->ctr->why[i]);
            json_object_set_new(metrics, name, json_string(why));
            json_object_set_new(unavailable, name, json_string(pc->ctr->why[i]));
            faults_ok &= !is_fault(i);
            syscalls_ok &= !is_syscall(i);
            continue;
        }
        double net = per_kop(b, i, ops) - per_kop(f, i, ops);
        put_real(metrics, name, net);
        json_object_set_new(sources, name, json_string(pc->ctr->source[i]));
        faults += is_fault(i) ? net : 0;
        syscalls += is_syscall(i) ? net : 0;
    }
    if (faults_ok)
        put_real(metrics, "faults_per_kop", faults);
    if (syscalls_ok)
        put_real(metrics, "syscalls_per_kop", syscalls);
    double cpu_us = b->utime_us + b->stime_us;
    put_real(metrics, "sys_share", cpu_us > 0 ? b->stime_us / cpu_us : NAN);
    put_real(metrics, "sys_ns_per_op_net",
             (b->stime_us / b->passes - f->stime_us / f->passes) * 1e3 / ops);
    json_object_set_new(sources, "sys_share", json_string("rusage ru_stime, ru_utime"));
    json_object_set_new(sources, "sys_ns_per_op_net", json_string("rusage ru_stime"));

    json_t *o = json_object();
    json_object_set_new(o, "sources", sources);
    json_object_set_new(o, "unavailable", unavailable);
    json_object_set_new(o, "batch", pass_json(pc, b, ops));
    json_object_set_new(o, "batch_floor", pass_json(pc, f, ops));
    if (pc->have_perop) {
        json_object_set_new(o, "perop", pass_json(pc, &pc->perop, ops));
        json_object_set_new(o, "perop_floor", pass_json(pc, &pc->perop_floor, ops));
    }
    json_object_set_new(run, "counters", o);
}
