#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# The compatibility report (issue 17) against the two ways it is done
# without it, on Debian 6.12.117's 4,230 compressed modules (classic, built
# against its vmlinuz) and six kernels {6.12.95, 6.12.107, 6.12.117,
# 6.12.117-rt, 6.12.117-cloud, 7.2.13}, every kernel a vmlinuz:
#
#   1. report:     btf-relocate --report=DIR --built-against=VMLINUZ
#                  --base-btf=VMLINUZ x6 MODULES_DIR     (one process, all cores)
#   2. three-step: (a) xz -d of each module and the vmlinux out of each
#                  vmlinuz (zstd), one process each, two at a time;
#                  (b) btf-distill of each module over the vmlinux, one
#                  process each, two at a time (and, for reference, the
#                  batch form btf-distill --output-dir); (c) btf-relocate
#                  of all of them onto the six vmlinux
#   3. libbpf:     libbpf-report-bench, the same job as a loop over libbpf
#                  head's btf__distill_base() and btf__relocate() (one
#                  thread, decompression in process)
#
# Every measurement is a process tree of its own under GNU time: wall time,
# and CPU time (user + system, children included). On a shared machine the
# CPU time is the figure that holds; wall time says what a user waits for
# with the cores free. "Cold": before each measurement the input files (the
# modules, the vmlinuz images) are evicted from the page cache
# (posix_fadvise DONTNEED, which touches no other file), so every run reads
# them from the disk; btfkit keeps no cache for this job. The per-kernel
# counts of the three are printed and must agree.
#
#   utils/bench/report-bench.sh BUILD_DIR [ROUNDS]
#
# BUILD_DIR is configured with -DBTFKIT_BUILD_BENCHMARKS=ON
# -DBTFKIT_LIBBPF_HEAD=PREFIX (utils/bench/CMakeLists.txt). The Debian
# packages come from utils/kernels/debian-packages.sh (fetched if missing).
# Each figure is the best of ROUNDS (default 1).
set -eu
BUILD=${1:?usage: report-bench.sh BUILD_DIR [ROUNDS]}
ROUNDS=${2:-1}
BIN=$BUILD/bin
HERE=$(cd "$(dirname "$0")" && pwd)
FETCH=$HERE/../kernels/debian-packages.sh
for t in btf-relocate btf-distill libbpf-report-bench; do
  [ -x "$BIN/$t" ] || { echo "$0: $BIN/$t missing: configure with -DBTFKIT_BUILD_BENCHMARKS=ON -DBTFKIT_LIBBPF_HEAD=PREFIX" >&2; exit 2; }
