#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# utils/fuzz/run-fuzz.sh BUILD_DIR [SECONDS]
#
# Builds btf-fuzz-reader with clang++-19 (libFuzzer + ASan + UBSan) in
# BUILD_DIR/fuzz, whatever compiler the main build uses, and runs it for
# SECONDS (default 60) over a copy of the seed corpus test/fuzz-corpus and
# the kept crashes test/fuzz-regressions. A crash leaves its input in
# BUILD_DIR/fuzz/artifacts: fix the bug, then add the input to
# test/fuzz-regressions (test/btf-validate/fuzz-regressions.test replays
# it through btf-dump). Exit status: 0 no crash, else the fuzzer's.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run-fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
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
exec ./btf-fuzz-reader -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
  "$out/corpus"
