#!/usr/bin/env bash
# test_full_disk.sh: a full disk is a clear error and a non-zero exit, never a half-written file.
# The disk is a small tmpfs mounted for the test (needs root, or CAP_SYS_ADMIN); where mounting is
# not permitted the test exits 77 (skipped) and says why.
#   1. 64 KiB: the first trace does not fit -> exit 1 naming the trace and ENOSPC, no results.json.
#   2. 192 KiB: the trace fits, results.json outgrows the disk after a few runs -> exit 1 with
#      "No space left on device; the previous version is kept", and the results.json there
#      parses (the last complete rewrite, "complete": false).
#   3. `gen -o` on a full disk -> non-zero exit, no partial trace under the final name.
#   4. a read-only file system as --out -> exit 2 naming the folder, before anything runs.
#   5. the charts outgrow the disk (a run with charts on a tmpfs that holds the run without its
#      charts and 1/5, 2/5, 3/5, 4/5 of the room they need: each runs out in a different chart) -> exit 1 naming the chart and "No space left on
#      device", and no file under a final name is cut short: every PNG ends with its IEND chunk,
#      every SVG with </svg>, report.html with </html>, results.json parses. (gnuplot exits 0
#      on a write error; the charts are checked before they are renamed into place.)
#
# usage: test_full_disk.sh ALIGNBENCH RESULTS_EXPECT
set -u
alignbench=$1 expect=$2
work=$(mktemp -d)
disk="$work/disk"
mkdir -p "$disk"
cleanup() {
    mountpoint -q "$disk" && umount "$disk"
    rm -rf "$work"
}
trap cleanup EXIT
mount_disk() { # SIZE
    mountpoint -q "$disk" && umount "$disk"
    mount -t tmpfs -o "size=$1" tmpfs "$disk" 2>"$work/mount.err"
}
if ! mount_disk 64k; then
    echo "SKIPPED: cannot mount a small tmpfs here ($(cat "$work/mount.err"));"
    echo "run as root (or with CAP_SYS_ADMIN) to test a full disk"
    exit 77
fi
failures=0
check() { # NAME COMMAND...: run a check, report it
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
no_partial_results() { # DIR: any results.json there parses
    local f
    for f in $(find "$1" -name results.json); do
        "$expect" "$f" || return 1
    done
}

# 1. Too small for the first trace.
"$alignbench" run --alloc malloc --workload rpc --scale 0.002 --reps 2 --no-plots --quiet \
    --out "$disk" --run-id tiny 2>"$work/tiny.err"
rc=$?
check "64 KiB disk: exit 1 (got $rc)" test "$rc" -eq 1
check "64 KiB disk: the message names the trace and why" \
    grep -q "rpc.abtrace: write failed: No space left on device" "$work/tiny.err"
check "64 KiB disk: no half-written results.json" no_partial_results "$disk"

# 2. results.json outgrows the disk.
mount_disk 192k
"$alignbench" run --alloc malloc --workload rpc --scale 0.002 --reps 20 --no-plots --quiet \
    --out "$disk" --run-id grows 2>"$work/grows.err"
rc=$?
check "192 KiB disk: exit 1 (got $rc)" test "$rc" -eq 1
check "192 KiB disk: says no space, previous version kept" \
    grep -q "No space left on device; the previous version is kept" "$work/grows.err"
check "192 KiB disk: results.json parses, complete false" \
    "$expect" "$disk/grows/results.json" --complete false --runs-at-least 1

# 3. gen to a full disk.
mount_disk 64k
"$alignbench" gen rpc --scale 0.01 -o "$disk/rpc.abt" 2>"$work/gen.err"
rc=$?
check "gen on a full disk fails (got $rc)" test "$rc" -ne 0 -a "$rc" -lt 128
check "gen leaves no partial trace" test ! -e "$disk/rpc.abt"
check "gen says why" test -s "$work/gen.err"

# 4. A read-only file system (what chmod cannot show to root): refused before anything runs.
mountpoint -q "$disk" && umount "$disk"
mount -t tmpfs -o size=64k,ro tmpfs "$disk"
"$alignbench" run --alloc malloc --workload rpc --scale 0.002 --reps 1 --no-plots --quiet \
    --out "$disk/results" 2>"$work/ro.err"
rc=$?
check "read-only output folder: exit 2 (got $rc)" test "$rc" -eq 2
check "read-only output folder: named" \
    grep -q "cannot write to the output folder '$disk/results'" "$work/ro.err"

# 5. The charts outgrow the disk.
complete_outputs() { # RUN_DIR: every output under its final name is whole
    local f ok=0
    for f in "$1"/charts/*.png; do
        [ -e "$f" ] || continue
        [ "$(tail -c 8 "$f" | head -c 4)" = IEND ] || {
            echo "    cut short: $f ($(stat -c %s "$f") bytes)"
            ok=1
        }
    done
    for f in "$1"/charts/*.svg; do
        [ -e "$f" ] || continue
        tail -c 16 "$f" | grep -q '</svg>' || {
            echo "    cut short: $f ($(stat -c %s "$f") bytes)"
            ok=1
        }
    done
    if [ -e "$1/report.html" ] && ! tail -c 16 "$1/report.html" | grep -q '</html>'; then
        echo "    cut short: $1/report.html"
        ok=1
    fi
    "$expect" "$1/results.json" >/dev/null || ok=1
    return $ok
}
# The sizes: between what the run needs without its charts and what it needs with them (measured
# here on a roomy tmpfs, so the test follows the charts' size), at 1/5, 2/5, 3/5 and 4/5.
mount_disk 8m
used_kib() { df -k --output=used "$disk" | tail -n 1 | tr -d ' '; }
"$alignbench" run --alloc malloc --workload rpc --scale 0.002 --reps 2 --quiet --no-plots \
    --out "$disk" --run-id measure 2>/dev/null
bare=$(used_kib)
"$alignbench" plot "$disk/measure" >/dev/null 2>&1
full=$(used_kib)
check "the charts take room (${bare} KiB without, ${full} KiB with)" test "$full" -gt $((bare + 40))
sizes=""
for k in 1 2 3 4; do sizes="$sizes $((bare + (full - bare) * k / 5))"; done
echo "     tmpfs sizes (KiB):$sizes"
for size in $sizes; do
    mount_disk "${size}k"
    "$alignbench" run --alloc malloc --workload rpc --scale 0.002 --reps 2 --quiet \
        --out "$disk" --run-id charts 2>"$work/charts$size.err"
    rc=$?
    check "${size} KiB disk, charts: exit 1 (got $rc)" test "$rc" -eq 1
    check "${size} KiB disk, charts: the message names the file and the cause" \
        grep -Eq "(charts/[a-z_-]+\.(png|svg)|report\.html).*No space left on device" \
        "$work/charts$size.err"
    check "${size} KiB disk, charts: nothing cut short under a final name" \
        complete_outputs "$disk/charts"
done

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    for f in "$work"/*.err; do echo "--- $f"; cat "$f"; done
    exit 1
fi
echo "all full-disk checks passed"
