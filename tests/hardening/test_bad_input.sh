#!/usr/bin/env bash
# test_bad_input.sh: every kind of bad input gets a clear message naming the problem and a
# non-zero exit status, never a crash (a signal) and never a half-written file.
#
# The cases are one table (below): expected exit status, a phrase the message must contain,
# the command. The bad-input table of docs/robustness.md is built from the same cases run for
# real: `test_bad_input.sh --table ALIGNBENCH RESULTS_EXPECT` prints it in Markdown.
#
# usage: test_bad_input.sh [--table] ALIGNBENCH RESULTS_EXPECT
set -u
table=0
if [ "${1:-}" = --table ]; then
    table=1
    shift
fi
alignbench=$(realpath "$1") expect=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0

# ---- the bad inputs ----
printf '# alignbench-trace 1\nalloc 0 64 0\nfree 0\n' >align0.txt
printf '# alignbench-trace 1\nalloc 0 64 3\nfree 0\n' >align3.txt
printf '# alignbench-trace 1\nalloc 0 64 1099511627776\nfree 0\n' >align2p40.txt
printf '# alignbench-trace 1\nalloc 0 64 16\nfree 7\n' >id_out_of_range.txt
printf '# alignbench-trace 1\nalloc 0 64 16\nfree 0\nfree 0\n' >double_free.txt
printf 'ABTRACE\0\1\0\0\0' >truncated.abt
printf '# alignbench-trace 1\n' >header_only.txt
{
    echo '# alignbench-trace 1'
    for i in $(seq 0 65); do echo "alloc $i 64 16 thread=$i"; done
} >threads66.txt
"$alignbench" gen rpc --scale 0.002 -o good.abt >/dev/null 2>&1 || echo "cannot generate a trace"
# The header's op count (offset 16, little-endian u64) set to 2^62; then the version mangled.
cp good.abt huge_count.abt
printf '\0\0\0\0\0\0\0\x40' | dd of=huge_count.abt bs=1 seek=16 conv=notrunc status=none
cp good.abt bad_version.abt
printf '\x07\x07\x07\x07' | dd of=bad_version.abt bs=1 seek=8 conv=notrunc status=none
mkdir -p malformed_run wrong_types_run
printf '{"schema":"alignbench-results","version":1,"runs":[' >malformed_run/results.json
printf '{"schema":"alignbench-results","version":1,"runs":{"a":1},"cells":7}' \
    >wrong_types_run/results.json
printf '{"hello":"world"}' >not_results.json
printf 'not a library' >not_a_library.so
touch a_file
"$alignbench" run --alloc bump --workload rpc --scale 0.002 --reps 1 --no-plots --quiet \
    --out "$work" --run-id good_run || echo "cannot make a good run"
# A run none of whose runs ended ok: its cells have no values to export.
"$alignbench" run --alloc malloc --program "bad=exit 3" --reps 1 --no-plots --quiet \
    --out "$work" --run-id failed_run 2>/dev/null
[ -s failed_run/results.json ] || echo "cannot make a failed run"
out="--out $work/out --reps 1 --scale 0.01 --no-plots"

# expect RC PHRASE COMMAND...: one case of the table.
cases=()
expect_case() { cases+=("$1"$'\t'"$2"$'\t'"${*:3}"); }
expect_case 2 "unknown allocator 'nosuch'" run --alloc nosuch --workload rpc $out
expect_case 2 "unknown workload 'nosuch'" run --alloc malloc --workload nosuch $out
expect_case 2 "library '/nonexistent/lib.so' not found" run --alloc x=/nonexistent/lib.so $out
# A library that is not a malloc replacement is refused by the runner; in a sanitizer build no
# library can be preloaded at all, and run says that instead.
not_malloc="malloc is served by"
[ "${AB_SANITIZED_BUILD:-0}" = 1 ] && not_malloc="none of the chosen allocators is available here"
expect_case 1 "$not_malloc" run --alloc z=/usr/lib/x86_64-linux-gnu/libz.so.1 \
    --workload rpc --run-id libz $out
expect_case 2 "is not a shared library (no ELF header)" run --alloc x=$work/not_a_library.so \
    --workload rpc --run-id not_elf $out
expect_case 2 "is not a shared library (no ELF header)" list --alloc x=$work/not_a_library.so
# An allocator name becomes part of a log file's name: one that could leave the run folder is
# refused before anything runs (a plug-in and a variant alike).
expect_case 2 "allocator name '../../../esc/evil' in" run \
    --alloc ../../../esc/evil=/usr/lib/x86_64-linux-gnu/libz.so.1 --workload rpc $out
expect_case 2 "allocator name 'a/b' in" run --alloc a/b=/usr/lib/x86_64-linux-gnu/libz.so.1 \
    --workload rpc $out
expect_case 2 "allocator name '..' in" run --alloc ..=malloc:GLIBC_TUNABLES=x --workload rpc $out
expect_case 2 "allocator name '.hidden' in" list --alloc .hidden=/usr/lib/x86_64-linux-gnu/libz.so.1
expect_case 2 "alignment 0 is not a power of two" run --alloc malloc --trace align0.txt $out
expect_case 2 "alignment 3 is not a power of two" run --alloc malloc --trace align3.txt $out
expect_case 2 "alignment 2^40 above the limit 2^30" run --alloc malloc --trace align2p40.txt $out
expect_case 1 "alignment 0 is not a power of two" trace check align0.txt
expect_case 1 "alignment 3 is not a power of two" trace check align3.txt
expect_case 1 "alignment 2^40 above the limit 2^30" trace check align2p40.txt
expect_case 2 "--max-align needs a positive number (a power of two)" trace check --max-align 3 \
    good.abt
