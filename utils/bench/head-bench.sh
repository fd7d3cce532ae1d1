#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# btfkit against libbpf at its head (issue 15), side by side in one run,
# each measurement a process of its own (CPU time = user + system, and peak
# RSS, from GNU time):
#   1. dedup alone of all corpus modules merged over vmlinux, and of vmlinux
#      again (dedup-bench / dedup-bench-head, best of REPEAT in-process runs);
#   2. the whole job: parse vmlinux and the 4,022 modules, merge, dedup,
#      write (btfkit: `btf-dedup --no-validate --base-btf=V @LIST -o OUT`;
#      libbpf: `dedup-bench-head --impl=libbpf --whole`), outputs compared;
#   3. batch distill of every module (btfkit: `btf-distill --output-dir`;
#      libbpf: a btf__distill_base() loop writing the same files), outputs
#      compared file by file.
# Ratios are libbpf / btfkit: above 1 means btfkit is faster or smaller.
#
#   utils/bench/head-bench.sh BUILD_DIR [ROUNDS] [REPEAT]
#
# BUILD_DIR is configured with -DBTFKIT_BUILD_BENCHMARKS=ON
# -DBTFKIT_LIBBPF_HEAD=PREFIX (utils/bench/CMakeLists.txt) and holds the
# corpus (ctest -R corpus-prepare). Whole-process figures are the best of
# ROUNDS (default 3) runs, sides alternating. Run it under nice on a shared
# machine; CPU time is the figure that holds there.
set -eu
BUILD=${1:?usage: head-bench.sh BUILD_DIR [ROUNDS] [REPEAT]}
ROUNDS=${2:-3}
REPEAT=${3:-3}
BIN=$BUILD/bin
CORPUS=$BUILD/corpus
VMLINUX=$CORPUS/vmlinux-6.1.0-50-amd64.btf
for t in dedup-bench-head libbpf-distill-bench btf-dedup btf-distill; do
  [ -x "$BIN/$t" ] || { echo "$0: $BIN/$t missing: configure with -DBTFKIT_LIBBPF_HEAD=PREFIX" >&2; exit 2; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ls "$CORPUS"/modules/*.btf > "$TMP/list"

# measure NAME CMD...: runs CMD under GNU time, keeps the best CPU time and
# the lowest peak RSS of NAME in $TMP/NAME.{cpu,rss}.
measure() {
  m_name=$1
  shift
  /usr/bin/time -f "%U %S %M" -o "$TMP/time" "$@" > "$TMP/$m_name.out"
  read -r u s m < "$TMP/time"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
  if [ ! -f "$TMP/$m_name.cpu" ] || [ "$cpu" -lt "$(cat "$TMP/$m_name.cpu")" ]; then
    echo "$cpu" > "$TMP/$m_name.cpu"
  fi
  if [ ! -f "$TMP/$m_name.rss" ] || [ "$m" -lt "$(cat "$TMP/$m_name.rss")" ]; then
    echo "$m" > "$TMP/$m_name.rss"
  fi
}
# same_body A B: A and B (files, or folders of files of the same names) hold
# the same BTF bytes after their headers. libbpf head writes a BTF it
# created (btf__new_empty_split, btf__distill_base) with the 32-byte header
# of the layout extension, empty; btfkit writes the classic 24-byte header
# every kernel and libbpf reads. Prints what it found.
same_body() {
  python3 - "$1" "$2" <<'PY'
import os, struct, sys
a, b = sys.argv[1:]
pairs = ([(os.path.join(a, f), os.path.join(b, f)) for f in sorted(os.listdir(a))]
         if os.path.isdir(a) else [(a, b)])
def body(path):
    d = open(path, "rb").read()
    return d[struct.unpack_from("<I", d, 4)[0]:]
bad = [x for x, y in pairs if not os.path.exists(y) or body(x) != body(y)]
extra = len(os.listdir(b)) - len(pairs) if os.path.isdir(b) else 0
if bad or extra:
    print("DIFFERENT (%d of %d files, %d extra)" % (len(bad), len(pairs), extra))
else:
    print("identical after the header (%d file%s)" % (len(pairs), "s" if len(pairs) > 1 else ""))
PY
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p"; }

echo "== dedup alone (best of $REPEAT in-process runs)"
"$BIN/btf-dedup" --concat-only --no-validate --base-btf="$VMLINUX" @"$TMP/list" \
  -o "$TMP/merged.btf"
dedup_alone() { # name input [base]
  name=$1 input=$2
  base=${3:+--base-btf=$3}
  measure "$name-ours" "$BIN/dedup-bench-head" --impl=btfkit "$input" $base --repeat="$REPEAT"
  measure "$name-head" "$BIN/dedup-bench-head" --impl=libbpf "$input" $base --repeat="$REPEAT"
  o=$TMP/$name-ours.out t=$TMP/$name-head.out
  echo "$name: types $(field "$o" types_in) -> btfkit $(field "$o" types_out), libbpf head $(field "$t" types_out)"
  echo "  dedup CPU: btfkit $(field "$o" dedup_cpu_ms) ms, libbpf head $(field "$t" dedup_cpu_ms) ms: $(ratio "$(field "$t" dedup_cpu_ms)" "$(field "$o" dedup_cpu_ms)")"
  echo "  parse + dedup CPU: btfkit $(field "$o" total_cpu_ms) ms, libbpf head $(field "$t" total_cpu_ms) ms: $(ratio "$(field "$t" total_cpu_ms)" "$(field "$o" total_cpu_ms)")"
  echo "  peak RSS: btfkit $(field "$o" maxrss_kb) KiB, libbpf head $(field "$t" maxrss_kb) KiB: $(ratio "$(field "$t" maxrss_kb)" "$(field "$o" maxrss_kb)")"
}
dedup_alone merged "$TMP/merged.btf" "$VMLINUX"
dedup_alone vmlinux "$VMLINUX"

echo "== whole job: parse, merge, dedup, write all $(wc -l < "$TMP/list") modules (best of $ROUNDS)"
r=0
while [ $r -lt "$ROUNDS" ]; do
  measure whole-ours "$BIN/btf-dedup" --no-validate --base-btf="$VMLINUX" @"$TMP/list" -o "$TMP/whole-ours.btf"
  measure whole-head "$BIN/dedup-bench-head" --impl=libbpf --whole="$TMP/list" --base-btf="$VMLINUX" -o "$TMP/whole-head.btf"
  r=$((r + 1))
done
same=$(same_body "$TMP/whole-ours.btf" "$TMP/whole-head.btf")
echo "  outputs: $same ($(field "$TMP/whole-head.out" types_out) types)"
echo "  CPU: btfkit $(cat "$TMP/whole-ours.cpu") ms, libbpf head $(cat "$TMP/whole-head.cpu") ms: $(ratio "$(cat "$TMP/whole-head.cpu")" "$(cat "$TMP/whole-ours.cpu")")"
echo "  peak RSS: btfkit $(cat "$TMP/whole-ours.rss") KiB, libbpf head $(cat "$TMP/whole-head.rss") KiB: $(ratio "$(cat "$TMP/whole-head.rss")" "$(cat "$TMP/whole-ours.rss")")"

echo "== batch distill of all modules (best of $ROUNDS)"
# Every round writes into folders of its own, and nothing is deleted before
# the end: ext4 without a journal (this machine's disk) does not reuse an
# inode freed less than a minute ago (six minutes while its inode table
# block is unwritten; recently_deleted() in fs/ext4/ialloc.c), and whoever
# creates 8,044 files next to thousands of such inodes pays seconds of
# system time searching past them. Runs of this script a few minutes apart
# disturb each other the same way (its folders are deleted at exit). The
# sides take turns going first.
distill_ours() {
  measure distill-ours "$BIN/btf-distill" --base-btf="$VMLINUX" --output-dir="$TMP/d-ours.$r" @"$TMP/list"
}
distill_head() {
  mkdir -p "$TMP/d-head.$r"
  # shellcheck disable=SC2046
  measure distill-head "$BIN/libbpf-distill-bench" "$VMLINUX" "$TMP/d-head.$r" $(cat "$TMP/list")
}
r=0
while [ $r -lt "$ROUNDS" ]; do
  sync
  if [ $((r % 2)) -eq 0 ]; then distill_ours; distill_head; else distill_head; distill_ours; fi
  r=$((r + 1))
done
same=$(same_body "$TMP/d-ours.0" "$TMP/d-head.0")
echo "  outputs: $same"
echo "  CPU: btfkit $(cat "$TMP/distill-ours.cpu") ms, libbpf head $(cat "$TMP/distill-head.cpu") ms: $(ratio "$(cat "$TMP/distill-head.cpu")" "$(cat "$TMP/distill-ours.cpu")")"
echo "  peak RSS: btfkit $(cat "$TMP/distill-ours.rss") KiB, libbpf head $(cat "$TMP/distill-head.rss") KiB: $(ratio "$(cat "$TMP/distill-head.rss")" "$(cat "$TMP/distill-ours.rss")")"
