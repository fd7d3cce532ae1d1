#!/usr/bin/env bash
# Builds btfkit against LLVM 22 (cmake -DBTFKIT_LLVM_VERSION=22) into its own
# folder and runs the suites there that exercise what LLVM 22 changes: every
# gtest, every lit suite (the plugin in clang-22 and ld.lld-22, ld.lld-btf
# with lld 22 linked in, the tools with LLVM 22's Support/Object/DebugInfo),
# the install layout and the reliability stress test. The real-kernel suites
# stay with the default LLVM 19 build (README.md, "LLVM 22").
#   llvm22-build-and-test.sh BUILD_DIR [CMAKE_ARGS...]
# ctest's llvm22-build-and-test entry of the default build runs it, so CI
# (utils/run-tests.sh) tests both. Exits 77 (skipped) without llvm-22-dev,
# except under CI, where utils/install-deps.sh installs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: llvm22-build-and-test.sh BUILD_DIR [CMAKE_ARGS...]}
shift
if [ ! -f /usr/lib/llvm-22/lib/cmake/llvm/LLVMConfig.cmake ]; then
  if [ -n "${CI:-}" ]; then
    echo "llvm22: llvm-22-dev is not installed (utils/install-deps.sh installs it)" >&2
    exit 1
  fi
  echo "llvm22: llvm-22-dev is not installed; skipped"
  exit 77
fi
start=$(date +%s)
BTFKIT_BUILD_DIR=$build "$root/utils/build.sh" -DBTFKIT_LLVM_VERSION=22 "$@"
echo "llvm22: built $build in $(($(date +%s) - start)) s"
cd "$build"
ctest --output-on-failure -j "${BTFKIT_JOBS:-2}" \
  -R '^(corpus-prepare|install-layout|reliability-stress|lit-.*|[A-Za-z]+Tests\..*)$'
echo "llvm22: built and tested in $(($(date +%s) - start)) s"
