/* fuzz_trace_text.c: libFuzzer target for the text parser alone (every input is parsed as
 * text, whatever its first line), then the validator and the text round trip. */
#include "fuzz/fuzz_common.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ab_trace t;
    char err[512];
    if (ab_trace_parse_text((const char *)data, size, &t, err, sizeof err) != 0)
        return 0;
    fuzz_check_valid_trace(&t);
    ab_trace_close(&t);
    return 0;
}
