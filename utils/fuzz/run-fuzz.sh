#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# utils/fuzz/run-fuzz.sh BUILD_DIR [ci | SECONDS]
#
# Builds btf-fuzz-reader with clang++-19 (libFuzzer + ASan + UBSan) in
# BUILD_DIR/fuzz, whatever compiler the main build uses, then:
#
#   ci (the ctest entry fuzz-reader): replays every kept input
#       (test/fuzz-regressions) and seed (test/fuzz-corpus), then a bounded
#       run from a fixed seed (-seed=1, $BTFKIT_FUZZ_RUNS inputs, default
#       100000). The same tree always fuzzes the same inputs, so CI cannot
#       fail on a find unrelated to the change under test.
#   SECONDS (default 60): random fuzzing for that long from a fresh seed,
#       the long run to do before resolving work on a reader
#       (docs/Testing.md): utils/fuzz/run-fuzz.sh build 3600
#
# A crash leaves its input in BUILD_DIR/fuzz/artifacts: fix the bug, then
# add the input to test/fuzz-regressions (test/btf-validate/
# fuzz-regressions.test replays it through btf-dump too). Exit status: 0 no
# crash, else the fuzzer's.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run-fuzz.sh BUILD_DIR [SECONDS]}
mode=${2:-60}
out=$build/fuzz
mkdir -p "$out"
cmake -S "$src/utils/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 >"$out/cmake.log" ||
  { cat "$out/cmake.log"; exit 1; }
ninja -C "$out" btf-fuzz-reader >"$out/build.log" || { tail -50 "$out/build.log"; exit 1; }
# The corpus the fuzzer grows is a scratch copy: the seeds stay small.
rm -rf "$out/corpus"
mkdir -p "$out/corpus" "$out/artifacts"
cp "$src"/test/fuzz-corpus/* "$out/corpus/"
cp "$src"/test/fuzz-regressions/* "$out/corpus/" 2>/dev/null || true
rm -f "$out/corpus/README.md"
cd "$out"
common="-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix=$out/artifacts/"
if [ "$mode" = ci ]; then
  # Replay first, one input per run: names the file that fails.
  ./btf-fuzz-reader $common "$src"/test/fuzz-regressions/*.bin \
    "$src"/test/fuzz-corpus/*.btf "$src"/test/fuzz-corpus/*.o
  exec ./btf-fuzz-reader $common -seed=1 -runs="${BTFKIT_FUZZ_RUNS:-100000}" \
    "$out/corpus"
fi
exec ./btf-fuzz-reader $common -max_total_time="$mode" "$out/corpus"
