/* gbench_shim.cc: the C++ side of gbench_shim.h, over Debian's Google Benchmark 1.7.1.
 *
 * Every extern "C" entry catches C++ exceptions (C frames have no unwind tables, so one escaping
 * into the C micro-suite would terminate the runner) and checks, before the library sees them,
 * the arguments the library answers with an abort (BM_CHECK): Repetitions(0), MinTime(<=0),
 * RangeMultiplier(<=1), Range with hi < lo, Args with a different count than before, Threads(0).
 * Errors come back as ABGB_EINVAL / ABGB_EINTERNAL with a message in abgb_last_error().
 */
#include "harness/runner/gbench_shim.h"

#include <benchmark/benchmark.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

/* One registered benchmark: the library owns the Benchmark object, the shim keeps what it needs
 * to check builder calls and to call back into C. */
struct abgb_bench {
    benchmark::internal::Benchmark *bm = nullptr;
    abgb_fn fn = nullptr;
    void *user = nullptr;
    int nargs = -1; /* arguments per instance once Arg/Args/Range has been called */
};

/* started/finished mirror the library's private flags: PauseTiming, ResumeTiming and a second
 * KeepRunningBatch after the end would hit a BM_CHECK abort otherwise. */
struct abgb_state {
    benchmark::State *st;
    const abgb_bench *bench;
    bool started, finished;
};

namespace
{

thread_local char last_error[512];
std::vector<std::unique_ptr<abgb_bench>> benches;
bool ran = false;

int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

int caught(const char *where)
{
    try {
        throw;
    } catch (const std::exception &e) {
        return fail(ABGB_EINTERNAL, "%s: %s", where, e.what());
    } catch (...) {
        return fail(ABGB_EINTERNAL, "%s: unknown C++ exception", where);
    }
}

int check_bench(const abgb_bench *b, const char *where)
{
    if (!b || !b->bm)
        return fail(ABGB_EINVAL, "%s: NULL benchmark handle", where);
    return ABGB_OK;
}

int check_nargs(abgb_bench *b, int n, const char *where)
{
    if (b->nargs != -1 && b->nargs != n)
        return fail(ABGB_EINVAL, "%s: %d argument(s), but earlier calls gave %d", where, n,
                    b->nargs);
    return ABGB_OK;
}

benchmark::Counter::Flags counter_flags(unsigned f)
{
    int out = benchmark::Counter::kDefaults;
    if (f & ABGB_COUNTER_RATE)
        out |= benchmark::Counter::kIsRate;
    if (f & ABGB_COUNTER_AVG_THREADS)
        out |= benchmark::Counter::kAvgThreads;
    if (f & ABGB_COUNTER_ITER_INVARIANT)
        out |= benchmark::Counter::kIsIterationInvariant;
    if (f & ABGB_COUNTER_AVG_ITERATIONS)
        out |= benchmark::Counter::kAvgIterations;
    if (f & ABGB_COUNTER_INVERT)
        out |= benchmark::Counter::kInvert;
    return static_cast<benchmark::Counter::Flags>(out);
}

} // namespace

/* Runs a builder call after its checks, turning an exception into ABGB_EINTERNAL. */
#define ABGB_BUILD(where, call)                                                                    \
    do {                                                                                           \
        try {                                                                                      \
            call;                                                                                  \
            return ABGB_OK;                                                                        \
        } catch (...) {                                                                            \
            return caught(where);                                                                  \
        }                                                                                          \
    } while (0)

