#!/usr/bin/env bash
# Checks what `cmake --install` puts where, and that the installed library is
# usable by an out-of-tree program (ctest: install-layout).
#
#   utils/check-install.sh BUILD_DIR [SOURCE_DIR]
#
# Installs BUILD_DIR into a temporary prefix, then checks: tools in bin/ (and
# no test helpers), the static libraries in lib/, every public header in
# include/btfkit/ compiling on its own, docs in share/doc/btfkit/, and a small
# consumer compiled and linked against the installed headers and libraries
# (plus LLVM's and libelf) that loads a BTF file.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "${2:-$(dirname "$0")/..}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btfkit-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

# Tools: every tools/<name>/ that was built, and nothing else.
for dir in "$src"/tools/*/; do
  tool=$(basename "$dir")
  [ -x "$build/bin/$tool" ] || continue
  [ -x "$prefix/bin/$tool" ] || fail "bin/$tool missing"
done
[ -x "$prefix/bin/btf-dump" ] || fail "bin/btf-dump missing"
for f in "$prefix"/bin/*; do
  [ -d "$src/tools/$(basename "$f")" ] || fail "bin/$(basename "$f") is not a tool of tools/"
done

# Libraries: one static archive per layer.
libs=(BTFKitReport BTFKitTransform BTFKitCheck BTFKitCore)
for l in "${libs[@]}"; do
  [ -f "$prefix/lib/lib$l.a" ] || fail "lib/lib$l.a missing"
done

# Headers: all of include/btfkit, each compiling on its own.
for h in "$src"/include/btfkit/*.h; do
  name=$(basename "$h")
  [ -f "$prefix/include/btfkit/$name" ] || fail "include/btfkit/$name missing"
done
cxx=${CXX:-c++}
llvm_config=${LLVM_CONFIG:-llvm-config-19}
llvm_cxxflags=$($llvm_config --cxxflags)
for h in "$prefix"/include/btfkit/*.h; do
  echo "#include <btfkit/$(basename "$h")>" |
    $cxx -x c++ -fsyntax-only -I"$prefix/include" $llvm_cxxflags - ||
    fail "include/btfkit/$(basename "$h") does not compile on its own"
done

# Docs.
docdir=$prefix/share/doc/btfkit
for f in README.md LICENSE; do
  [ -f "$docdir/$f" ] || fail "share/doc/btfkit/$f missing"
done
for f in "$src"/docs/*.md; do
  [ -f "$docdir/$(basename "$f")" ] || fail "share/doc/btfkit/$(basename "$f") missing"
done

# An out-of-tree consumer, built only from the installed files.
cat >"$tmp/consumer.cpp" <<'CPP'
#include <btfkit/Reader.h>
#include <llvm/Support/raw_ostream.h>
int main(int argc, char **argv) {
  auto F = btfkit::BTFFile::load(argc > 1 ? argv[1] : "");
  if (!F) {
    llvm::errs() << llvm::toString(F.takeError()) << "\n";
    return 1;
  }
  llvm::outs() << F->btf().numTypes() << " types\n";
  return 0;
}
CPP
$cxx $llvm_cxxflags -I"$prefix/include" "$tmp/consumer.cpp" -o "$tmp/consumer" \
  -L"$prefix/lib" "${libs[@]/#/-l}" \
  $($llvm_config --ldflags) $($llvm_config --link-static --libs support object) \
  $($llvm_config --link-static --system-libs) -lelf ||
  fail "a consumer does not link against the installed libraries"
python3 "$src/utils/btf-asm.py" "$src/test/Inputs/all-kinds.txt" -o "$tmp/t.btf"
want=$(grep -c '^\[' "$src/test/Inputs/all-kinds.txt")
got=$("$tmp/consumer" "$tmp/t.btf")
[ "$got" = "$want types" ] || fail "consumer printed '$got', expected '$want types'"
echo "check-install: OK ($prefix: bin, lib, include/btfkit, share/doc/btfkit; consumer links)"
