#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# Distill every corpus module over vmlinux-6.1.0-50 and relocate the result
# onto one target kernel, with btfkit and with libbpf (btf__distill_base,
# btf__relocate), and print per-module and total times and ratios.
#
#   LIBBPF_HEAD=DIR utils/bench/relocate-bench.sh BUILD_DIR [CORPUS_DIR] [TARGET]
#
# BUILD_DIR is a btfkit build configured with -DBTFKIT_BUILD_BENCHMARKS=ON
# (for bin/relocate-bench). CORPUS_DIR defaults to BUILD_DIR/corpus, TARGET to
# vmlinux-6.1.0-47-amd64 (a kernel most modules fail on: the worst case for
# explanations). LIBBPF_HEAD points at a libbpf >= 1.5 source tree (its
# current head) built with
#     make -C $LIBBPF_HEAD/src BUILD_STATIC_ONLY=1
# (LIBBPF_A may name the libbpf.a if it was built elsewhere, e.g. with
# OBJDIR=). Debian 12's libbpf 1.1 lacks the two functions. Times are the
# thread's CPU time (BENCH_CLOCK=wall for wall time); each side runs ROUNDS
# times (default 3), alternating, and each module's best time counts.
set -eu
BUILD=${1:?usage: LIBBPF_HEAD=DIR $0 BUILD_DIR [CORPUS_DIR] [TARGET]}
CORPUS=${2:-$BUILD/corpus}
TARGET=${3:-vmlinux-6.1.0-47-amd64}
ROUNDS=${ROUNDS:-3}
: "${LIBBPF_HEAD:?set LIBBPF_HEAD to a libbpf >= 1.5 source tree built with make -C src BUILD_STATIC_ONLY=1}"
LIBBPF_A=${LIBBPF_A:-$LIBBPF_HEAD/src/libbpf.a}
SRC=$(cd "$(dirname "$0")" && pwd)
OURS=$BUILD/bin/relocate-bench
[ -x "$OURS" ] || { echo "$0: $OURS missing: configure with -DBTFKIT_BUILD_BENCHMARKS=ON and build relocate-bench" >&2; exit 2; }
[ -f "$LIBBPF_A" ] || { echo "$0: $LIBBPF_A missing (set LIBBPF_A)" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# libbpf's headers are included as <bpf/btf.h>.
mkdir -p "$TMP/inc" && ln -s "$LIBBPF_HEAD/src" "$TMP/inc/bpf"
${CC:-cc} -O2 -I"$TMP/inc" -I"$LIBBPF_HEAD/include/uapi" \
  "$SRC/libbpf-relocate-bench.c" "$LIBBPF_A" -lelf -lz -o "$TMP/libbpf-bench"

BASE=$CORPUS/vmlinux-6.1.0-50-amd64.btf
TGT=$CORPUS/$TARGET.btf
ls "$CORPUS"/modules/*.btf > "$TMP/modules"
r=1
while [ $r -le "$ROUNDS" ]; do
  xargs "$OURS" "$BASE" "$TGT" < "$TMP/modules" > "$TMP/ours.$r"
  xargs "$TMP/libbpf-bench" "$BASE" "$TGT" < "$TMP/modules" > "$TMP/libbpf.$r" 2>/dev/null
  r=$((r + 1))
done

python3 - "$TMP" "$ROUNDS" "$TARGET" <<'PY'
import sys
tmp, rounds, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(side):
    best, index, verdict = {}, None, {}
    for r in range(1, rounds + 1):
        for line in open("%s/%s.%d" % (tmp, side, r)):
            f = line.rstrip("\n").split("\t")
            if f[0] == "INDEX":
                index = min(index or 1e30, float(f[1]))
            elif f[0] != "TOTAL":
                d, rl = float(f[1]), float(f[2])
                b = best.get(f[0])
                best[f[0]] = (min(b[0], d), min(b[1], rl)) if b else (d, rl)
                verdict[f[0]] = f[3]
    return best, index or 0.0, verdict
ours, index, vo = load("ours")
lib, _, vl = load("libbpf")
diff = [m for m in ours if vo[m] != vl.get(m)]
print("%-28s %10s %10s %7s %10s %10s %7s  %s" % ("module (us)", "distill", "libbpf", "ratio",
      "relocate", "libbpf", "ratio", "verdict"))
for m in sorted(ours):
    (od, orl), (ld, lrl) = ours[m], lib[m]
    print("%-28s %10.1f %10.1f %6.1fx %10.1f %10.1f %6.1fx  %s" % (m[:28], od, ld, ld / od if od else 0,
          orl, lrl, lrl / orl if orl else 0, vo[m]))
n = len(ours)
od = sum(v[0] for v in ours.values()); orl = sum(v[1] for v in ours.values())
ld = sum(v[0] for v in lib.values()); lrl = sum(v[1] for v in lib.values())
print()
print("%d modules onto %s (best of %d rounds, thread CPU time unless BENCH_CLOCK=wall)" % (n, target, rounds))
print("distill:  btfkit %8.3f s (%6.1f us/module)   libbpf %8.3f s (%6.1f us/module)   %.1fx faster" %
      (od / 1e6, od / n, ld / 1e6, ld / n, ld / od))
print("relocate: btfkit %8.3f s (%6.1f us/module, + %.1f ms target index once)   libbpf %8.3f s (%6.1f us/module)   %.1fx faster (index included: %.1fx)" %
      (orl / 1e6, orl / n, index / 1e3, lrl / 1e6, lrl / n, lrl / orl, lrl / (orl + index)))
print("verdicts: %d relocate, %d fail; %s" % (sum(v == "ok" for v in vo.values()), sum(v == "fail" for v in vo.values()),
      "same as libbpf for every module" if not diff else "DIFFER from libbpf for: " + " ".join(diff[:10])))
PY