extern "C" {

const char *abgb_last_error(void)
{
    return last_error;
}

int abgb_initialize(int *argc, char **argv)
{
    if (!argc || *argc < 1 || !argv)
        return fail(ABGB_EINVAL, "abgb_initialize: argc/argv must hold at least argv[0]");
    try {
        benchmark::Initialize(argc, argv);
        if (*argc > 1) {
            std::string left;
            for (int i = 1; i < *argc; i++)
                left += std::string(i > 1 ? " " : "") + argv[i];
            fprintf(stderr, "benchmark: unrecognised or malformed argument(s): %s\n", left.c_str());
            return fail(ABGB_EINVAL, "unrecognised or malformed argument(s): %s", left.c_str());
        }
        return ABGB_OK;
    } catch (...) {
        return caught("abgb_initialize");
    }
}

int abgb_add_custom_context(const char *key, const char *value)
{
    if (!key || !*key || !value)
        return fail(ABGB_EINVAL, "abgb_add_custom_context: NULL or empty key, or NULL value");
    ABGB_BUILD("abgb_add_custom_context", benchmark::AddCustomContext(key, value));
}

abgb_bench *abgb_register(const char *name, abgb_fn fn, void *user)
{
    if (!name || !*name || !fn) {
        fail(ABGB_EINVAL, "abgb_register: %s", !fn ? "NULL function" : "NULL or empty name");
        return nullptr;
    }
    try {
        auto b = std::make_unique<abgb_bench>();
        abgb_bench *raw = b.get();
        raw->fn = fn;
        raw->user = user;
        raw->bm = benchmark::RegisterBenchmark(name, [raw](benchmark::State &st) {
            abgb_state s{&st, raw, false, false};
            raw->fn(&s, raw->user);
            /* Returning before the loop ended is a BM_CHECK abort in the library. */
            if (!st.error_occurred() && !s.finished)
                st.SkipWithError("the benchmark function returned before its loop ended");
        });
        benches.push_back(std::move(b));
        return raw;
    } catch (...) {
        caught("abgb_register");
        return nullptr;
    }
}

int abgb_arg(abgb_bench *b, int64_t x)
{
    if (check_bench(b, "abgb_arg") || check_nargs(b, 1, "abgb_arg"))
        return ABGB_EINVAL;
    ABGB_BUILD("abgb_arg", (b->bm->Arg(x), b->nargs = 1));
}

int abgb_args(abgb_bench *b, const int64_t *xs, int n)
{
    if (check_bench(b, "abgb_args"))
        return ABGB_EINVAL;
    if (!xs || n < 1)
        return fail(ABGB_EINVAL, "abgb_args: need at least one argument");
    if (check_nargs(b, n, "abgb_args"))
        return ABGB_EINVAL;
    ABGB_BUILD("abgb_args", (b->bm->Args(std::vector<int64_t>(xs, xs + n)), b->nargs = n));
}

int abgb_range_multiplier(abgb_bench *b, int multiplier)
{
    if (check_bench(b, "abgb_range_multiplier"))
        return ABGB_EINVAL;
    if (multiplier <= 1)
        return fail(ABGB_EINVAL, "abgb_range_multiplier: %d, must be > 1", multiplier);
    ABGB_BUILD("abgb_range_multiplier", b->bm->RangeMultiplier(multiplier));
}

int abgb_range_args(abgb_bench *b, int64_t lo, int64_t hi)
{
    if (check_bench(b, "abgb_range_args") || check_nargs(b, 1, "abgb_range_args"))
        return ABGB_EINVAL;
    if (lo < 0 || hi < lo)
        return fail(ABGB_EINVAL, "abgb_range_args: [%lld, %lld], need 0 <= lo <= hi", (long long)lo,
                    (long long)hi);
    ABGB_BUILD("abgb_range_args", (b->bm->Range(lo, hi), b->nargs = 1));
}

int abgb_repetitions(abgb_bench *b, int n)
{
    if (check_bench(b, "abgb_repetitions"))
        return ABGB_EINVAL;
    if (n <= 0)
        return fail(ABGB_EINVAL, "abgb_repetitions: %d, must be > 0", n);
    ABGB_BUILD("abgb_repetitions", b->bm->Repetitions(n));
}

int abgb_threads(abgb_bench *b, int n)
{
    if (check_bench(b, "abgb_threads"))
        return ABGB_EINVAL;
    if (n <= 0)
        return fail(ABGB_EINVAL, "abgb_threads: %d, must be > 0", n);
    ABGB_BUILD("abgb_threads", b->bm->Threads(n));
}

int abgb_use_real_time(abgb_bench *b)
{
    if (check_bench(b, "abgb_use_real_time"))
        return ABGB_EINVAL;
    ABGB_BUILD("abgb_use_real_time", b->bm->UseRealTime());
}

int abgb_min_time(abgb_bench *b, double seconds)
{
    if (check_bench(b, "abgb_min_time"))
        return ABGB_EINVAL;
    if (!(seconds > 0.0)) /* also rejects NaN */
        return fail(ABGB_EINVAL, "abgb_min_time: %g s, must be > 0", seconds);
    ABGB_BUILD("abgb_min_time", b->bm->MinTime(seconds));
}

int abgb_unit(abgb_bench *b, enum abgb_unit unit)
{
    static const benchmark::TimeUnit units[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                                benchmark::kMillisecond, benchmark::kSecond};
    if (check_bench(b, "abgb_unit"))
        return ABGB_EINVAL;
    if ((unsigned)unit >= sizeof units / sizeof units[0])
        return fail(ABGB_EINVAL, "abgb_unit: unknown unit %d", (int)unit);
    ABGB_BUILD("abgb_unit", b->bm->Unit(units[unit]));
}

int abgb_run(void)
{
    if (ran)
        return fail(ABGB_EINVAL, "abgb_run: may be called once per process");
    ran = true;
    try {
        size_t n = benchmark::RunSpecifiedBenchmarks();
        return n > (size_t)INT32_MAX ? INT32_MAX : (int)n;
    } catch (...) {
        return caught("abgb_run");
    }
}

int abgb_keep_running_batch(abgb_state *s, int64_t n)
{
    if (__builtin_expect(s->finished, 0))
        return 0;
    if (__builtin_expect(n <= 0, 0)) {
        abgb_skip_with_error(s, "abgb_keep_running_batch: batch size must be > 0");
        n = 1;
    }
    try {
        s->started = true;
        if (__builtin_expect(s->st->KeepRunningBatch(n), 1))
            return 1;
        s->finished = true;
        return 0;
    } catch (...) {
        caught("abgb_keep_running_batch");
        return 0;
    }
}

int64_t abgb_max_iterations(const abgb_state *s)
{
    return s->st->max_iterations;
}

int64_t abgb_iterations(const abgb_state *s)
{
    return s->st->iterations();
}

int64_t abgb_range(abgb_state *s, int i)
{
    if (i < 0 || i >= s->bench->nargs) {
        char msg[128];
        snprintf(msg, sizeof msg, "abgb_range(%d): this benchmark has %d argument(s)", i,
                 s->bench->nargs < 0 ? 0 : s->bench->nargs);
        abgb_skip_with_error(s, msg);
        return 0;
    }
    return s->st->range((size_t)i);
}

int abgb_thread_index(const abgb_state *s)
{
    return s->st->thread_index();
}

void abgb_set_items_processed(abgb_state *s, int64_t items)
{
    try {
        s->st->SetItemsProcessed(items);
    } catch (...) {
        caught("abgb_set_items_processed");
    }
}

void abgb_set_bytes_processed(abgb_state *s, int64_t bytes)
{
    try {
        s->st->SetBytesProcessed(bytes);
    } catch (...) {
        caught("abgb_set_bytes_processed");
    }
}

int abgb_counter_set(abgb_state *s, const char *name, double value, unsigned flags)
{
    if (!name || !*name)
        return fail(ABGB_EINVAL, "abgb_counter_set: NULL or empty counter name");
    try {
        benchmark::Counter::OneK k = (flags & ABGB_COUNTER_BASE_1024) ? benchmark::Counter::kIs1024
                                                                      : benchmark::Counter::kIs1000;
        s->st->counters[name] = benchmark::Counter(value, counter_flags(flags), k);
        return ABGB_OK;
    } catch (...) {
        return caught("abgb_counter_set");
    }
}

void abgb_skip_with_error(abgb_state *s, const char *msg)
{
    try {
        s->st->SkipWithError(msg ? msg : "(no message)");
    } catch (...) {
        caught("abgb_skip_with_error");
    }
}

int abgb_error_occurred(const abgb_state *s)
{
    return s->st->error_occurred();
}

void abgb_set_label(abgb_state *s, const char *label)
{
    try {
        s->st->SetLabel(label ? label : "");
    } catch (...) {
        caught("abgb_set_label");
    }
}

/* The library aborts on a pause or resume outside the loop or after an error. */
static int check_timing(const abgb_state *s, const char *where)
{
    if (!s->started || s->finished || s->st->error_occurred())
        return fail(ABGB_EINVAL, "%s: only inside the running loop", where);
    return ABGB_OK;
}

int abgb_pause_timing(abgb_state *s)
{
    if (check_timing(s, "abgb_pause_timing"))
        return ABGB_EINVAL;
    ABGB_BUILD("abgb_pause_timing", s->st->PauseTiming());
}

int abgb_resume_timing(abgb_state *s)
{
    if (check_timing(s, "abgb_resume_timing"))
        return ABGB_EINVAL;
    ABGB_BUILD("abgb_resume_timing", s->st->ResumeTiming());
}

} /* extern "C" */
