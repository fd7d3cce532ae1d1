#!/usr/bin/env bash
# Configures and builds btfkit into ./build (Release, Ninja, -j2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BTFKIT_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
ninja -C "$build" -j "${BTFKIT_JOBS:-2}"
