#!/usr/bin/env bash
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# Fetches pinned Debian packages from suites beyond this machine's own
# (trixie, sid, experimental, bookworm-backports) through a private apt state,
# never touching the machine's sources, and unpacks them into a cache outside
# the repository. Pins: utils/kernels/pins.
#
#   debian-packages.sh fetch NAME...    download and unpack; prints each root
#   debian-packages.sh root NAME        the unpacked root of NAME (fetched)
#   debian-packages.sh available REGEX  package names and versions on offer
#   debian-packages.sh names            the pinned names
#
# Cache: $BTFKIT_DEBIAN_CACHE, default ~/.cache/btfkit-debian. Every package
# of a NAME is unpacked into one folder, root/NAME-<hash of its pin line>,
# with a .complete marker written last, so an interrupted fetch is redone,
# never half used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PINS=${BTFKIT_KERNEL_PINS:-$here/pins}
CACHE=${BTFKIT_DEBIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit-debian}
MIRROR=${BTFKIT_DEBIAN_MIRROR:-}
die() { echo "debian-packages: $*" >&2; exit 2; }

if [ -z "$MIRROR" ]; then
  # The archive this machine's apt already uses.
  MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi

APT=$CACHE/apt
apt_opts=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o Dir::Etc::sourceparts=/nonexistent
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o Dir::State::status=/dev/null
  -o APT::Architecture=amd64 -o Acquire::Languages=none -o Debug::NoLocking=1
  -o Acquire::Check-Valid-Until=false -o Acquire::Check-Date=false)
# Signatures are checked as always; the Release dates are not: sid's and
# experimental's Release files expire within days, and a mirror that lags
# (or a snapshot) then refuses them, although the packages pinned are
# exactly the ones wanted.

# update_lists: refreshes the private package lists at most once an hour.
update_lists() {
  local lock
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$CACHE/locks"
  exec {lock}>"$CACHE/locks/apt-lists"
  flock "$lock"
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    for s in trixie sid experimental bookworm-backports; do
      echo "deb [signed-by=$key] $MIRROR $s main"
    done
  } >"$APT/sources.list"
  if [ -z "$(find "$APT/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -1)" ]; then
    apt-get "${apt_opts[@]}" -q update >"$APT/update.log" 2>&1 \
      || die "apt-get update of the private state failed (see $APT/update.log)"
  fi
  exec {lock}>&-
}

pin_line() {
  local line
  line=$(awk -v n="$1" '$1 == n' "$PINS")
  [ -n "$line" ] || die "no pin named '$1' in $PINS (pinned: $(awk '!/^#/ && NF {printf "%s ", $1}' "$PINS"))"
  echo "$line"
}

fetch_one() {
  local name=$1 line dest tmp lock
  line=$(pin_line "$name")
  # Each pin of a NAME unpacks into a folder of its own, so checkouts with
  # different pins share the cache without undoing each other's fetches.
  dest=$CACHE/root/$name-$(echo "$line" | sha256sum | cut -c1-8)
  # One fetch of a NAME at a time; the others wait and find it complete.
  mkdir -p "$CACHE/locks"
  exec {lock}>"$CACHE/locks/$name"
  flock "$lock"
  if [ -f "$dest/.complete" ]; then
    exec {lock}>&-
    echo "$dest"; return
  fi
  update_lists
  tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
  # shellcheck disable=SC2086
  set -- $line
  shift 2
  (cd "$tmp" && apt-get "${apt_opts[@]}" -q download "$@" >"$tmp/download.log" 2>&1) \
    || { cat "$tmp/download.log" >&2; rm -rf "$tmp"; die "cannot download $* (the pin may have left the archive: see $PINS)"; }
  rm -rf "$dest"; mkdir -p "$dest"
  for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$dest" || die "cannot unpack $deb"
  done
  rm -rf "$tmp"
  echo "$line" >"$dest/.complete"
  exec {lock}>&-
  echo "$dest"
}

cmd=${1:-}; shift || true
mkdir -p "$CACHE"
case "$cmd" in
  fetch) [ $# -gt 0 ] || die "usage: fetch NAME..."; for n in "$@"; do fetch_one "$n"; done ;;
  root) [ $# -eq 1 ] || die "usage: root NAME"; fetch_one "$1" ;;
  available)
    [ $# -eq 1 ] || die "usage: available REGEX"
    update_lists
    apt-cache "${apt_opts[@]}" search --names-only "$1" | cut -d' ' -f1 | sort -V | while read -r p; do
      apt-cache "${apt_opts[@]}" madison "$p" | awk '{printf "%s=%s (%s)\n", $1, $3, $6}'
    done ;;
  names) awk '!/^#/ && NF {print $1}' "$PINS" ;;
  *) die "usage: debian-packages.sh fetch|root|available|names ..." ;;
esac
