#!/usr/bin/env bash
# The whole test suite from nothing: installs dependencies, builds, runs
# every gtest and lit suite (corpus included) under ctest; its entry
# llvm22-build-and-test builds the same source against LLVM 22 in
# build/llvm22 and runs the gtests and lit suites there (README.md, "LLVM 22").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
cd "${BTFKIT_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "${BTFKIT_JOBS:-2}"
