#!/bin/bash
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Compile-time cost of the btfkit plugin: compiles each C file with
# `clang-19 -O2 -g -c` without and with the plugin (and with a base BTF when
# one is given), interleaved, REPEAT times, keeps each file's fastest run (CPU time),
# and prints the totals side by side with pahole's encoding time for the
# same objects (pahole -J --btf_gen_floats, as Kbuild runs it).
#
#   plugin-bench.sh PLUGIN.so [-b BASE.btf] [-r REPEAT] [-- CFLAGS...] FILE.c...
#
# Target (issue 5): the plugin adds at most 3% over the set.
set -euo pipefail

usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
PLUGIN=$(realpath "$1"); shift
BASE=""; REPEAT=5; CFLAGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -b) BASE=$(realpath "$2"); shift 2 ;;
    -r) REPEAT=$2; shift 2 ;;
    --) shift; while [ $# -gt 0 ] && [[ "$1" != *.c ]]; do CFLAGS+=("$1"); shift; done ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
CC=${CC:-clang-19}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# run_us CMD... : CPU time (user + system) of one run in microseconds.
# CPU time, not wall time: the numbers stay meaningful on a shared machine.
run_us() {
  /usr/bin/time -f '%U %S' -o "$TMP/time" "$@" >/dev/null 2>&1
  awk '{ printf "%d\n", ($1 + $2) * 1000000 }' "$TMP/time"
}

declare -A BEST
configs=(plain plugin)
[ -n "$BASE" ] && configs+=(base)
total() { local s=0 v; for v in "$@"; do s=$((s + v)); done; echo $s; }

for f in "$@"; do
  for ((r = 0; r < REPEAT; r++)); do
    for c in "${configs[@]}"; do
      case $c in
        plain)  us=$(run_us $CC -O2 -g "${CFLAGS[@]}" -c "$f" -o "$TMP/o.o") ;;
        plugin) us=$(run_us env -u BTFKIT_BASE $CC -O2 -g "${CFLAGS[@]}" -fpass-plugin="$PLUGIN" -c "$f" -o "$TMP/o.o") ;;
        base)   us=$(run_us env BTFKIT_BASE="$BASE" $CC -O2 -g "${CFLAGS[@]}" -fpass-plugin="$PLUGIN" -c "$f" -o "$TMP/o.o") ;;
      esac
      k="$c|$f"
      if [ -z "${BEST[$k]:-}" ] || [ "$us" -lt "${BEST[$k]}" ]; then BEST[$k]=$us; fi
    done
    if command -v pahole >/dev/null; then
      $CC -O2 -g "${CFLAGS[@]}" -c "$f" -o "$TMP/p.o" 2>/dev/null
      us=$(run_us pahole -J --btf_gen_floats "$TMP/p.o")
      k="pahole|$f"
      if [ -z "${BEST[$k]:-}" ] || [ "$us" -lt "${BEST[$k]}" ]; then BEST[$k]=$us; fi
    fi
  done
done

printf '%-40s %10s %10s %8s' file plain_us plugin_us ratio
[ -n "$BASE" ] && printf ' %10s %8s' base_us ratio
printf ' %10s\n' pahole_us
declare -a P Q B H
for f in "$@"; do
  p=${BEST[plain|$f]}; q=${BEST[plugin|$f]}; P+=($p); Q+=($q)
  printf '%-40s %10d %10d %8.4f' "$(basename "$f")" $p $q "$(echo "$q / $p" | bc -l)"
  if [ -n "$BASE" ]; then b=${BEST[base|$f]}; B+=($b); printf ' %10d %8.4f' $b "$(echo "$b / $p" | bc -l)"; fi
  h=${BEST[pahole|$f]:-0}; H+=($h); printf ' %10d\n' $h
done
tp=$(total "${P[@]}"); tq=$(total "${Q[@]}")
printf '%-40s %10d %10d %8.4f' TOTAL $tp $tq "$(echo "$tq / $tp" | bc -l)"
if [ -n "$BASE" ]; then tb=$(total "${B[@]}"); printf ' %10d %8.4f' $tb "$(echo "$tb / $tp" | bc -l)"; fi
printf ' %10d\n' "$(total "${H[@]}")"
echo "plugin overhead: $(echo "($tq - $tp) * 100 / $tp" | bc -l | cut -c1-6)% (target <= 3%);" \
     "plugin's own time vs pahole's: $(echo "($tq - $tp)" | bc) us vs $(total "${H[@]}") us"
