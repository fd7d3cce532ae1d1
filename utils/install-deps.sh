#!/usr/bin/env bash
# Installs every Debian 12 package btfkit needs to build, test and run its
# main job. Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
PACKAGES=(
  # toolchain and the LLVM/lld libraries btfkit builds on
  build-essential cmake ninja-build pkg-config python3 xz-utils
  llvm-19-dev clang-19 lld-19 liblld-19-dev llvm-19-tools libclang-rt-19-dev
  # LLVM 22 beside it (bookworm-security): the -DBTFKIT_LLVM_VERSION=22
  # build CI also makes and tests (utils/llvm22-build-and-test.sh; its
  # fuzzers take clang-22's libFuzzer)
  llvm-22-dev clang-22 lld-22 liblld-22-dev llvm-22-tools libclang-rt-22-dev
  libelf-dev zlib1g-dev libzstd-dev
  # the codecs of compressed modules and kernel images (Decompress.h)
  liblzma-dev liblz4-dev
  # tests and benchmarks; chromium opens the compatibility report's page
  # (utils/compat-report)
  googletest libgtest-dev libbenchmark-dev chromium
  # independent oracles and real inputs used by tests
  bpftool dwarves libbpf-dev
  # the clang-configured Linux 6.1 tree of the kernel-module tests
  # (utils/prepare-kernel-tree.sh), installed here so that CI runs
  # apt-get update once
  linux-source-6.1 bc bison flex libssl-dev make rsync cpio kmod
  # the real-kernel suite (utils/kernels) and utils/foreign-base: Debian's
  # kernels booted under QEMU with a busybox initramfs; their packages come
  # from other suites through a private apt state, and are unpacked with
  # dpkg-deb; their vmlinuz holds a zstd-compressed vmlinux
  qemu-system-x86 busybox-static zstd debian-archive-keyring
  # ctest dkms-build (utils/dkms): Debian's dkms building a GCC module
  # against Debian 12's installed headers, signed with a key openssl makes;
  # the headers of the 6.1 build whose vmlinux BTF the corpus holds
  dkms openssl linux-headers-6.1.0-50-amd64
  # and Debian 13's and unstable's own dkms, GCC and headers, in a root of
  # that suite made with debootstrap (utils/dkms/suite-root.sh)
  debootstrap
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
