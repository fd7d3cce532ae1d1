#!/usr/bin/env bash
# Prepares a Linux tree in which external modules build with clang (19 by
# default; BTFKIT_KTREE_LLVM=22 for clang-22), by default the Linux 6.1 one
# matching the clang-built vmlinux BTF of the corpus:
#   prepare-kernel-tree.sh DEST [CONFIG [TARBALL]]
# DEST/src is TARBALL unpacked (default: Debian's linux-source-6.1), DEST/out
# the configured build tree (make O=DEST/out LLVM=-19 olddefconfig
# modules_prepare, or LLVM=-22) using CONFIG (default:
# ../shared/corpus/config-6.1-clang19). The real-kernel suite prepares
# Debian's linux-source-6.12 this way.
# Debian's own linux-headers packages are configured for GCC and cannot
# build modules with clang (see docs/). BTFKIT_KTREE_CC=gcc prepares the tree
# for GCC instead (the 7.x pipeline test builds GCC modules in it). The
# compiler and its version (the .config records them, and they build the
# tree's host programs) are part of what makes a prepared DEST reusable.
# Idempotent: a prepared DEST is kept; concurrent runs on one DEST take
# turns.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: prepare-kernel-tree.sh DEST [CONFIG [TARBALL]]}
config=${2:-${BTFKIT_CORPUS:-$root/../shared/corpus}/config-6.1-clang19}
tarball=${3:-}
jobs=${BTFKIT_JOBS:-2}
cc=${BTFKIT_KTREE_CC:-clang}
llvm=${BTFKIT_KTREE_LLVM:-19}
case "$llvm" in
  19|22) ;;
  *) echo "prepare-kernel-tree: BTFKIT_KTREE_LLVM must be 19 or 22, not '$llvm'" >&2; exit 1 ;;
esac
case "$cc" in
  clang) make_cc=(LLVM=-$llvm); cc=clang-$llvm ;;
  gcc) make_cc=(CC=gcc) ;;
  *) echo "prepare-kernel-tree: BTFKIT_KTREE_CC must be clang or gcc, not '$cc'" >&2; exit 1 ;;
esac
[ -r "$config" ] || { echo "prepare-kernel-tree: no kernel config at $config" >&2; exit 1; }
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# Tests that share a tree (kbuild7-pipeline, real-kernels) may run at once
# under ctest -j: one prepares, the other waits and then finds it ready.
exec {lock}>"$dest.lock"
flock "$lock"
# The default source is installed by the packages below; a tree prepared
# from it before is recognised by the name it will have.
[ -n "$tarball" ] || tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
if [ -f "$dest/.prepared" ] && cmp -s "$config" "$dest/.config-used" &&
   [ "$(cat "$dest/.source-used" 2>/dev/null)" = "$tarball" ] &&
   [ "$(sed 's/^clang$/clang-19/' "$dest/.cc-used" 2>/dev/null || echo clang-19)" = "$cc" ]; then
  echo "prepare-kernel-tree: $dest is ready"
  exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
for p in linux-source-6.1 bc bison flex libssl-dev libelf-dev make dwarves rsync cpio kmod; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

[ -n "$tarball" ] || tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
rm -rf "$dest/src" "$dest/out"
mkdir -p "$dest/src" "$dest/out"
echo "prepare-kernel-tree: unpacking $tarball"
tar -C "$dest/src" --strip-components=1 -xaf "$tarball"
cp "$config" "$dest/out/.config"
echo "prepare-kernel-tree: configuring for $cc (olddefconfig modules_prepare)"
make -s -C "$dest/src" O="$dest/out" "${make_cc[@]}" -j"$jobs" olddefconfig modules_prepare
cp "$config" "$dest/.config-used"
echo "$tarball" >"$dest/.source-used"
echo "$cc" >"$dest/.cc-used"
touch "$dest/.prepared"
echo "prepare-kernel-tree: ready: make -C $dest/out M=<module dir> ${make_cc[*]} modules"
