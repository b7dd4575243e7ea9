#!/usr/bin/env bash
# plugin_sdk.sh BUILD_DIR SOURCE_DIR: the plug-in SDK from an installed prefix, as an allocator
# author meets it. Installs BUILD_DIR into a temporary prefix, then, outside the source tree,
# builds tests/install/sdk_plugin/ (a small plug-in with the native table) twice: with the
# compiler and `pkg-config --cflags alignbench-plugin`, and as a CMake project with
# find_package(alignbench). Each plug-in is then run by the installed alignbench: `list` names its
# native table, `check` passes the conformance suite, and a tiny `run` completes. In a sanitizer
# build nothing can be preloaded: the builds are checked, the runs are skipped (77).
set -euo pipefail
build=$1 src=$2
. "$(dirname "$0")/../lib.sh"
tmp=$dir

p=$tmp/prefix
cmake --install "$build" --prefix "$p" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2
  die "cmake --install failed"
}
hdr=$p/include/alignbench/alignbench_plugin.h
[ -f "$hdr" ] || die "not installed: include/alignbench/alignbench_plugin.h"
cmp -s "$hdr" "$src/allocators/alignbench_plugin.h" || die "the installed header differs"
grep -q 'copy it' "$hdr" && die "the installed header still says to copy it"
pc=$(find "$p" -name alignbench-plugin.pc)
cfg=$(find "$p" -name alignbenchConfig.cmake)
[ -n "$pc" ] && [ -n "$cfg" ] && [ -f "$(dirname "$cfg")/alignbenchConfigVersion.cmake" ] ||
  die "pc file or CMake package files missing (pc: '$pc', config: '$cfg')"
echo "install.plugin_sdk: installed ${pc#"$p"/} and ${cfg#"$p"/}"

# An author's tree: a copy of the plug-in's sources, nowhere near alignbench's.
mkdir "$tmp/author"
cp "$src/tests/install/sdk_plugin/sdk_plugin.c" "$src/tests/install/sdk_plugin/CMakeLists.txt" \
  "$tmp/author/"
cd "$tmp/author"

# 1. pkg-config: the flags point into the prefix, and they are all a compile needs.
export PKG_CONFIG_PATH=$(dirname "$pc")
cflags=$(pkg-config --cflags alignbench-plugin) || die "pkg-config --cflags alignbench-plugin failed"
cflags=${cflags% } # pkg-config ends it with a space
[ "$(cd "${cflags#-I}" && pwd -P)" = "$(cd "$p/include" && pwd -P)" ] ||
  die "pkg-config gives '$cflags', not the prefix's include folder"
[ "$(pkg-config --variable=alignbench alignbench-plugin)" -ef "$p/bin/alignbench" ] ||
  die "pkg-config's alignbench variable is not the installed alignbench"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $cflags sdk_plugin.c -o libsdk_pc.so \
  2>"$tmp/cc.log" || {
  cat "$tmp/cc.log" >&2
  die "the plug-in does not build with pkg-config's flags"
}
echo "install.plugin_sdk: built with pkg-config ($cflags)"

# 2. CMake: find_package(alignbench) from the prefix, the alignbench::plugin target.
cmake -S . -B cm -DCMAKE_PREFIX_PATH="$p" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" \
  >"$tmp/cmake.log" 2>&1 && cmake --build cm >>"$tmp/cmake.log" 2>&1 || {
  cat "$tmp/cmake.log" >&2
  die "the plug-in does not build with find_package(alignbench)"
}
grep -q "^alignbench_VERSION=$(pkg-config --modversion alignbench-plugin)\$" cm/found.txt ||
  die "find_package's version differs from pkg-config's: $(cat cm/found.txt)"
exe=$(sed -n 's/^alignbench_EXECUTABLE=//p' cm/found.txt)
[ "$exe" -ef "$p/bin/alignbench" ] || die "alignbench_EXECUTABLE is '$exe'"
sed 's/find_package(alignbench 0.1 REQUIRED)/find_package(alignbench 9.0 REQUIRED)/' \
  CMakeLists.txt >v9.txt && mkdir v9 && mv v9.txt v9/CMakeLists.txt && cp sdk_plugin.c v9/
grep -q 'alignbench 9.0' v9/CMakeLists.txt && ! cmake -S v9 -B v9/b -DCMAKE_PREFIX_PATH="$p" \
  >/dev/null 2>&1 || die "find_package(alignbench 9.0) was not refused (ConfigVersion)"
echo "install.plugin_sdk: built with find_package(alignbench) $(pkg-config --modversion alignbench-plugin)"

if [ "${AB_SANITIZED_BUILD:-0}" = 1 ]; then
  echo "install.plugin_sdk: SKIPPED the runs: a sanitizer build cannot preload a plug-in"
  exit 77
fi

# 3. Both plug-ins, run by the installed alignbench.
ab=$p/bin/alignbench
for lib in "$tmp/author/libsdk_pc.so" "$tmp/author/cm/libsdk_plugin.so"; do
  "$ab" list --alloc "sdk=$lib" >list.log 2>&1 || {
    cat list.log >&2
    die "list --alloc sdk=$lib failed"
  }
  grep -Eq '^sdk +yes .*native table v1: aligned via sdk_aligned_alloc/sdk_aligned_free' list.log || {
    cat list.log >&2
    die "list does not show $lib's native table"
  }
  "$ab" check --alloc "sdk=$lib" >check.log 2>&1 || {
    cat check.log >&2
    die "check --alloc sdk=$lib failed"
  }
  rm -rf out
  "$ab" run --alloc "sdk=$lib" --workload simd --scale 0.02 --reps 1 --no-plots --quiet \
    --out out --run-id r >run.log 2>&1 || {
    cat run.log >&2
    die "run --alloc sdk=$lib failed"
  }
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["complete"] and
    [x["status"] for x in r["runs"] if x["allocator"] == "sdk"] == ["ok"]))' out/r/results.json ||
    die "the run of $lib is not one complete ok run"
  echo "install.plugin_sdk: ${lib#"$tmp"/}: list (native table), check and run ok"
done
