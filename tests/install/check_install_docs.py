#!/usr/bin/env python3
"""check_install_docs.py SOURCE_DIR BUILD_DIR: docs/install.md says what is true.

- Its package table lists, for `run` and `test`, exactly the packages scripts/deps.sh installs.
- Its table of installed files covers every file `cmake --install BUILD_DIR` puts under a
  prefix, and every path it names is installed (a row's first `path`: a file, a glob, or a folder
  ending in /; more `names` in the same cell are files next to the first)."""
import fnmatch
import os
import re
import subprocess
import sys
import tempfile

src, build = sys.argv[1], sys.argv[2]
doc = open(os.path.join(src, "docs/install.md"), encoding="utf-8").read()
deps = open(os.path.join(src, "scripts/deps.sh"), encoding="utf-8").read()
problems = []


def deps_list(name):
    m = re.search(name + r"=\(([^)]*)\)", deps)
    return m.group(1).split() if m else []


run_pkgs, test_pkgs = deps_list("run_packages"), deps_list("test_packages")
if not run_pkgs or not test_pkgs:
    problems.append("cannot read run_packages/test_packages in scripts/deps.sh")
for row, want in (("run", run_pkgs), ("test", run_pkgs + test_pkgs)):
    m = re.search(r"^\| `" + row + r"` \| ([^|]*) \|", doc, re.M)
    if not m:
        problems.append(f"no `{row}` row in the package table")
        continue
    listed = m.group(1).replace("`run`'s, plus", " ".join(run_pkgs)).replace("`", "").split()
    if sorted(listed) != sorted(want):
        problems.append(f"`{row}` row: missing {sorted(set(want) - set(listed))}, "
                        f"extra {sorted(set(listed) - set(want))}")

with tempfile.TemporaryDirectory() as prefix:
    subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True,
                   stdout=subprocess.DEVNULL)
    installed = sorted(os.path.relpath(os.path.join(r, f), prefix)
                       for r, _, fs in os.walk(prefix) for f in fs)
section = doc[doc.index("## What is installed"):]
patterns = []
for line in section.splitlines():
    if not line.startswith("| `"):
        continue
    cell = line.split("|")[1]
    names = re.findall(r"`([^`]+)`", cell)
    first = names[0]
    patterns.append(first)
    patterns += [os.path.join(os.path.dirname(first), n) for n in names[1:] if "/" not in n]


def covers(pattern, path):
    return path.startswith(pattern) if pattern.endswith("/") else fnmatch.fnmatch(path, pattern)


for path in installed:
    if not any(covers(p, path) for p in patterns):
        problems.append(f"installed but not in the table: {path}")
for p in patterns:
    if not any(covers(p, path) for path in installed):
        problems.append(f"in the table but not installed: {p}")
for p in problems:
    print("install.docs: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"install.docs: {len(installed)} installed files covered by {len(patterns)} table paths; "
      f"package rows match scripts/deps.sh ({len(run_pkgs)} + {len(test_pkgs)} packages)")
