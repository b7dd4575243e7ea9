/* test_explain_kernel.c: the `why:` sentence of a kernel-bound cell (report/explain.c), from a
 * hand-built results document: the counters and the price of what they count, and the case
 * where the prices measured before the runs put the kernel's cost above the cell's whole net
 * time (the host's price of a fault moved): the sentence must say so, never "61 ns of its 53". */
#include "harness/report/explain.h"
#include "tests/check.h"

#include <string.h>

static json_t *stat(double median)
{
    return json_pack("{s:f}", "median", median);
}

static json_t *doc_with_fault_price(double fault_ns)
{
    return json_pack("{s:{s:{s:f, s:f, s:f}}}", "context", "machine_costs", "fault_ns", fault_ns,
                     "madvise_ns", 3000.0, "mmap_munmap_ns", 4000.0);
}

int main(void)
{
    /* 14.7 faults and 1.19 madvise per 1000 ops, 53 ns/op net, 63 % in the kernel */
    json_t *cell =
        json_pack("{s:s, s:s, s:{s:o, s:o, s:o, s:o, s:o, s:o}}", "allocator", "jemalloc",
                  "workload", "rpc", "metrics", "ns_per_op_net", stat(53), "faults_per_kop",
                  stat(14.7), "sys_madvise_per_kop", stat(1.19), "syscalls_per_kop", stat(1.19),
                  "sys_ns_per_op_net", stat(30), "sys_share", stat(0.63));
    char buf[512];

    /* 2.4 us a fault: 14.7 x 2.4 + 1.19 x 3 = 38.9 ns of 53 */
    json_t *doc = doc_with_fault_price(2400);
    CHECK(ab_explain_kernel(doc, cell, buf, sizeof buf) == 1, "a kernel-bound cell is explained");
    CHECK(strstr(buf, "jemalloc/rpc: 14.7 page faults and 1.19 madvise per 1000 ops") != NULL,
          "counts named: %s", buf);
    CHECK(strstr(buf, "~39 ns of its 53 ns/op net at this machine's prices") != NULL,
          "priced share of the net: %s", buf);
    CHECK(strstr(buf, "63 % of its CPU time in the kernel") != NULL, "kernel share: %s", buf);
    json_decref(doc);

    /* 3.73 us a fault: 14.7 x 3.73 + 3.6 = 58.4 ns, above the 53 ns net */
    doc = doc_with_fault_price(3730);
    CHECK(ab_explain_kernel(doc, cell, buf, sizeof buf) == 1, "still explained");
    CHECK(strstr(buf, "of its 53 ns/op net at this machine's prices") == NULL,
          "no priced share above the whole: %s", buf);
    CHECK(strstr(buf, "~58 ns at the prices measured before the runs, above its 53 ns/op net") !=
              NULL,
          "says the prices moved: %s", buf);
    json_decref(doc);
    json_decref(cell);
    CHECK_DONE("report_explain_kernel");
}