done
KERNELS="6.12.95 6.12.107 6.12.117 6.12.117-rt 6.12.117-cloud 7.2.13"
"$FETCH" fetch $KERNELS > /dev/null
vmlinuz() {
  r=$("$FETCH" root "$1")
  ls "$r"/boot/vmlinuz-* "$r"/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n 1
}
BUILT=$(vmlinuz 6.12.117)
MODDIR=$(ls -d "$("$FETCH" root 6.12.117)"/usr/lib/modules/*/kernel)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
find "$MODDIR" -name '*.ko.xz' | sort > "$TMP/modules"
: > "$TMP/images"
TARGETS=""
for k in $KERNELS; do
  v=$(vmlinuz "$k")
  echo "$v" >> "$TMP/images"
  TARGETS="$TARGETS --base-btf=$v"
done
echo "== $(wc -l < "$TMP/modules") modules of $MODDIR"
echo "   built against $BUILT; kernels: $KERNELS"

# evict: the inputs out of the page cache.
evict() {
  cat "$TMP/modules" "$TMP/images" | python3 -c '
import os, sys
for p in sys.stdin.read().split():
    fd = os.open(p, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)'
}
# measure NAME CMD...: cold run under GNU time; keeps the best wall and CPU
# (ms) of NAME in $TMP/NAME.{wall,cpu}.
measure() {
  m_name=$1
  shift
  evict
  /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$@" > "$TMP/$m_name.out" 2> "$TMP/$m_name.err" || true
  # The last line: GNU time puts "Command exited with non-zero status N"
  # first (btf-relocate exits 1 when some module does not load).
  read -r e u s <<EOF2
$(tail -n 1 "$TMP/time")
EOF2
  wall=$(awk -v e="$e" 'BEGIN { printf "%.0f", e * 1000 }')
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
  for f in wall cpu; do
    eval "v=\$$f"
    if [ ! -f "$TMP/$m_name.$f" ] || [ "$v" -lt "$(cat "$TMP/$m_name.$f")" ]; then
      echo "$v" > "$TMP/$m_name.$f"
    fi
  done
}
ms() { awk -v v="$(cat "$TMP/$1.$2")" 'BEGIN { printf "%.2f s", v / 1000 }'; }
ratio() { awk -v a="$(cat "$TMP/$1.$3")" -v b="$(cat "$TMP/$2.$3")" 'BEGIN { printf "%.1fx", a / b }'; }
sum() { # NAME PARTS...: the sum of the parts' best figures
  n=$1
  shift
  for f in wall cpu; do
    t=0
    for p in "$@"; do t=$((t + $(cat "$TMP/$p.$f"))); done
    echo "$t" > "$TMP/$n.$f"
  done
}

# The three-step flow's parts as scripts, so that GNU time sees each tree.
cat > "$TMP/decompress.sh" <<EOF
set -e
rm -rf "$TMP/ko" && mkdir -p "$TMP/ko"
xargs -P 2 -I {} sh -c 'xz -dc "\$1" > "$TMP/ko/\$(basename "\$1" .xz)"' sh {} < "$TMP/modules"
i=0
while read -r v; do
  i=\$((i + 1))
  python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = struct.unpack_from("<II", d, 0x248)
s = ((d[0x1f1] or 4) + 1) * 512 + off
sys.stdout.buffer.write(d[s:s + n - 4])' "\$v" | zstd -dcq > "$TMP/vmlinux.\$i"
done < "$TMP/images"
EOF
BUILT_VMLINUX=$TMP/vmlinux.3 # 6.12.117, the third kernel
cat > "$TMP/distill.sh" <<EOF
set -e
rm -rf "$TMP/dist" && mkdir -p "$TMP/dist"
ls "$TMP"/ko/*.ko | xargs -P 2 -I {} sh -c '"$BIN/btf-distill" --base-btf="$BUILT_VMLINUX" "\$1" -o "$TMP/dist/\$(basename "\$1")"' sh {}
EOF
cat > "$TMP/distill-batch.sh" <<EOF
set -e
rm -rf "$TMP/distb" && mkdir -p "$TMP/distb"
ls "$TMP"/ko/*.ko > "$TMP/kolist"
"$BIN/btf-distill" --base-btf="$BUILT_VMLINUX" --output-dir="$TMP/distb" @"$TMP/kolist"
EOF
cat > "$TMP/relocate.sh" <<EOF
ls "$TMP"/dist/*.ko > "$TMP/distlist"
"$BIN/btf-relocate" --format=json $(i=0; for k in $KERNELS; do i=$((i + 1)); printf -- '--base-btf=%s/vmlinux.%d ' "$TMP" "$i"; done) \$(cat "$TMP/distlist")
EOF

r=0
while [ "$r" -lt "$ROUNDS" ]; do
  rm -rf "$TMP/report"
  # shellcheck disable=SC2086
  measure report "$BIN/btf-relocate" --report="$TMP/report" --built-against="$BUILT" $TARGETS "$MODDIR"
  # shellcheck disable=SC2086,SC2046
  measure libbpf "$BIN/libbpf-report-bench" "$BUILT" $(cat "$TMP/images") -- $(cat "$TMP/modules")
  measure decompress sh "$TMP/decompress.sh"
  measure distill sh "$TMP/distill.sh"
  measure distill-batch sh "$TMP/distill-batch.sh"
  measure relocate sh "$TMP/relocate.sh"
  r=$((r + 1))
done
sum three-step decompress distill relocate
sum three-step-batch decompress distill-batch relocate

echo "== per-kernel verdicts (loads/refused)"
python3 - "$TMP" $KERNELS <<'PY'
import json, re, sys
tmp, kernels = sys.argv[1], sys.argv[2:]
rep = json.load(open(tmp + "/report/report.json"))
report = [(k["counts"]["loads"], k["counts"]["refused"] + k["counts"]["garbled"]) for k in rep["kernels"]]
lib = [tuple(map(int, m.groups())) for m in re.finditer(r"kernel \d+: (\d+) relocate, (\d+) fail", open(tmp + "/libbpf.out").read())]
three = json.load(open(tmp + "/relocate.out"))
targets = three["targets"]
counts = [[0, 0] for _ in targets]
for v in three["results"]:
    counts[targets.index(v["target"])][0 if v["loads"] else 1] += 1
three = [tuple(c) for c in counts]
for i, k in enumerate(rep["kernels"]):
    print("  %-28s report %5d/%-5d three-step %5d/%-5d libbpf head %5d/%-5d" % (
        k["name"], report[i][0], report[i][1], three[i][0], three[i][1], lib[i][0], lib[i][1]))
    if k["causes"]:
        c = k["causes"][0]
        print("  %-28s first cause: %s: %d modules" % ("", c["summary"], c["count"]))
print("  verdict counts: " + ("the same" if report == three == lib else "DIFFERENT"))
PY

echo "== times (cold inputs; best of $ROUNDS)"
for n in report three-step decompress distill distill-batch relocate three-step-batch libbpf; do
  printf '  %-17s wall %9s   CPU %9s\n' "$n" "$(ms "$n" wall)" "$(ms "$n" cpu)"
done
grep -o '[a-z]*_cpu_ms=[0-9]*' "$TMP/libbpf.out" | tr '\n' ' ' | sed 's/^/  libbpf phases: /'
echo
echo "== ratios (other / report; above 1: the report is faster)"
for n in three-step three-step-batch libbpf; do
  printf '  %-17s wall %s   CPU %s\n' "$n" "$(ratio "$n" report wall)" "$(ratio "$n" report cpu)"
done
