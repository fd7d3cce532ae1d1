#!/usr/bin/env bash
# Unpacks the real-kernel BTF corpus into the build tree (the source stays
# read-only): prepare-corpus.sh SRC_DIR DEST_DIR.
#   DEST/vmlinux-*.btf   raw vmlinux BTF
#   DEST/modules/*.btf   raw split BTF of every module
#   DEST/oracle-*.tsv    the reference results
# Without a corpus it says so and succeeds (the corpus tests then report
# themselves unsupported), except under CI, where the corpus must be there.
set -euo pipefail
src=${1:?usage: prepare-corpus.sh SRC DEST}
dest=${2:?usage: prepare-corpus.sh SRC DEST}
if [ ! -d "$src" ] || ! ls "$src"/vmlinux-*.btf.xz >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "prepare-corpus: no corpus in $src (CI requires it)" >&2
    exit 1
  fi
  echo "prepare-corpus: no corpus in $src; corpus tests will be skipped"
  exit 0
fi
if [ -f "$dest/.prepared" ] && [ "$dest/.prepared" -nt "$src" ]; then
  echo "prepare-corpus: $dest is up to date"
  exit 0
fi
rm -rf "$dest"
mkdir -p "$dest/modules"
for f in "$src"/*.btf.xz; do
  xz -dc "$f" >"$dest/$(basename "$f" .xz)"
done
for t in "$src"/modules-*.tar.xz; do
  tar -C "$dest/modules" --strip-components=1 -xJf "$t"
done
cp "$src"/oracle-*.tsv "$dest/"
[ -f "$src/config-6.1-clang19" ] && cp "$src/config-6.1-clang19" "$dest/"
touch "$dest/.prepared"
echo "prepare-corpus: unpacked $(ls "$dest/modules" | wc -l) modules into $dest"
