#!/bin/sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# utils/fuzz/make-seeds.sh BUILD_DIR
#
# Remakes the seeds of btf-fuzz-fragment and btf-fuzz-dwarf
# (test/fuzz-corpus/fragment, test/fuzz-corpus/dwarf) from the sources
# next to this script: real objects from clang-19 (with and without the
# btfkit plugin, built against utils/fuzz/base.btf) and gcc, and `ld -r`
# outputs of them. Needs clang-19, ld.lld-19, llvm-objcopy-19, gcc and the
# plugin of BUILD_DIR. The seeds are committed; rerun this only to change
# them (the compilers' output differs between versions).
set -eu
here=$(cd "$(dirname "$0")/seeds" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: make-seeds.sh BUILD_DIR}" && pwd)
plugin=$build/lib/btfkit-plugin.so
frag=$src/test/fuzz-corpus/fragment
dwarf=$src/test/fuzz-corpus/dwarf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$frag" "$dwarf"
# Relative source names: the seeds name no folder of this machine.
cd "$here"
map="-fdebug-prefix-map=$here=."

# The plugin, against the fuzzers' base and without one.
withbase() { env BTFKIT_BASE="$src/utils/fuzz/base.btf" BTFKIT_CACHE_DIR=off "$@"; }
withbase clang-19 -g -O2 -fpass-plugin="$plugin" -c uses-base.c $map -o "$tmp/uses-base.o"
withbase clang-19 -g -O2 -fpass-plugin="$plugin" -c kinds.c $map -o "$tmp/kinds.o"
env BTFKIT_CACHE_DIR=off clang-19 -g -O2 -fpass-plugin="$plugin" -c kinds.c $map -o "$tmp/kinds-nobase.o"
ld.lld-19 -r "$tmp/uses-base.o" "$tmp/kinds.o" -o "$tmp/partial.o"
for o in uses-base kinds kinds-nobase partial; do
  llvm-objcopy-19 --dump-section .BTF.btfkit="$frag/$o.frag" "$tmp/$o.o" "$tmp/junk.o"
done

# DWARF as each compiler writes it; relocations left for the reader.
clang-19 -g -O1 -c kinds.c $map -o "$dwarf/clang-dwarf5.o"
clang-19 -gdwarf-4 -fdebug-types-section -O0 -c kinds.c $map -o "$dwarf/clang-dwarf4-type-units.o"
clang-19 --target=i386-linux-gnu -g -O1 -c kinds.c $map -o "$dwarf/clang-i386.o"
clang-19 --target=powerpc64-linux-gnu -g -O1 -c kinds.c $map -o "$dwarf/clang-ppc64-big-endian.o"
gcc -g -O2 -c kinds.c $map -o "$dwarf/gcc.o"
gcc -g -O2 -c uses-base.c $map -o "$tmp/uses-base-gcc.o"
# A module: one object with a fragment, one with DWARF only.
ld.lld-19 -r "$tmp/kinds.o" "$tmp/uses-base-gcc.o" -o "$dwarf/mixed.ko"
# GCC's own BTF: two -gbtf objects concatenated in .BTF by `ld -r`. (GCC
# 12 keeps the working folder and the source's name in the BTF strings
# whatever the prefix maps say: the sources are read from standard input,
# in /.)
(cd / && gcc -gbtf -O2 -c -x c - -o "$tmp/kinds-gbtf.o") <kinds.c
(cd / && gcc -gbtf -O2 -c -x c - -o "$tmp/uses-base-gbtf.o") <uses-base.c
ld -r "$tmp/kinds-gbtf.o" "$tmp/uses-base-gbtf.o" -o "$dwarf/gcc-gbtf.ko"
ls -l "$frag" "$dwarf"