expect_case 2 "--max-align needs a positive number (a power of two)" trace check --max-align 0 \
    good.abt
expect_case 1 "free of id 7: unknown id" trace check id_out_of_range.txt
expect_case 1 "double free" trace check double_free.txt
expect_case 1 "truncated" trace check truncated.abt
expect_case 1 "the header says 4611686018427387904 ops" trace check huge_count.abt
expect_case 2 "the header says 4611686018427387904 ops" run --alloc malloc --trace huge_count.abt \
    $out
expect_case 1 "this build reads versions 1 to 2" trace check bad_version.abt
expect_case 1 "thread_count 66 is above the limit of 64 threads" trace check threads66.txt
expect_case 2 "thread_count 66 is above the limit of 64 threads" run --alloc malloc \
    --trace threads66.txt $out
expect_case 2 "it holds no ops (a header only)" run --alloc malloc --trace header_only.txt $out
expect_case 2 "--scale wants a number above 0 and at most 100, not '-1'" run --scale -1 $out
expect_case 2 "--scale wants a number above 0 and at most 100, not '1e9'" run --scale 1e9 $out
expect_case 2 "--reps wants a whole number from 1 to 1000, not '-3'" run --reps -3 $out
expect_case 2 "--reps wants a whole number from 1 to 1000, not '99999999999999999999'" \
    run --reps 99999999999999999999 $out
expect_case 2 "--mem-limit wants bytes (suffix K, M or G), at least 16M" run --mem-limit 1 $out
expect_case 2 "--timeout wants seconds above 0" run --timeout 0 $out
expect_case 2 "--run-id wants letters, digits" run --run-id ../../etc $out
expect_case 2 "out of range" gen rpc --scale -2 -o x.abt
expect_case 2 "--reps wants a whole number >= 1" micro --reps -1
expect_case 2 "']' expected near end of file" compare malformed_run malformed_run
expect_case 2 "neither an alignbench results.json" compare not_results.json not_results.json
expect_case 2 "no \"runs\" array" compare wrong_types_run wrong_types_run
expect_case 2 "no such file or folder" compare /nonexistent.json malformed_run
expect_case 1 "']' expected near end of file" plot malformed_run
expect_case 1 "no \"runs\" array" plot wrong_types_run
expect_case 1 "No such file or directory" plot /nonexistent_run
expect_case 2 "cannot write to the output folder '$work/a_file/out'" \
    run --alloc malloc --workload rpc --out $work/a_file/out
expect_case 1 "cannot create $work/a_file/charts" plot good_run -o $work/a_file/charts good_run
expect_case 2 "unknown command 'frobnicate'" frobnicate
expect_case 1 "nothing to export: none of the 1 cells has an ok run" export --to bmf failed_run \
    -o exported.json
expect_case 1 "nothing to export: none of the 1 cells has an ok run" \
    export --to github-action-benchmark failed_run -o exported
expect_case 1 "nothing to export: none of the 1 cells has an ok run" export --to hgrm failed_run \
    -o exported_hgrm

# ---- run them ----
if [ "$table" = 1 ]; then
    echo "| input | what alignbench says | exit |"
    echo "|---|---|---|"
fi
for c in "${cases[@]}"; do
    IFS=$'\t' read -r want phrase cmd <<<"$c"
    # shellcheck disable=SC2086 # cmd is a word list by design
    "$alignbench" $cmd >stdout.txt 2>stderr.txt
    rc=$?
    message=$(grep -v '^$' stderr.txt | grep -m1 -F -- "$phrase" || head -n1 stderr.txt)
    if [ "$table" = 1 ]; then
        shown_cmd=${cmd//$out/}
        shown_cmd=${shown_cmd//$work\//}
        shown_msg=${message//$work\//}
        printf '| `alignbench %s` | %s | %s |\n' "$(echo $shown_cmd)" "${shown_msg//|/\\|}" "$rc"
        continue
    fi
    problem=""
    if [ "$rc" -ge 128 ]; then
        problem="killed by signal $((rc - 128))"
    elif [ "$rc" -ne "$want" ]; then
        problem="exit $rc, expected $want"
    elif ! grep -qF -- "$phrase" stderr.txt; then
        problem="message does not say: $phrase"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL alignbench $cmd: $problem"
        sed 's/^/    /' stderr.txt | head -n 5
        failures=$((failures + 1))
    else
        echo "ok   alignbench $cmd -> $rc"
    fi
done
[ "$table" = 1 ] && exit 0

# Bad options are refused before anything is written: no run folder appears.
check_nothing_written() {
    local leftovers
    leftovers=$(find "$work/out" -name results.json 2>/dev/null | while read -r f; do
        "$expect" "$f" >/dev/null 2>&1 || echo "$f"
    done)
    if [ -n "$leftovers" ]; then
        echo "FAIL a half-written results.json was left: $leftovers"
        failures=$((failures + 1))
    else
        echo "ok   every results.json left behind parses"
    fi
}
check_nothing_written

# An export with nothing to export wrote nothing.
if [ -n "$(ls -d exported* 2>/dev/null)" ]; then
    echo "FAIL an export with nothing to export wrote: $(ls -d exported*)"
    failures=$((failures + 1))
else
    echo "ok   an export with nothing to export wrote nothing"
fi

# No allocator name made anything appear outside the run folders (logs/../../../esc).
if [ -e "$work/esc" ] || [ -e "$work/out/esc" ]; then
    echo "FAIL an allocator name wrote outside its run folder: $(find "$work" -path '*esc*')"
    failures=$((failures + 1))
else
    echo "ok   no allocator name wrote outside its run folder"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures case(s) failed"
    exit 1
fi
echo "all ${#cases[@]} bad-input cases answered clearly"
