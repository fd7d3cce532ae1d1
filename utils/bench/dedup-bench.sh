#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# btfkit's dedup against libbpf 1.1's btf__dedup(), side by side:
#   1. all corpus modules merged into one split BTF over vmlinux (~940,000
#      types before dedup), deduplicated;
#   2. the vmlinux BTF itself deduplicated again (~100,000 types).
# Each implementation runs in a process of its own so that its peak RSS is
# its own. Prints the figures and the ratios (libbpf / btfkit: > 1 means
# btfkit is faster or smaller). CPU time (user + system) is the measure that
# holds on a machine shared with other work; wall times are printed too.
#
#   utils/bench/dedup-bench.sh BUILD_DIR [REPEAT]
#
# BUILD_DIR is configured with -DBTFKIT_BUILD_BENCHMARKS=ON and holds the
# corpus (ctest -R corpus-prepare).
set -eu
BUILD=${1:?usage: dedup-bench.sh BUILD_DIR [REPEAT]}
REPEAT=${2:-3}
BIN=$BUILD/bin
CORPUS=$BUILD/corpus
VMLINUX=$CORPUS/vmlinux-6.1.0-50-amd64.btf
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ls "$CORPUS"/modules/*.btf > "$TMP/list"
"$BIN/btf-dedup" --concat-only --no-validate --base-btf="$VMLINUX" @"$TMP/list" \
  -o "$TMP/merged.btf"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

run() { # name input [base]
  name=$1 input=$2
  base=${3:+--base-btf=$3}
  ours=$("$BIN/dedup-bench" --impl=btfkit "$input" $base --repeat="$REPEAT")
  theirs=$("$BIN/dedup-bench" --impl=libbpf "$input" $base --repeat="$REPEAT")
  echo "== $name"
  echo "  $ours"
  echo "  $theirs"
  awk -v o="$ours" -v t="$theirs" 'function f(s, k,   a, i, n) {
      n = split(s, a, " "); for (i = 1; i <= n; i++)
        if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
    }
    BEGIN {
      printf "  dedup cpu: btfkit %.1f ms, libbpf %.1f ms: %.2fx faster\n",
        f(o, "dedup_cpu_ms"), f(t, "dedup_cpu_ms"),
        f(t, "dedup_cpu_ms") / f(o, "dedup_cpu_ms")
      printf "  total cpu (parse + dedup): %.2fx faster\n",
        f(t, "total_cpu_ms") / f(o, "total_cpu_ms")
      printf "  dedup wall: %.2fx faster\n", f(t, "dedup_ms") / f(o, "dedup_ms")
      printf "  peak RSS: btfkit %d KiB, libbpf %d KiB: %.2fx\n",
        f(o, "maxrss_kb"), f(t, "maxrss_kb"),
        f(t, "maxrss_kb") / f(o, "maxrss_kb")
    }'
}

run "4022 modules merged over vmlinux" "$TMP/merged.btf" "$VMLINUX"
run "vmlinux re-deduplicated" "$VMLINUX"
