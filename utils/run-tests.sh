#!/usr/bin/env bash
# The whole test suite from nothing: installs dependencies, builds, runs
# every gtest and lit suite (corpus included) under ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
cd "${BTFKIT_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "${BTFKIT_JOBS:-2}"
