#!/usr/bin/env bash
# test_run_side_effects.sh: a run does not clash with what else happens on the machine.
#   1. Three runs started at once with the default run-id (the UTC second) get three folders
#      (the second and third of a second are ID-2, ID-3), all exit 0, and each results.json
#      names its own folder as run_id.
#   2. The git commands a run makes in the source checkout (for the commit in the context) all
#      carry --no-optional-locks, so `git status` never takes .git/index.lock and cannot make the
#      user's own git command fail. A `git` first on PATH records its arguments and hands over to
#      the real git. (Skipped, saying so, when git is not installed.)
#
# usage: test_run_side_effects.sh ALIGNBENCH
set -u
alignbench=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # NAME COMMAND...: run a check, report it
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
small="--alloc malloc --workload rpc --scale 0.002 --reps 1 --no-plots --quiet"

# 1. Three runs at once.
pids=()
for i in 1 2 3; do
    # shellcheck disable=SC2086 # small is a word list by design
    "$alignbench" run $small --out "$work/same" 2>"$work/same$i.err" &
    pids+=($!)
done
rcs=""
for p in "${pids[@]}"; do
    wait "$p"
    rcs="$rcs $?"
done
check "three runs started at once all exit 0 (got$rcs)" test "$rcs" = " 0 0 0"
folders=$(ls "$work/same" 2>/dev/null | wc -l)
check "three runs started at once get three folders (got $folders)" test "$folders" -eq 3
for d in "$work"/same/*; do
    id=$(basename "$d")
    check "$id/results.json says run_id $id" grep -q "\"run_id\":\"$id\"" "$d/results.json"
done

# 2. git without optional locks.
real_git=$(command -v git)
if [ -z "$real_git" ]; then
    echo "skipped: git is not installed (the run takes the build's commit)"
else
    mkdir "$work/bin"
    cat >"$work/bin/git" <<WRAP
#!/bin/sh
echo "\$*" >>"$work/git-calls"
exec "$real_git" "\$@"
WRAP
    chmod +x "$work/bin/git"
    # shellcheck disable=SC2086
    PATH="$work/bin:$PATH" "$alignbench" run $small --out "$work/git" 2>"$work/git.err"
    check "the run with the recording git exits 0" test $? -eq 0
    check "the run called git" test -s "$work/git-calls"
    check "every git call has --no-optional-locks" \
        test -z "$(grep -v -e '--no-optional-locks' "$work/git-calls" 2>/dev/null)"
    [ -s "$work/git-calls" ] && sed 's/^/    git /' "$work/git-calls"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    cat "$work"/*.err
    exit 1
fi
echo "all side-effect checks passed"
