#!/usr/bin/env bash
# btfkit's main job from nothing: installs dependencies, builds, then loads
# a real kernel's BTF (the running kernel's /sys/kernel/btf/vmlinux when
# there is one, else the bundled Debian 6.1 vmlinux BTF), checks it by the
# kernel's rules and prints a summary and the first types.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/utils/install-deps.sh"
"$root/utils/build.sh"
bin=${BTFKIT_BUILD_DIR:-$root/build}/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -r /sys/kernel/btf/vmlinux ]; then
  base=/sys/kernel/btf/vmlinux
  echo "== base: the running kernel's BTF ($base, $(uname -r))"
else
  base=$work/vmlinux.btf
  xz -dc "$root/data/vmlinux-6.1.0-50-amd64.btf.xz" >"$base"
  echo "== base: bundled Debian 6.1.0-50 vmlinux BTF (no /sys/kernel/btf/vmlinux here)"
fi

echo "== validate by the kernel's rules"
"$bin/btf-dump" --validate "$base"
echo "== first types (bpftool-compatible raw listing)"
"$bin/btf-dump" "$base" | head -n 12
echo "== kinds"
"$bin/btf-dump" "$base" | sed -n 's/^\[[0-9]*\] \([A-Z_0-9]*\) .*/\1/p' | sort | uniq -c | sort -rn
