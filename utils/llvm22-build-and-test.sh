#!/usr/bin/env bash
# Builds btfkit against LLVM 22 (cmake -DBTFKIT_LLVM_VERSION=22) into its own
# folder and runs that build's whole ctest suite there: every gtest and lit
# suite (the plugin in clang-22 and ld.lld-22, ld.lld-btf with lld 22 linked
# in, the tools with LLVM 22's Support/Object/DebugInfo), the kernel-tree
# entries with their modules compiled by clang-22 and its plugin in Linux
# trees prepared for clang-22 (6.1 for kernel-modules and kbuild-recipes,
# 7.2 for kbuild7-pipeline; real-kernels boots 6.12 and 7.2 with them), the
# DWARF route against pahole (pahole-parity) and DKMS, the fuzzers built
# with clang++-22 against LLVM 22.
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
# $BTFKIT_KTREE names the default build's 6.1 tree (clang-19); this build
# prepares its own, for clang-22, under BUILD_DIR.
unset BTFKIT_KTREE
ctest --output-on-failure -j "${BTFKIT_JOBS:-2}"
echo "llvm22: built and tested in $(($(date +%s) - start)) s"
