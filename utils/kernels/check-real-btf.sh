#!/usr/bin/env bash
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# The validator against real kernels' own BTF: Debian's 6.12 and 7.2
# kernels (pins in utils/kernels/pins), vmlinux and every module, must be
# valid by their own release's rules, as those kernels load them; and the
# release matters: 7.2's vmlinux BTF is refused by 6.12's rules for its
# attribute tags. (6.1's is the corpus: test/btf-validate/corpus.test.)
#
#   check-real-btf.sh BUILD_DIR
#
# Exit status: 0 all as expected, 1 a verdict differs, 77 the kernels
# cannot be fetched here (never under CI, where that is a failure).
# Cache: $BTFKIT_REAL_BTF_CACHE, default ~/.cache/btfkit/real-btf.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)/bin
cache=${BTFKIT_REAL_BTF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit/real-btf}
status=0
fail() { echo "check-real-btf: FAIL: $*" >&2; status=1; }

# first PATTERN...: the first of the paths the patterns name, or nothing.
first() {
  local p
  for p in "$@"; do
    [ -e "$p" ] && { echo "$p"; return; }
  done
  return 0
}

# extract PIN: the BTF of PIN's vmlinux and modules, once per pin.
extract() {
  local pin=$1 root dest vmlinuz kernel
  if ! root=$("$here/debian-packages.sh" fetch "$pin" | tail -n 1); then
    if [ -n "${CI:-}" ]; then
      echo "check-real-btf: cannot fetch $pin" >&2
      exit 1
    fi
    echo "check-real-btf: cannot fetch $pin here (no network?): skipped" >&2
    exit 77
  fi
  dest=$cache/$pin
  if [ -f "$dest/.complete" ] && cmp -s "$dest/.complete" "$root/.complete"; then
    return
  fi
  rm -rf "$dest" && mkdir -p "$dest/modules"
  vmlinuz=$(first "$root"/boot/vmlinuz-* "$root"/usr/lib/modules/*/vmlinuz)
  kernel=$(first "$root"/usr/lib/modules/*/kernel "$root"/lib/modules/*/kernel)
  if [ -z "$vmlinuz" ] || [ -z "$kernel" ]; then
    echo "check-real-btf: no vmlinuz or modules in $root" >&2
    exit 1
  fi
  python3 "$here/extract-btf.py" vmlinuz "$vmlinuz" "$dest/vmlinux.btf"
  python3 "$here/extract-btf.py" modules "$kernel" "$dest/modules"
  cp "$root/.complete" "$dest/.complete"
}

# check PIN RELEASE: vmlinux and modules valid by RELEASE's rules.
check() {
  local pin=$1 release=$2 dest=$cache/$1 out
  extract "$pin"
  if out=$("$bin/btf-dump" --validate --kernel-version="$release" "$dest/vmlinux.btf" 2>&1); then
    echo "$pin: $out"
  else
    fail "$pin's vmlinux BTF by Linux $release's rules: $out"
  fi
  if out=$("$bin/btfkit-validate-many" --kernel-version="$release" \
      --base-btf="$dest/vmlinux.btf" "@$dest/modules/list.txt" 2>&1 | tail -n 3); then
    echo "$pin: modules: $out"
  else
    fail "$pin's modules by Linux $release's rules: $out"
  fi
}

check 6.12.117 6.12
check 7.2.13 7.2

# The same 7.2 vmlinux by 6.12's rules: its attribute tags are refused.
out=$("$bin/btf-dump" --validate --kernel-version=6.12 "$cache/7.2.13/vmlinux.btf" 2>&1 || true)
case $out in
  *"TYPE_TAG 'address_space(1)' Invalid btf_info kind_flag"*"Linux 6.12 would refuse it"*)
    echo "7.2.13 by Linux 6.12's rules: refused, as expected" ;;
  *) fail "7.2.13's vmlinux by Linux 6.12's rules should be refused for its attribute tags: $out" ;;
esac
exit $status
