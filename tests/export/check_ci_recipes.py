#!/usr/bin/env python3
"""check_ci_recipes.py ALIGNBENCH SOURCE_DIR: the GitHub Actions workflows of docs/ci/ are valid
and would work.

- Each file is YAML with a workflow's shape: name, on, jobs; each job runs-on and steps; each step
  runs a script or uses an action.
- Every `alignbench` command in a `run:` script is a real command (from `alignbench --help`) and
  each option it passes is in that command's --help; the `alignbench run` line passes its own
  option checks (run again with --list, which validates everything and runs nothing).
- github-action-benchmark.yml: two steps of benchmark-action/github-action-benchmark, with only
  inputs the action declares (its action.yml), distinct `name:` values (the action groups entries
  by name), tools customSmallerIsBetter and customBiggerIsBetter.
- bencher.yml: the bencherdev/bencher action installs the CLI before `bencher run --adapter json
  --file F` reads the file.
- Both, executed: a tiny run made under the --out/--run-id the workflow uses, then the
  workflow's own export lines, verbatim: the files the tracker steps read are there, and each
  github-action-benchmark file is the array of its tool's direction (export --direction)."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("ci_recipes: SKIPPED: no python3-yaml (scripts/deps.sh test installs it)")
    sys.exit(77)

ab, src = os.path.abspath(sys.argv[1]), sys.argv[2]
problems = []
# github-action-benchmark's inputs (its action.yml, v1)
GAB_INPUTS = {"name", "tool", "output-file-path", "gh-pages-branch", "gh-repository",
              "benchmark-data-dir-path", "github-token", "ref", "auto-push", "skip-fetch-gh-pages",
              "comment-on-pull-request", "pr-comment-percentage-threshold",
              "pr-comment-absolute-threshold", "comment-always", "summary-always",
              "save-data-file", "comment-on-alert", "alert-threshold", "fail-on-alert",
              "fail-threshold", "alert-comment-cc-users", "external-data-json-path",
              "max-items-in-chart"}


def sh(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


top_help = sh([ab, "--help"]).stdout
commands = re.findall(r"^  ([a-z][a-z-]*) ", top_help.split("commands:\n", 1)[1].split("\n\n")[0],
                      re.M)
if "export" not in commands or "run" not in commands:
    sys.exit(f"cannot read the commands from {ab} --help")


def words(script):
    """The shell words of a run: script, with `&&`, `;` and `|` as words of their own."""
    lex = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    return list(lex)


def alignbench_calls(script):
    """[(command, [args])] for each alignbench call, also inside a quoted command string."""
    calls = []
    ws = words(script)
    for i, w in enumerate(ws):
        if " " in w and "alignbench" in w:
            calls += alignbench_calls(w)
        elif os.path.basename(w) == "alignbench" and i + 1 < len(ws) and \
                (i == 0 or ws[i - 1] in ("&&", ";", "|", "||")):  # in a command's place
            args = []
            for a in ws[i + 2:]:
                if a in ("&&", ";", "|", "||"):
                    break
                args.append(a)
            calls.append((ws[i + 1], args))
    return calls


def check_call(where, cmd, args):
    if cmd not in commands:
        problems.append(f"{where}: 'alignbench {cmd}' is not a command")
        return
    help_text = sh([ab, cmd, "--help"]).stdout
    for a in args:
        if a.startswith("-"):
            opt = a.split("=", 1)[0]
            if not re.search(r"(^|[\s\[|,])" + re.escape(opt) + r"\b", help_text, re.M):
                problems.append(f"{where}: 'alignbench {cmd}' has no option {opt}")
    if cmd == "export" and "--to" in args:
        fmt = args[args.index("--to") + 1]
        if not re.search(r"--to [a-z|-]*\b" + re.escape(fmt) + r"\b", help_text):
            problems.append(f"{where}: export has no format {fmt}")


def opt_value(args, name):
    return args[args.index(name) + 1] if name in args else None


for fname in ("github-action-benchmark.yml", "bencher.yml"):
    path = os.path.join(src, "docs/ci", fname)
    try:
        wf = yaml.safe_load(open(path, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{fname}: not readable YAML: {e}")
        continue
    # YAML 1.1 reads the key `on` as true
    if not isinstance(wf, dict) or not wf.get("name") or not (wf.get("on") or wf.get(True)) or \
            not isinstance(wf.get("jobs"), dict) or not wf["jobs"]:
        problems.append(f"{fname}: not a workflow (name, on, jobs)")
        continue
    steps = []
    for job_name, job in wf["jobs"].items():
        if not job.get("runs-on") or not isinstance(job.get("steps"), list) or not job["steps"]:
            problems.append(f"{fname}: job {job_name} lacks runs-on or steps")
            continue
        for s in job["steps"]:
            if not isinstance(s, dict) or ("run" in s) == ("uses" in s):
                problems.append(f"{fname}: a step is neither one run: nor one uses: {s}")
            steps.append(s)
    runs = [s["run"] for s in steps if "run" in s]
    calls = [c for r in runs for c in alignbench_calls(r)]
    for cmd, args in calls:
        check_call(fname, cmd, args)
    run_calls = [args for cmd, args in calls if cmd == "run"]
    exports = [args for cmd, args in calls if cmd == "export"]
    if len(run_calls) != 1 or not exports:
        problems.append(f"{fname}: wants one alignbench run and an export, has {len(run_calls)} "
                        f"and {len(exports)}")
        continue

    with tempfile.TemporaryDirectory() as tmp:
        # The workflow's run line, checked by run itself (--list runs nothing).
        r = sh([ab, "run"] + run_calls[0] + ["--list"], cwd=tmp)
        if r.returncode != 0:
            problems.append(f"{fname}: its run line is refused: {r.stderr.strip()}")
        out, run_id = opt_value(run_calls[0], "--out"), opt_value(run_calls[0], "--run-id")
        if not out or not run_id:
            problems.append(f"{fname}: the run line names no --out and --run-id for the export")
            continue
        r = sh([ab, "run", "--alloc", "malloc,bump", "--workload", "rpc", "--scale", "0.02",
                "--reps", "3", "--no-plots", "--quiet", "--out", out, "--run-id", run_id], cwd=tmp)
        if r.returncode != 0:
            problems.append(f"{fname}: the tiny run failed: {r.stderr.strip()}")
            continue
        for args in exports:
            r = sh([ab, "export"] + args, cwd=tmp)
            if r.returncode != 0:
                problems.append(f"{fname}: export {' '.join(args)} failed: {r.stderr.strip()}")

        if fname == "github-action-benchmark.yml":
            gab = [s for s in steps
                   if str(s.get("uses", "")).startswith("benchmark-action/github-action-benchmark@")]
            if len(gab) != 2:
                problems.append(f"{fname}: {len(gab)} github-action-benchmark steps, not 2")
            names = [s.get("with", {}).get("name") for s in gab]
            if len(set(names)) != len(names) or None in names:
                problems.append(f"{fname}: the action's name: values are not distinct: {names}")
            tools = sorted(s.get("with", {}).get("tool", "") for s in gab)
            if tools != ["customBiggerIsBetter", "customSmallerIsBetter"]:
                problems.append(f"{fname}: tools {tools}")
            for s in gab:
                w = s.get("with", {})
                if set(w) - GAB_INPUTS:
                    problems.append(f"{fname}: inputs the action does not have: {set(w) - GAB_INPUTS}")
                f = os.path.join(tmp, w.get("output-file-path", "?"))
                direction = "bigger" if w.get("tool") == "customBiggerIsBetter" else "smaller"
                want = sh([ab, "export", "--to", "github-action-benchmark", "--direction",
                           direction, os.path.join(out, run_id)], cwd=tmp).stdout
                try:
                    got = json.load(open(f))
                except (OSError, ValueError) as e:
                    problems.append(f"{fname}: {w.get('name')}: cannot read its file: {e}")
                    continue
                if not isinstance(got, list) or not got or got != json.loads(want):
                    problems.append(f"{fname}: {w.get('name')}: {f} is not the {direction} array")
        else:
            uses = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("bencherdev/bencher@")]
            brun = [(i, s["run"]) for i, s in enumerate(steps) if "run" in s and "bencher run" in s["run"]]
            if not uses or not brun or uses[0] > brun[0][0]:
                problems.append(f"{fname}: no bencherdev/bencher step before `bencher run`")
                continue
            ws = words(brun[0][1])
            if opt_value(ws, "--adapter") != "json" or not opt_value(ws, "--file"):
                problems.append(f"{fname}: bencher run wants --adapter json --file F")
                continue
            try:
                bmf = json.load(open(os.path.join(tmp, opt_value(ws, "--file"))))
                ok = isinstance(bmf, dict) and bmf and all(
                    isinstance(m, dict) and all("value" in v for v in m.values()) for m in bmf.values())
            except (OSError, ValueError):
                ok = False
            if not ok:
                problems.append(f"{fname}: bencher's --file {opt_value(ws, '--file')} is not BMF")
    print(f"ci_recipes: {fname}: {len(steps)} steps, {len(calls)} alignbench calls checked")

for p in problems:
    print("ci_recipes: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
