#!/usr/bin/env bash
# btfkit's main job from nothing: installs dependencies, builds, then
#  1. loads a real kernel's BTF (the running kernel's /sys/kernel/btf/vmlinux
#     when there is one, else the bundled Debian 6.1.0-50 vmlinux BTF) and
#     checks it by that kernel's own release's rules;
#  2. compiles the bundled sample module with clang-19 (or the build's
#     LLVM's) and the btfkit plugin against the bundled 6.1.0-50 base, links
#     it (ld.lld-19 -r, then
#     btf-link: merge + check), and shows its .BTF + .BTF.base;
#  3. relocates the module's BTF onto the running kernel's BTF (or the
#     bundled base) and predicts, with explanations, which of the kernels at
#     hand would load it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
build=${BTFKIT_BUILD_DIR:-$root/build}
bin=$build/bin
plugin=$build/lib/btfkit-plugin.so
# The plugin loads only into the clang of the LLVM the build chose
# (BTFKIT_LLVM_VERSION: 19 unless configured for 22).
llvm=$(sed -n 's/^BTFKIT_LLVM_VERSION:[A-Z]*=//p' "$build/CMakeCache.txt")
llvm_bin=/usr/lib/llvm-${llvm:-19}/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

xz -dc "$root/data/vmlinux-6.1.0-50-amd64.btf.xz" >"$work/vmlinux-6.1.0-50.btf"
xz -dc "$root/data/vmlinux-6.1.0-47-amd64.btf.xz" >"$work/vmlinux-6.1.0-47.btf"
# The release whose rules judge the target: btf-dump takes the running
# kernel's by itself for /sys/kernel/btf/vmlinux; the bundled BTF is 6.1's.
if [ -r /sys/kernel/btf/vmlinux ]; then
  target=/sys/kernel/btf/vmlinux
  target_rules=()
  echo "== target kernel: the running kernel ($(uname -r), $target)"
else
  target=$work/vmlinux-6.1.0-50.btf
  target_rules=(--kernel-version=6.1)
  echo "== target kernel: bundled Debian 6.1.0-50 (no /sys/kernel/btf/vmlinux here)"
fi

echo
echo "== 1. the target's BTF, checked by the rules of the kernel release it comes from"
"$bin/btf-dump" --validate "${target_rules[@]}" "$target" || true
"$bin/btf-dump" "$target" | sed -n 's/^\[[0-9]*\] \([A-Z_0-9]*\) .*/\1/p' | sort | uniq -c | sort -rn | head -n 8

echo
echo "== 2. the sample module, compiled with the plugin against Debian 6.1.0-50"
base=$work/vmlinux-6.1.0-50.btf
for unit in core stats; do
  "$llvm_bin/clang" -g -O2 -c -Xclang -load -Xclang "$plugin" -fpass-plugin="$plugin" \
    -mllvm -btfkit-base="$base" "$root/data/sample-module/$unit.c" -o "$work/$unit.o"
  echo "   $unit.o: $("$bin/btf-dump" "$work/$unit.o" | grep -c '^\[') types in its fragment"
done
"$llvm_bin/ld.lld" -r "$work/core.o" "$work/stats.o" -o "$work/sample.ko"
"$bin/btf-link" --base="$base" "$work/sample.ko"
echo "   sample.ko .BTF.base (distilled base):"
"$bin/btf-dump" --section=.BTF.base "$work/sample.ko" | sed 's/^/     /'
echo "   sample.ko .BTF (split over it): $("$bin/btf-dump" "$work/sample.ko" | grep -c '^\[') types"

echo
echo "== 3. will it load? relocation onto the target, then a kernel matrix"
"$bin/btf-relocate" --base-btf="$target" "$work/sample.ko" -o "$work/sample.relocated.btf" || true
"$bin/btf-relocate" --base-btf="$target" --base-btf="$work/vmlinux-6.1.0-50.btf" \
  --base-btf="$work/vmlinux-6.1.0-47.btf" "$work/sample.ko" || true
echo
echo "   why not on 6.1.0-47:"
"$bin/btf-relocate" --base-btf="$work/vmlinux-6.1.0-47.btf" "$work/sample.ko" -o /dev/null 2>&1 | sed 's/^/   /' || true
