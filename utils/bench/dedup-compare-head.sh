#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# btfkit's dedup against libbpf head's on every kind of corpus input
# (issue 15), by hand: libbpf head is a benchmark anchor, not a test
# dependency, so this is not part of ctest (test/btf-dedup compares with the
# system's libbpf 1.1 and with checked-in expectations instead).
#
#   utils/bench/dedup-compare-head.sh BUILD_DIR [GROUP]
#
# BUILD_DIR is configured with -DBTFKIT_BUILD_BENCHMARKS=ON
# -DBTFKIT_LIBBPF_HEAD=PREFIX (for bin/btf-dedup-libbpf-head) and holds the
# corpus (ctest -R corpus-prepare). Compares, each as bytes and, when the
# bytes differ, as canonical dumps (docs/Dedup.md):
#   - every module followed by a copy of its own types;
#   - the modules merged in consecutive groups of GROUP (default 250), and
#     all of them together;
#   - vmlinux BTF (each corpus kernel) deduplicated again;
#   - the 6.1.0-50 vmlinux with every module appended as base types.
# Prints one line per input and exits 1 if any result differs.
# SKIP_MODULES=1 leaves out the per-module comparison.
set -eu
BUILD=${1:?usage: dedup-compare-head.sh BUILD_DIR [GROUP]}
GROUP=${2:-250}
BIN=$BUILD/bin
CORPUS=$BUILD/corpus
VMLINUX=$CORPUS/vmlinux-6.1.0-50-amd64.btf
HEAD=$BIN/btf-dedup-libbpf-head
[ -x "$HEAD" ] || { echo "$0: $HEAD missing: configure with -DBTFKIT_LIBBPF_HEAD=PREFIX" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bad=0

# compare NAME INPUT [BASE [LIST]]: dedup INPUT both ways, compare; with
# LIST, btfkit merges the modules it names directly (DedupAppender's path
# with many inputs) instead of reading their concatenation INPUT.
compare() {
  name=$1 input=$2
  base=${3:+--base-btf=$3}
  ours_in=${4:+@$4}
  "$BIN/btf-dedup" --no-validate $base "${ours_in:-$input}" -o "$TMP/ours.btf" --stats \
    | sed -n 's/^types: //p' > "$TMP/stats"
  "$HEAD" $base "$input" -o "$TMP/head.btf"
  if cmp -s "$TMP/ours.btf" "$TMP/head.btf"; then
    echo "$name: $(cat "$TMP/stats") types, byte-identical"
    return
  fi
  "$BIN/btf-diff" --canonical-dump $base "$TMP/ours.btf" > "$TMP/ours.txt"
  "$BIN/btf-diff" --canonical-dump $base "$TMP/head.btf" > "$TMP/head.txt"
  if cmp -s "$TMP/ours.txt" "$TMP/head.txt"; then
    echo "$name: $(cat "$TMP/stats") types, equal type for type (bytes differ)"
  else
    echo "$name: DIFFERENT from libbpf head ($(cat "$TMP/stats") types)"
    "$BIN/btf-diff" $base "$TMP/ours.btf" "$TMP/head.btf" | head -20 || true
    bad=1
  fi
}

if [ -z "${SKIP_MODULES:-}" ]; then # about 2 minutes
  echo "== each module followed by a copy of itself"
  "$HEAD" --differential --self-append --base-btf="$VMLINUX" \
    --dir="$CORPUS/modules" | tail -3 || bad=1
fi

echo "== modules merged"
ls "$CORPUS"/modules/*.btf > "$TMP/all"
split -l "$GROUP" -d -a 3 "$TMP/all" "$TMP/group."
for g in "$TMP"/group.*; do
  "$BIN/btf-dedup" --concat-only --no-validate --base-btf="$VMLINUX" @"$g" \
    -o "$TMP/in.btf"
  compare "group ${g##*.} ($(wc -l < "$g") modules)" "$TMP/in.btf" "$VMLINUX"
  compare "  the same merged directly" "$TMP/in.btf" "$VMLINUX" "$g"
done
"$BIN/btf-dedup" --concat-only --no-validate --base-btf="$VMLINUX" @"$TMP/all" \
  -o "$TMP/in.btf"
compare "all $(wc -l < "$TMP/all") modules" "$TMP/in.btf" "$VMLINUX"
compare "  the same merged directly" "$TMP/in.btf" "$VMLINUX" "$TMP/all"

echo "== vmlinux again"
for v in "$CORPUS"/vmlinux-*.btf; do
  compare "$(basename "$v")" "$v"
done

echo "== vmlinux with every module appended as base types"
"$BIN/btf-dedup" --concat-only --append-to-base --no-validate \
  --base-btf="$VMLINUX" @"$TMP/all" -o "$TMP/in.btf"
compare "vmlinux + modules" "$TMP/in.btf"
exit $bad
