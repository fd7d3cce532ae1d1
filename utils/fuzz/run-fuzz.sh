#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# utils/fuzz/run-fuzz.sh BUILD_DIR [ci | SECONDS] [FUZZER...]
#
# Builds the fuzzers with clang++-19 against LLVM 19 (libFuzzer + ASan +
# UBSan, assertions on) in BUILD_DIR/fuzz, whatever compiler the main build
# uses; BTFKIT_FUZZ_LLVM=22 builds them with clang++-22 against LLVM 22
# (the ctest entries of a -DBTFKIT_LLVM_VERSION=22 build set it):
#
#   reader    raw BTF, ELF .BTF/.BTF.base         (fuzz-reader.cpp)
#   fragment  .BTF.btfkit fragment sections       (fuzz-fragment.cpp)
#   dwarf     linked ELF files: DWARF, fragments  (fuzz-dwarf.cpp)
#
# then runs each named one (all by default):
#
#   ci (the ctest entry fuzz): replays every kept input
#       (test/fuzz-regressions/NAME) and seed (test/fuzz-corpus/NAME), then
#       a bounded run from a fixed seed (-seed=1, $BTFKIT_FUZZ_RUNS inputs,
#       else the fuzzer's own count below: about 30 seconds each). The same
#       tree always fuzzes the same inputs, so CI cannot fail on a find
#       unrelated to the change under test.
#   SECONDS (default 60): random fuzzing of each for that long from a fresh
#       seed, the long run to do before resolving work on a reader
#       (docs/Validation.md): utils/fuzz/run-fuzz.sh build 3600
#
# A crash leaves its input in BUILD_DIR/fuzz/artifacts/NAME-*: fix the bug,
# then add the input to test/fuzz-regressions/NAME (the lit tests
# test/btf-validate/fuzz-regressions.test and
# test/btf-link/fuzz-regressions.test replay them through the tools too).
# Exit status: 0 when no fuzzer found anything, else 1.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run-fuzz.sh BUILD_DIR [ci | SECONDS] [FUZZER...]}
mode=${2:-60}
[ $# -gt 2 ] && shift 2 || set -- reader fragment dwarf
llvm=${BTFKIT_FUZZ_LLVM:-19}
case $llvm in
19 | 22) ;;
*) echo "run-fuzz: BTFKIT_FUZZ_LLVM must be 19 or 22, not '$llvm'" >&2; exit 2 ;;
esac
mkdir -p "$build/fuzz"
out=$(cd "$build/fuzz" && pwd)
cmake -S "$src/utils/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBTFKIT_FUZZ_LLVM=$llvm \
  -DCMAKE_CXX_COMPILER=clang++-$llvm -DCMAKE_C_COMPILER=clang-$llvm >"$out/cmake.log" ||
  { cat "$out/cmake.log"; exit 1; }
targets=
for f in "$@"; do targets="$targets btf-fuzz-$f"; done
ninja -C "$out" $targets >"$out/build.log" || { tail -50 "$out/build.log"; exit 1; }
mkdir -p "$out/artifacts"
cd "$out"

# Inputs per fixed-seed CI run: each fuzzer's speed differs by two orders.
ci_runs() {
  case $1 in
  reader) echo 100000 ;;
  fragment) echo 10000 ;;
  dwarf) echo 10000 ;;
  esac
}

status=0
for f in "$@"; do
  # The corpus the fuzzer grows is a scratch copy: the seeds stay small.
  corpus=$out/corpus-$f
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "$src/test/fuzz-corpus/$f"/* "$corpus/"
  kept=$(find "$src/test/fuzz-regressions/$f" -type f 2>/dev/null | sort)
  [ -z "$kept" ] || cp $kept "$corpus/"
  common="-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=$out/artifacts/$f-"
  echo "run-fuzz: $f"
  if [ "$mode" = ci ]; then
    # Replay first, one input per run: names the file that fails.
    ./btf-fuzz-$f $common $kept "$src/test/fuzz-corpus/$f"/* || status=1
    ./btf-fuzz-$f $common -seed=1 -runs="${BTFKIT_FUZZ_RUNS:-$(ci_runs $f)}" \
      "$corpus" || status=1
  else
    ./btf-fuzz-$f $common -max_total_time="$mode" "$corpus" || status=1
  fi
done
exit $status
