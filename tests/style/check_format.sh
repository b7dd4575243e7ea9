#!/usr/bin/env bash
# check_format.sh SOURCE_DIR: every tracked C, C++ and header file is formatted as the root
# .clang-format says (clang-format --dry-run -Werror); lists the files that are not.
set -u
cd "$1" || exit 2
command -v clang-format >/dev/null || { echo "SKIPPED: clang-format is not installed"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "SKIPPED: not a git checkout"; exit 77; }
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cc')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  printf 'not clang-formatted (run clang-format -i): %s\n' "${bad[@]}"
  exit 1
fi
echo "${#files[@]} files clang-formatted"
