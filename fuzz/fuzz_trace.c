/* fuzz_trace.c: libFuzzer target for the trace reader (binary or text, detected by the first
 * bytes, as ab_trace_open does) and the validator: no input may crash them, leak, read out of
 * bounds or allocate beyond its size, and a valid trace must round-trip through text. */
#include "fuzz/fuzz_common.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ab_trace t;
    char err[512];
    if (ab_trace_open_memory(data, size, &t, err, sizeof err) != 0)
        return 0;
    fuzz_check_valid_trace(&t);
    ab_trace_close(&t);
    return 0;
}
