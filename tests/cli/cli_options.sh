#!/usr/bin/env bash
# cli_options.sh ALIGNBENCH RUNNER: every command of alignbench, every trace subcommand and every
# runner mode takes --opt=value as well as --opt value, and answers -h/--help; a bad number is
# refused with exit 2 and the one message of parse_num.h:
#   WHO: OPT wants WHAT, not 'ARG' (WHY; see WHO --help)
# It exists because each of these parsed its own options once, and only `run` took --opt=value.
# Every case is small (tiny traces, one repetition) so the whole test takes a few seconds.
set -u
ab=$1 runner=$2
. "$(dirname "$0")/../lib.sh"
sanitized=${AB_SANITIZED_BUILD:-0}

# accepts NAME COMMAND...: the command exits 0
accepts() {
  local name=$1; shift
  if "$@" >"$dir/out" 2>&1; then ok "$name"; else
    bad "$name: exit $?"; sed 's/^/     | /' "$dir/out" | head -n 8; fi
}
# says NAME RC PATTERN COMMAND...: the command exits RC and its output matches PATTERN (grep -E)
says() {
  local name=$1 want=$2 pattern=$3; shift 3
  "$@" >"$dir/out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$dir/out"; then ok "$name"; else
    bad "$name: exit $rc (want $want), output lacks /$pattern/ or has:"
    sed 's/^/     | /' "$dir/out" | head -n 8; fi
}
# bad_number NAME WHO OPT COMMAND...: exit 2 and the common message for the value 'x'
bad_number() {
  local name=$1 who=$2 opt=$3; shift 3
  says "$name" 2 "^$who: $opt (wants|needs) .*, not 'x' \(not a number; see $who --help\)$" "$@"
}

# ---- --help everywhere ----
for cmd in list check run plot micro compare bench-harness gen trace record; do
  says "$cmd --help" 0 "usage|^alignbench" "$ab" $cmd --help
  says "$cmd -h" 0 "usage|^alignbench" "$ab" $cmd -h
done
for sub in check stats convert; do
  says "trace $sub --help" 0 "^alignbench trace $sub " "$ab" trace $sub --help
done
says "gen rpc --help" 0 "^rpc: " "$ab" gen rpc --help
says "runner --help" 0 "^usage: alignbench-runner" "$runner" --help
for mode in probe conformance micro replay; do
  says "runner $mode --help (no allocator)" 0 "^usage: alignbench-runner $mode" "$runner" $mode --help
  says "runner $mode -h" 0 "^usage: alignbench-runner $mode" "$runner" $mode --alloc=malloc -h
done

# ---- --opt=value, command by command ----
accepts "gen --seed= --scale= --threads= --output=" \
  "$ab" gen il --seed=3 --scale=0.002 --threads=1 --output="$dir/il.abt"
accepts "gen --nodes=" "$ab" gen rpc --nodes=all --scale=0.002 -o "$dir/rpc.abt"
accepts "trace check --max-size= --max-align=" \
  "$ab" trace check --max-size=1048576 --max-align=4096 "$dir/il.abt"
accepts "trace check, options after FILE" "$ab" trace check "$dir/il.abt" --max-align=4096
accepts "trace stats" "$ab" trace stats "$dir/il.abt"
accepts "trace convert --to=" "$ab" trace convert --to=text "$dir/il.abt" "$dir/il.any"
head -n 1 "$dir/il.any" | grep -q '^# alignbench-trace' && ok "trace convert --to=text wrote text" ||
  bad "trace convert --to=text wrote no text"
accepts "list --alloc= --timeout= --json" "$ab" list --alloc=malloc --timeout=30 --json
grep -q '"name": "malloc"' "$dir/out" && ok "list --alloc=malloc lists malloc" ||
  bad "list --alloc=malloc"
accepts "check --alloc= --timeout=" "$ab" check --alloc=malloc --timeout=120
mem_limit=(--mem-limit=1G) # an address-space limit leaves ASan no room for its shadow memory
[ "$sanitized" = 1 ] && mem_limit=()
accepts "run --opt=value" "$ab" run --alloc=malloc --workload=rpc --reps=1 --scale=0.002 \
  --seed=2 --touch=first --timeout=60 "${mem_limit[@]}" --natural-baseline=off --threads=1 \
  --out="$dir/runs" --run-id=eq --no-plots --quiet
grep -Eq '"repetitions": ?1[,}]' "$dir/runs/eq/results.json" && ok "run --reps=1 recorded" ||
  bad "run --reps=1 not in results.json"
