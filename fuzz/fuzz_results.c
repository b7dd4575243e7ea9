/* fuzz_results.c: libFuzzer target for the readers of a results file: `compare`'s loader
 * (ab_cmp_load: results.json or Google Benchmark JSON) and `plot`'s (ab_rv_load, the
 * results_view queries and the chart data writer, for one run and for a run against itself).
 *
 * Both readers take a path, so each input is written to RUN/results.json in a private temporary
 * folder (under /dev/shm when it exists, so the disk is not worn). Any input must end in a
 * clean load or a clean error message: a crash, a leak or undefined behaviour is a finding.
 */
#include "harness/report/chart_data.h"
#include "harness/analysis/compare_data.h"
#include "harness/report/results_view.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char run_dir[256];
static char results_path[300];
static char charts_dir[300];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* The temporary folder goes when the fuzzer exits (libFuzzer ends through exit()). */
static void remove_dirs(void)
{
    nftw(run_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void make_dirs(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(run_dir, sizeof run_dir, "%s/fuzz_results.XXXXXX", base);
    if (!mkdtemp(run_dir)) {
        perror("fuzz_results: mkdtemp");
        abort();
    }
    snprintf(results_path, sizeof results_path, "%s/results.json", run_dir);
    snprintf(charts_dir, sizeof charts_dir, "%s/charts", run_dir);
    if (mkdir(charts_dir, 0700) != 0) {
        perror("fuzz_results: mkdir");
        abort();
    }
    atexit(remove_dirs);
}

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(results_path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz_results: writing the input");
        abort();
    }
}

static void fuzz_compare_loader(void)
{
    ab_cmp_side side;
    char err[512];
    if (ab_cmp_load(run_dir, &side, err, sizeof err) != 0)
        return;
    /* Every cell must be findable by its own key (the comparison pairs cells this way). */
    for (size_t i = 0; i < side.ncells; i++)
        if (ab_cmp_find_cell(&side, side.cells[i].key) == NULL)
            abort();
    ab_cmp_free(&side);
}

static void fuzz_plot_reader(void)
{
    char err[512];
    json_t *res = ab_rv_load(run_dir, err, sizeof err);
    if (!res)
        return;
    ab_names allocs = {0}, workloads = {0};
    if (ab_rv_allocators(res, &allocs) == 0 && ab_rv_workloads(res, &workloads) == 0) {
        for (size_t a = 0; a < allocs.n; a++)
            for (size_t w = 0; w < workloads.n; w++) {
                double median;
                (void)ab_rv_median(res, allocs.v[a], workloads.v[w], "ns_per_op", &median);
            }
    }
    ab_names_free(&allocs);
    ab_names_free(&workloads);
    char corner[256];
    ab_chart_corner(res, corner, sizeof corner);
    ab_chart_list list = {0};
    (void)ab_chart_data_write(res, charts_dir, &list, err, sizeof err);
    ab_chart_list_free(&list);
    ab_chart_list compare_list = {0};
    (void)ab_chart_data_write_compare(res, res, charts_dir, &compare_list, err, sizeof err);
    ab_chart_list_free(&compare_list);
    json_decref(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!run_dir[0])
        make_dirs();
    write_input(data, size);
    fuzz_compare_loader();
    fuzz_plot_reader();
    return 0;
}
