/* bad_table_plugin.c: a "plug-in" whose native table (alignbench_plugin.h) has a version no
 * alignbench knows, for the test that the runner refuses it by name instead of reading a table
 * laid out differently. It replaces nothing: the refusal comes before malloc is checked. */
#include "allocators/alignbench_plugin.h"

const struct alignbench_plugin_v1 alignbench_plugin_v1 = {
    .version = 99,
    .size = sizeof(struct alignbench_plugin_v1),
};