accepts "compare --threshold= --alpha= --metric=" "$ab" compare --threshold=5% --alpha=0.05 \
  --metric=cycles "$dir/runs/eq" "$dir/runs/eq"
accepts "compare --json=, options after the files" "$ab" compare "$dir/runs/eq" "$dir/runs/eq" \
  --json="$dir/cmp.json" --metric=cycles
says "plot --out= (with one run: refused for what -o is, not as unknown)" 2 \
  "-o is for comparing two runs" "$ab" plot --out="$dir/charts" "$dir/runs/eq"
mkdir -p "$dir/bh"
accepts "bench-harness --opt=value" "$ab" bench-harness --scale=0.002 --mix-ops=2000 \
  --allocs=malloc --touch=none --keep="$dir/bh"
"$runner" micro --alloc=malloc --benchmark_list_tests=true >/dev/null 2>&1
if [ $? -ne 5 ]; then # 5: this build has no Google Benchmark
  accepts "micro --opt=value" "$ab" micro --alloc=malloc --filter='^alloc_free/malloc/size:64/align:8$' \
    --reps=1 --rounds=1 --min-time=0.001 --timeout=120 --quiet -o "$dir/m.json"
else
  says "micro --opt=value (no Google Benchmark here)" 1 "unavailable" "$ab" micro --reps=1 --quiet
fi
if [ "$sanitized" = 1 ]; then
  echo "skip record: the recorder is preloaded, which a sanitizer build does not support"
else
  accepts "record --output= --text, program without --" "$ab" record --output="$dir/rec.txt" --text true
  accepts "record -- PROG ARGS (its options are its own)" "$ab" record -o "$dir/rec.abt" -- true -o x
fi

accepts "runner probe --alloc=" "$runner" probe --alloc=malloc
accepts "runner conformance --only=" "$runner" conformance --alloc=malloc --only=size-0
accepts "runner replay --opt=value" "$runner" replay --alloc=malloc --threads=1 --trace="$dir/il.abt" \
  --out="$dir/replay.json" --touch=none --calib-ms=5 --warmup=0 --batch-reps=1 --passes=memory,batch \
  --checkpoints=10 --lower-align=16 --floor-passes=1
test -s "$dir/replay.json" && ok "runner replay wrote its result" ||
  bad "runner replay wrote nothing"

# ---- a bad number: exit 2 and the common message ----
bad_number "run --reps=x" "alignbench run" --reps "$ab" run --reps=x
bad_number "gen --scale=x" "alignbench gen" --scale "$ab" gen rpc --scale=x -o "$dir/x.abt"
bad_number "micro --reps=x" "alignbench micro" --reps "$ab" micro --reps=x
bad_number "compare --alpha=x" "alignbench compare" --alpha "$ab" compare --alpha=x a b
bad_number "bench-harness --mix-ops=x" "alignbench bench-harness" --mix-ops "$ab" bench-harness --mix-ops=x
bad_number "list --timeout=x" "alignbench list" --timeout "$ab" list --timeout=x
bad_number "check --timeout=x" "alignbench check" --timeout "$ab" check --timeout=x
bad_number "trace check --max-size=x" "alignbench trace check" --max-size "$ab" trace check --max-size=x f
bad_number "runner --threads=x" "alignbench-runner" --threads "$runner" replay --alloc=malloc --threads=x
bad_number "runner replay --cpu=x" "alignbench-runner replay" --cpu "$runner" replay --alloc=malloc \
  --trace="$dir/il.abt" --out="$dir/r.json" --cpu=x
says "run --scale above 100: out of range" 2 \
  "^alignbench run: --scale wants a number above 0 and at most 100, not '101' \(out of range" \
  "$ab" run --scale=101
says "gen --scale above 100: out of range, as run" 2 \
  "^alignbench gen: --scale wants a number above 0 and at most 100, not '101' \(out of range" \
  "$ab" gen rpc --scale=101 -o "$dir/x.abt"
says "unknown option: exit 2" 2 "^alignbench gen: unknown option '--bogus' \(see alignbench gen --help\)" \
  "$ab" gen rpc --bogus=1 -o "$dir/x.abt"
says "missing value: exit 2" 2 "^alignbench compare: option --alpha needs a value" \
  "$ab" compare a b --alpha
says "runner: bad usage is exit 2" 2 "unknown option '--bogus'" "$runner" probe --alloc=malloc --bogus

finish cli.options
