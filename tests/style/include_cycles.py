#!/usr/bin/env python3
"""include_cycles.py SOURCE_DIR DIR...: fails when the modules under the DIRs (paths relative to
SOURCE_DIR, e.g. harness) include each other in a cycle.

A module is a .c file with its .h (harness/report/fleet_report.c and fleet_report.h are one node). A header with
no .c of its own (replay_touch.h, conformance_checks.h) is a private part of the files that include
it, so its includes count as theirs. Module A depends on B when A includes B's header by its tree
path ("harness/..."). The layers of harness/ (docs/architecture.md) only hold while this graph has
no cycle: two modules that need each other are one concern split in two, or a shared piece that
wants a file of its own (as html_page.c is for report_html.c and fidelity_table.c, and
trace_handle.h for trace_io.c and trace_text.c)."""
import os
import re
import sys

top, dirs = sys.argv[1], tuple(sys.argv[2:])
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
prefixes = tuple(d + "/" for d in dirs)
files = {}  # path relative to top -> the tree paths it includes
for d in dirs:
    for root, _, names in os.walk(os.path.join(top, d)):
        for name in names:
            if name.endswith((".c", ".h", ".cc")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    rel = os.path.relpath(path, top)
                    files[rel] = [i for i in include.findall(f.read()) if i.startswith(prefixes)]


def stem(path):
    return os.path.splitext(path)[0]


def has_source(header):
    return any(stem(p) == stem(header) and not p.endswith(".h") for p in files)


def modules_used(path, seen):
    """The modules path includes, looking through headers that have no .c of their own."""
    out = set()
    for inc in files.get(path, ()):
        if inc in seen:
            continue
        seen.add(inc)
        if has_source(inc):
            out.add(stem(inc))
        else:
            out |= modules_used(inc, seen)
    return out


graph = {}
for path in files:
    if path.endswith(".h") and not has_source(path):
        continue
    node = stem(path)
    graph.setdefault(node, set()).update(modules_used(path, {path}) - {node})

# Depth-first search; a node met again while still on the stack closes a cycle.
WHITE, GREY, BLACK = 0, 1, 2
colour = {n: WHITE for n in graph}
cycles = []


def visit(n, stack):
    colour[n] = GREY
    stack.append(n)
    for m in sorted(graph[n]):
        if colour.get(m, BLACK) == GREY:
            cycles.append(stack[stack.index(m):] + [m])
        elif colour.get(m) == WHITE:
            visit(m, stack)
    stack.pop()
    colour[n] = BLACK


sys.setrecursionlimit(10000)
for n in sorted(graph):
    if colour[n] == WHITE:
        visit(n, [])
for c in cycles:
    print("include cycle: " + " -> ".join(c), file=sys.stderr)
if not graph:
    sys.exit(f"include_cycles: no sources under {', '.join(dirs)}")
if cycles:
    sys.exit(1)
print(f"include_cycles: {len(graph)} modules under {', '.join(dirs)}, "
      f"{sum(len(v) for v in graph.values())} dependencies, no cycle")
