#!/usr/bin/env bash
# deps.sh: installs the Debian 12 packages alignbench needs, only those missing.
# Runs apt-get as root (directly, or through sudo when available).
set -euo pipefail
packages=(cmake make gcc g++ clang clang-format libclang-rt-14-dev pkg-config git
          libjemalloc-dev libmimalloc-dev libbenchmark-dev libjansson-dev
          gnuplot-nox libgoogle-perftools-dev libtbbmalloc2 chromium valgrind
          libbenchmark-tools python3-scipy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps.sh: installing ${missing[*]}" >&2
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
