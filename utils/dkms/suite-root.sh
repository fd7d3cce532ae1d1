#!/usr/bin/env bash
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# A Debian system root of another suite (trixie, sid) holding that suite's
# own dkms, GCC and make, and a pinned linux-headers package installed by
# the suite's apt, so that ctest dkms-build can build a module with dkms
# exactly as a Debian 13 or unstable user does: those headers' kbuild
# programs need the suite's glibc, and their .config the suite's GCC, so
# they cannot run on Debian 12 itself. Built once with debootstrap
# (minbase), cached outside the repository; prints the root's path.
#
#   suite-root.sh NAME      NAME: a pin in utils/kernels/pins naming the
#                           headers packages (e.g. 6.12.117-headers)
#
# Cache: $BTFKIT_DEBIAN_CACHE (default ~/.cache/btfkit-debian), folder
# suite-root/NAME-<hash of the pin line, the package list and the mirror>,
# with a .complete marker written last: an interrupted build is redone,
# never half used. One build of a NAME at a time (flock); the others wait
# and find it complete. Needs root (debootstrap, chroot, mounts); the
# mounts live in a private mount namespace (unshare) and go with it. The
# machine's own apt sources are never touched.
#
# Signatures: debootstrap checks the suite's Release file against this
# machine's debian-archive-keyring (Debian 12's holds the keys trixie and
# sid are signed with: debian-packages.sh's private apt state checks them
# the same way), and the root's apt then checks its own updates against the
# suite's keyring that debootstrap installed in it. (Debian 12's keyring,
# 2023.3+deb12u2, holds "Debian Archive Automatic Signing Key (13/trixie)",
# whose subkey signs sid today; once sid is signed with a key Debian 12's
# keyring lacks, debootstrap refuses it until that keyring is updated.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PINS=${BTFKIT_KERNEL_PINS:-$here/../kernels/pins}
CACHE=${BTFKIT_DEBIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit-debian}
MIRROR=${BTFKIT_DEBIAN_MIRROR:-}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
die() { echo "suite-root: $*" >&2; exit 2; }

# What dkms-build needs in the root besides the pinned headers: dkms, the
# suite's default GCC, make and libc headers (dkms's own dependencies name
# some of these; naming them all keeps the root independent of that),
# kmod and openssl (dkms makes its signing key with openssl), and the
# libraries btfkit's binaries link dynamically (`ldd bin/btf-link`: LLVM is
# linked in statically); libelf is libelf1t64 from trixie on.
PACKAGES=(dkms gcc make libc6-dev kmod openssl
  libelf1t64 libzstd1 zlib1g liblzma5 liblz4-1 libstdc++6)

[ $# -eq 1 ] || die "usage: suite-root.sh NAME (a headers pin in $PINS)"
name=$1
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mounts)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (utils/install-deps.sh installs it)"
[ -f "$KEYRING" ] || die "$KEYRING missing (debian-archive-keyring, utils/install-deps.sh)"

if [ -z "$MIRROR" ]; then
  # The archive this machine's apt already uses (as debian-packages.sh).
  MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi

line=$(awk -v n="$name" '$1 == n' "$PINS")
[ -n "$line" ] || die "no pin named '$name' in $PINS"
# shellcheck disable=SC2086
set -- $line
suite=$2
shift 2
pinned=("$@")
case "$suite" in
  trixie | sid) ;;
  *) die "$PINS: pin '$name' is of suite '$suite'; a root is made of trixie or sid only" ;;
esac

key=$(printf '%s\n' "$line" "${PACKAGES[*]}" "$MIRROR" | sha256sum | cut -c1-8)
dest=$CACHE/suite-root/$name-$key
mkdir -p "$CACHE/locks" "$CACHE/suite-root"
exec {lock}>"$CACHE/locks/suite-root-$name"
flock "$lock"
if [ -f "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi

tmp=$(mktemp -d "$CACHE/suite-root/build-$name.XXXXXX")
chmod 755 "$tmp"  # a system's /: apt's _apt user reads under it
log=$CACHE/suite-root/$name.log
trap 'rm -rf "$tmp"' EXIT
echo "suite-root: building a $suite root for $name (once; log: $log)" >&2
debootstrap --variant=minbase --keyring="$KEYRING" "$suite" "$tmp" "$MIRROR" >"$log" 2>&1 \
  || die "debootstrap $suite failed (see $log)"
echo "deb $MIRROR $suite main" >"$tmp/etc/apt/sources.list"
# sid's Release expires within days and a lagging mirror then serves an
# expired one, as debian-packages.sh notes; its signature is checked still.
echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99btfkit"
# No services start in the root (the usual policy-rc.d of a chroot).
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true

# apt installs the pinned headers (pkg=version) with their dependencies as
# they are on the suite: the 6.12 headers depend on the kernel's image
# (which brings initramfs-tools), the 7.x ones on linux-base-RELEASE; both
# kbuild packages depend on pahole, so a user of those headers has it.
# shellcheck disable=SC2016  # expanded by the inner shell
# unshare makes every mount of the namespace private by changing "/", which
# fails where "/" is no mount point (a chroot, as in a clean-root check):
# there the namespace keeps its propagation and the mount holding the root
# is made private by hand, when one is visible (dkms-build.py does the same).
prop=private
unshare --mount --propagation private true 2>/dev/null || prop=unchanged
unshare --mount --propagation "$prop" bash -c '
  set -e
  r=$1; shift
  mp=$(findmnt -n -o TARGET --target "$r" 2>/dev/null) &&
    mount --make-rprivate "$mp" 2>/dev/null || true
  mount -t proc proc "$r/proc"
  mount --rbind /dev "$r/dev"
  chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 sh -ec "
      apt-get -q update
      apt-get -q install -y --no-install-recommends $*
      apt-get clean
      rm -rf /var/lib/apt/lists/*"' _ "$tmp" "${PACKAGES[*]} ${pinned[*]}" >>"$log" 2>&1 \
  || die "installing ${PACKAGES[*]} ${pinned[*]} in the $suite root failed (see $log)"
rm -f "$tmp/usr/sbin/policy-rc.d"

for p in "${pinned[@]}"; do
  # shellcheck disable=SC2016  # dpkg-query's format
  got=$(chroot "$tmp" dpkg-query -W -f='${Version}' "${p%%=*}" 2>/dev/null || true)
  [ "$got" = "${p#*=}" ] || die "$suite root: ${p%%=*} is '$got', want ${p#*=} (see $log)"
done
echo "$line" >"$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
